/* Lắng Nghe dashboards: draw each chart from the figure JSON embedded in the page.
   The page works without this file: every chart has a table with the same numbers below it. */
(function () {
  "use strict";

  var Plotly = window.Plotly;
  if (!Plotly) {
    return; // plotly.js failed to load: the tables remain, and the note says so
  }

  function draw(container) {
    var source = document.getElementById(container.getAttribute("data-figure"));
    var figure;
    try {
      // type="application/json" is data, not script, so the CSP has nothing to object to.
      figure = JSON.parse(source.textContent);
    } catch (error) {
      return;
    }
    var filename = container.getAttribute("data-download-name") || "chart";
    var download = {
      name: "download",
      title: container.getAttribute("data-download-label") || "Download",
      icon: Plotly.Icons.camera,
      click: function (graph) {
        Plotly.downloadImage(graph, {format: "png", filename: filename});
      }
    };
    Plotly.newPlot(container, figure.data, figure.layout, {
      responsive: true,
      displaylogo: false,
      // Zoom and pan only get in the way of scrolling on a phone; keep just the download.
      modeBarButtons: [[download]]
    }).then(function () {
      var fallback = container.querySelector(".chart-fallback");
      if (fallback) {
        fallback.parentNode.removeChild(fallback);
      }
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-figure]"), draw);
}());
