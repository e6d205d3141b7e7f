/* Lắng Nghe dashboards: show only the fields of the period kind chosen in the filter form.
   Without this file every field is shown, and the chosen kind decides which one counts. */
(function () {
  "use strict";

  function update(form) {
    var kind = form.querySelector("[data-period-kind]").value;
    var fields = form.querySelectorAll("[data-period-field]");
    for (var i = 0; i < fields.length; i += 1) {
      var shown = fields[i].getAttribute("data-period-field") === kind;
      fields[i].hidden = !shown;
      var inputs = fields[i].querySelectorAll("input");
      for (var j = 0; j < inputs.length; j += 1) {
        inputs[j].disabled = !shown; // a hidden field stays out of the URL
      }
    }
    var hints = form.querySelectorAll("[data-period-field] .hint");
    for (var k = 0; k < hints.length; k += 1) {
      hints[k].hidden = true;
    }
  }

  var forms = document.querySelectorAll("[data-period-form]");
  for (var i = 0; i < forms.length; i += 1) {
    (function (form) {
      var select = form.querySelector("[data-period-kind]");
      if (!select || form.hasAttribute("data-period-ready")) {
        return;
      }
      form.setAttribute("data-period-ready", "");
      select.addEventListener("change", function () { update(form); });
      update(form);
    }(forms[i]));
  }
}());

/* The page tabs scroll sideways in one row on a phone: bring the current one into view. */
(function () {
  "use strict";

  var current = document.querySelector(".dashboard-nav [aria-current=page]");
  if (!current) {
    return;
  }
  var row = current.closest("ul");
  if (row && row.scrollWidth > row.clientWidth) {
    row.scrollLeft = current.offsetLeft - row.offsetLeft - 16;
  }
}());
