/* Lắng Nghe survey: shows a conditional question only when its condition holds, as the citizen
   answers. The page works without this; the server decides which answers count in the end. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-survey]");
  if (!form) return;
  var items = form.querySelectorAll("[data-if]");

  // The answers given to a field, skipping hidden questions and "not applicable".
  function given(name) {
    var out = [];
    form.querySelectorAll("[name]").forEach(function (el) {
      if (el.name !== name || el.closest("[hidden]")) return;
      var on = el.type === "radio" || el.type === "checkbox" ? el.checked : el.value.trim() !== "";
      if (on && el.value !== "na") out.push(el.value.trim());
    });
    return out;
  }

  function update() {
    // Document order: a question hidden here no longer counts for those after it.
    items.forEach(function (el) {
      var got = given(el.getAttribute("data-if"));
      var wanted = JSON.parse(el.getAttribute("data-val") || "[]");
      el.hidden = el.getAttribute("data-op") === "answered" ? !got.length
        : !got.some(function (v) { return wanted.indexOf(v) >= 0; });
    });
  }

  form.addEventListener("change", update);
  form.addEventListener("input", update);
  update();
})();
