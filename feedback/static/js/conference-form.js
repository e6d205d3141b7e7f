/* Lắng Nghe conference form: an "add a row" button for hosting leaders and agenda items. Without
   JavaScript the form offers a few empty rows, and more after each save. */
(function () {
  "use strict";
  document.querySelectorAll("[data-rows]").forEach(function (group) {
    var button = group.querySelector("[data-add-row]");
    var max = parseInt(group.getAttribute("data-max"), 10) || 20;
    if (!button) return;
    var rows = function () { return group.querySelectorAll("[data-row]"); };

    button.hidden = false;
    button.addEventListener("click", function () {
      var all = rows();
      if (all.length >= max) { button.hidden = true; return; }
      var last = all[all.length - 1];
      var index = all.length;
      var copy = last.cloneNode(true);
      // Rows are named leaders-0-name, leaders-1-name…: the new row takes the next number.
      var renumber = function (value) { return value.replace(/-\d+-/, "-" + index + "-"); };
      copy.querySelectorAll("[id], [name], [for], [aria-describedby]").forEach(function (el) {
        ["id", "name", "for"].forEach(function (attr) {
          if (el.hasAttribute(attr)) el.setAttribute(attr, renumber(el.getAttribute(attr)));
        });
        el.removeAttribute("aria-describedby");
        el.removeAttribute("aria-invalid");
      });
      copy.querySelectorAll(".field-error").forEach(function (el) { el.remove(); });
      copy.querySelectorAll(".has-error").forEach(function (el) { el.classList.remove("has-error"); });
      copy.querySelectorAll("input").forEach(function (el) { el.value = ""; });
      var legend = copy.querySelector("legend");
      if (legend) legend.textContent = legend.textContent.replace(/\d+/, String(index + 1));
      last.parentNode.insertBefore(copy, button);
      if (rows().length >= max) button.hidden = true;
      var first = copy.querySelector("input");
      if (first) first.focus();
    });
  });
})();
