/* Lắng Nghe survey. 1. Shows a conditional question only when its condition holds, as the citizen
   answers. 2. Sends each page with fetch: the server answers with the next page alone (the same
   view and template as the whole page), which replaces this one; the address follows (pushState),
   the browser's Back fetches the earlier page the same way, and focus moves to the new heading.
   A send that fails on the network keeps the page as it is, with a message and a retry button.
   The page works without this; the server decides what is shown and what counts. */
(function () {
  "use strict";
  var HEADER = "X-Survey-Fragment";

  function form() { return document.querySelector("form[data-survey]"); }

  // The answers given to a field, skipping hidden questions and "not applicable".
  function given(f, name) {
    var out = [];
    f.querySelectorAll("[name]").forEach(function (el) {
      if (el.name !== name || el.closest("[hidden]")) return;
      var on = el.type === "radio" || el.type === "checkbox" ? el.checked : el.value.trim() !== "";
      if (on && el.value !== "na") out.push(el.value.trim());
    });
    return out;
  }

  function update() {
    var f = form();
    if (!f) return;
    // Document order: a question hidden here no longer counts for those after it.
    f.querySelectorAll("[data-if]").forEach(function (el) {
      var got = given(f, el.getAttribute("data-if"));
      var wanted = JSON.parse(el.getAttribute("data-val") || "[]");
      el.hidden = el.getAttribute("data-op") === "answered" ? !got.length
        : !got.some(function (v) { return wanted.indexOf(v) >= 0; });
    });
  }

  document.addEventListener("change", update);
  document.addEventListener("input", update);
  update();

  if (!window.fetch || !window.URLSearchParams || !history.pushState) return;
  if (!document.getElementById("survey-page")) return;
  var suffix = document.title.slice(document.title.lastIndexOf(" · "));
  var busy = false;
  function here() { return location.pathname + location.search; }
  var shown = here();  // a #question link is no new page
  history.replaceState({survey: 1}, "", location.href);

  // Put the page the server sent in place of this one; false when it is not a survey page.
  function show(html, push) {
    var holder = document.createElement("div");
    holder.innerHTML = html;
    var next = holder.querySelector("#survey-page");
    var current = document.getElementById("survey-page");
    if (!next || !current) return false;
    current.replaceWith(next);
    document.title = next.getAttribute("data-title") + suffix;
    var url = next.getAttribute("data-url");
    if (push && url && url !== here()) {
      history.pushState({survey: 1}, "", url);
    }
    shown = here();
    window.scrollTo(0, 0);
    var heading = next.querySelector("h1");
    if (heading) heading.focus();
    update();
    return true;
  }

  function load(url, options, push) {
    options.headers = {};
    options.headers[HEADER] = "1";
    options.credentials = "same-origin";
    return fetch(url, options).then(function (r) {
      if (r.status >= 500) throw new Error("server");
      if (r.headers.get(HEADER) !== "1") { location.assign(r.url); return; }
      return r.text().then(function (html) {
        if (!show(html, push && r.status === 200)) location.assign(r.url);
      });
    });
  }

  function failed(f, retry) {
    var nav = f.querySelector(".survey-nav");
    var old = f.querySelector(".send-failed");
    if (old) old.remove();
    var box = document.createElement("div");
    box.className = "notice notice-error send-failed";
    box.setAttribute("role", "alert");
    var text = document.createElement("p");
    text.textContent = f.getAttribute("data-failed");
    var again = document.createElement("button");
    again.type = "button";
    again.className = "button-block";
    again.textContent = f.getAttribute("data-retry");
    again.addEventListener("click", retry);
    box.appendChild(text);
    box.appendChild(again);
    nav.parentNode.insertBefore(box, nav);
    again.focus();
  }

  function send(f, body) {
    if (busy) return;
    busy = true;
    f.setAttribute("aria-busy", "true");
    load(f.action, {method: "POST", body: body}, true).catch(function () {
      f.removeAttribute("aria-busy");
      failed(f, function () { send(f, body); });
    }).then(function () { busy = false; });
  }

  document.addEventListener("submit", function (event) {
    var f = event.target;
    if (!f.matches("form[data-survey]")) return;
    event.preventDefault();
    var body = new URLSearchParams(new FormData(f));
    var button = event.submitter;
    if (button && button.name) body.append(button.name, button.value);
    send(f, body);
  });

  window.addEventListener("popstate", function () {
    if (here() === shown) return;
    load(location.href, {method: "GET"}, false).catch(function () { location.reload(); });
  });
})();
