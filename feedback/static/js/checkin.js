/* Lắng Nghe check-in at the door: keeps the attendee count live, and scans a ticket's QR code with
   the camera where the browser can (BarcodeDetector + getUserMedia). The page works without it:
   staff type the code, and the count is current on every reload. */
(function () {
  "use strict";

  // ---- the live count ------------------------------------------------------------------------
  var live = document.querySelector("[data-count-url]");
  var POLL_MS = 10000;
  if (live && window.fetch) {
    var format = window.Intl ? new Intl.NumberFormat(document.documentElement.lang || "vi") : null;
    var refresh = function () {
      if (document.hidden) return;
      fetch(live.getAttribute("data-count-url"), { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (count) {
          if (!count) return;
          live.querySelectorAll("[data-count]").forEach(function (el) {
            var value = count[el.getAttribute("data-count")];
            if (typeof value === "number") el.textContent = format ? format.format(value) : String(value);
          });
        })
        .catch(function () { /* offline for a moment: the next poll tries again */ });
    };
    window.setInterval(refresh, POLL_MS);
    document.addEventListener("visibilitychange", refresh);
  }

  // ---- scanning with the camera ----------------------------------------------------------------
  var scan = document.querySelector("[data-scan]");
  var form = document.getElementById("ticket-form");
  if (!scan || !form || !("BarcodeDetector" in window) || !navigator.mediaDevices
      || !navigator.mediaDevices.getUserMedia) return;
  var input = form.querySelector('input[name="code"]');
  var video = scan.querySelector("[data-scan-video]");
  var start = scan.querySelector("[data-scan-start]");
  var stop = scan.querySelector("[data-scan-stop]");
  var status = scan.querySelector("[data-scan-status]");
  var stream = null;
  var detector = null;

  var halt = function () {
    if (stream) stream.getTracks().forEach(function (track) { track.stop(); });
    stream = null;
    video.hidden = true;
    stop.hidden = true;
    start.hidden = false;
  };

  var look = function () {
    if (!stream) return;
    detector.detect(video).then(function (codes) {
      if (codes.length && codes[0].rawValue) {
        input.value = codes[0].rawValue;
        halt();
        if (form.requestSubmit) form.requestSubmit(); else form.submit();
        return;
      }
      window.setTimeout(look, 250);
    }).catch(function () { window.setTimeout(look, 500); });
  };

  window.BarcodeDetector.getSupportedFormats().then(function (formats) {
    if (formats.indexOf("qr_code") < 0) return;
    detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    scan.hidden = false;
    start.addEventListener("click", function () {
      status.textContent = "";
      navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false })
        .then(function (media) {
          stream = media;
          video.srcObject = media;
          video.hidden = false;
          stop.hidden = false;
          start.hidden = true;
          return video.play();
        })
        .then(look)
        .catch(function () {
          halt();
          status.textContent = scan.getAttribute("data-camera-refused") || "";
          input.focus();
        });
    });
    stop.addEventListener("click", function () { halt(); input.focus(); });
    window.addEventListener("pagehide", halt);
  }).catch(function () { /* no detector after all: typing works */ });
})();
