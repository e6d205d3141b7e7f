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
    container.setAttribute("data-drawn", "");
    Plotly.newPlot(container, figure.data, figure.layout, {
      responsive: true,
      displaylogo: false,
      // Zoom and pan only get in the way of scrolling on a phone; keep just the download.
      modeBarButtons: [[download]],
      scrollZoom: false,
      doubleClick: false
    }).then(function () {
      var fallback = container.querySelector(".chart-fallback");
      if (fallback) {
        fallback.parentNode.removeChild(fallback);
      }
      // A tap (a click on a phone) shows the details a mouse gets by hovering; a tap elsewhere
      // on the chart hides them.
      container.on("plotly_click", function (event) {
        if (event && event.points && event.points.length) {
          Plotly.Fx.hover(container, event.points.map(function (point) {
            return {curveNumber: point.curveNumber, pointNumber: point.pointNumber};
          }));
        }
      });
    });
  }

  // A chart the page hides at this width (the heatmap on a phone, where a list takes its place) is
  // drawn when it is first shown, so plotly.js never lays it out in a box of no size.
  function drawShown() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-figure]"), function (container) {
      if (!container.hasAttribute("data-drawn") && container.offsetParent !== null) {
        draw(container);
      }
    });
  }

  drawShown();
  window.addEventListener("resize", drawShown);
}());
