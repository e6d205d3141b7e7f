// Dialogue sign-up form: one question block at first, "Add another question" reveals the next;
// a question's topic is marked required (aria-required) as soon as the question has text. Without
// JavaScript the first three blocks are on the page, which is enough to sign up.
(function () {
  "use strict";
  var button = document.querySelector("[data-add-question]");
  if (!button) return;
  var blocks = Array.prototype.slice.call(document.querySelectorAll("[data-question-block]"));

  function untouched(block) {
    if (block.querySelector(".has-error")) return false;
    var text = block.querySelector("textarea");
    var topic = block.querySelector("select");
    var publish = block.querySelector("input[type=checkbox]");
    return !(text && text.value.trim()) && !(topic && topic.value) && !(publish && publish.checked);
  }
  // Keep the first block and every block up to the last one with something typed in it.
  for (var i = blocks.length - 1; i > 0 && (blocks[i].hidden || untouched(blocks[i])); i--) {
    blocks[i].hidden = true;
  }

  function hiddenBlocks() {
    return document.querySelectorAll("[data-question-block][hidden]");
  }
  button.hidden = hiddenBlocks().length === 0;
  button.addEventListener("click", function () {
    var hidden = hiddenBlocks();
    if (!hidden.length) return;
    hidden[0].hidden = false;
    var text = hidden[0].querySelector("textarea");
    if (text) text.focus();
    button.hidden = hiddenBlocks().length === 0;
  });

  document.querySelectorAll("[data-topic-for]").forEach(function (topic) {
    var text = document.getElementById(topic.getAttribute("data-topic-for"));
    if (!text) return;
    var sync = function () { topic.setAttribute("aria-required", text.value.trim() ? "true" : "false"); };
    text.addEventListener("input", sync);
    sync();
  });
})();
