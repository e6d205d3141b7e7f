/* Designer's phone preview: how tall each page of the citizen form is, so page breaks can be
   placed where pages stay under 1,850 px (2.5 screens of a 375×740 phone). A page's height is its
   questions' as drawn here, plus what surrounds them on the real page (site header, page header,
   buttons, footer): on the first page the title block drawn above it here. */
(function () {
  "use strict";
  var frame = document.querySelector(".phone-frame[data-height-text]");
  if (!frame) return;
  // What surrounds a page's questions on the citizen page (site header, one-line page header and
  // progress, buttons, footer), and on the first page instead of all but its title block. Both
  // calibrated against the citizen pages measured at 375 px (tests/browser/test_survey_phone.py).
  var SURROUNDINGS = 330;
  var FIRST_SURROUNDINGS = 40;
  var text = frame.getAttribute("data-height-text");
  var form = frame.querySelector("form");
  frame.querySelectorAll("[data-page-box]").forEach(function (box) {
    var n = box.getAttribute("data-page-box");
    var height = box.getBoundingClientRect().height + (n === "1" ? FIRST_SURROUNDINGS : SURROUNDINGS);
    if (n === "1") height += form.getBoundingClientRect().top - frame.getBoundingClientRect().top;
    var label = frame.querySelector('[data-page-height="' + n + '"]');
    if (label) label.textContent = text.replace("{px}", String(Math.round(height / 10) * 10));
  });
})();
