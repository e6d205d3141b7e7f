// Dialogue sign-up form: "Add another question" reveals the next question block. Without
// JavaScript the first three blocks are on the page, which is enough to sign up.
(function () {
  "use strict";
  var button = document.querySelector("[data-add-question]");
  if (!button) return;
  function hiddenBlocks() {
    return document.querySelectorAll("[data-question-block][hidden]");
  }
  button.hidden = hiddenBlocks().length === 0;
  button.addEventListener("click", function () {
    var blocks = hiddenBlocks();
    if (!blocks.length) return;
    blocks[0].hidden = false;
    var text = blocks[0].querySelector("textarea");
    if (text) text.focus();
    button.hidden = hiddenBlocks().length === 0;
  });
})();
