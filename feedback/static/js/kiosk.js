/* The kiosk tablet: taps are queued in IndexedDB with a client UUID and the time they were given,
   then sent to /kiosk/ratings (and /kiosk/ratings/<uuid>/details) whenever the network allows; the
   screen never waits for the network. The page and its assets are kept in the Cache API and a
   small service worker (/kiosk/sw.js) answers from it when offline. No framework. */
(function () {
  "use strict";
  var root = document.getElementById("kiosk");
  if (!root || !window.indexedDB) { return; }
  var idleSeconds = parseInt(root.getAttribute("data-idle"), 10) || 30;
  var low = (root.getAttribute("data-low") || "").split(",").filter(Boolean);
  var screens = ["screen-rate", "screen-reasons", "screen-thanks"];
  var status = document.getElementById("kiosk-status");
  var current = null;   // the UUID of the rating on screen
  var idleTimer = null;
  var sending = false;
  var CACHE = "kiosk-v1";
  var SEND_TIMEOUT_MS = 10000;

  function uuid4() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  var dbPromise = null;
  function openDb() {
    if (!dbPromise) {
      dbPromise = new Promise(function (resolve, reject) {
        var request = indexedDB.open("kiosk", 1);
        request.onupgradeneeded = function () {
          request.result.createObjectStore("queue", { keyPath: "seq", autoIncrement: true });
        };
        request.onsuccess = function () { resolve(request.result); };
        request.onerror = function () { dbPromise = null; reject(request.error); };
      });
    }
    return dbPromise;
  }

  // One request on the queue store; resolves with its result once its transaction has committed.
  function withStore(mode, work) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction("queue", mode);
        var request = work(tx.objectStore("queue"));
        tx.oncomplete = function () { resolve(request.result); };
        tx.onerror = tx.onabort = function () { reject(tx.error); };
      });
    });
  }

  function enqueue(item) { return withStore("readwrite", function (s) { return s.add(item); }); }
  function all() { return withStore("readonly", function (s) { return s.getAll(); }); }
  function drop(seq) { return withStore("readwrite", function (s) { return s.delete(seq); }); }

  function show(id) {
    screens.forEach(function (name) { document.getElementById(name).hidden = name !== id; });
  }

  function say(text) { if (status) { status.textContent = text; } }

  function send(item) {
    var url = item.kind === "rate" ? "/kiosk/ratings" : "/kiosk/ratings/" + item.uuid + "/details";
    // A request the network swallows must not hold the queue: give up on it after a while.
    var abort = window.AbortController ? new AbortController() : null;
    var timer = abort && setTimeout(function () { abort.abort(); }, SEND_TIMEOUT_MS);
    return fetch(url, {
      method: "POST", credentials: "same-origin", signal: abort ? abort.signal : undefined,
      headers: { "Content-Type": "application/json" }, body: JSON.stringify(item.body)
    }).then(function (response) {
      // Stored, replayed or refused for good: done with it. Unpaired, revoked or a server fault: keep it.
      if (response.status === 401 || response.status === 403) { location.reload(); return false; }
      return response.status < 500;
    }).finally(function () { clearTimeout(timer); });
  }

  function flush() {
    if (sending || navigator.onLine === false) { return Promise.resolve(); }
    sending = true;
    return all().then(function (items) {
      var chain = Promise.resolve(true);
      items.forEach(function (item) {
        chain = chain.then(function (ok) {
          if (!ok) { return false; }
          return send(item).then(function (done) { return done ? drop(item.seq).then(function () { return true; }) : false; });
        });
      });
      return chain.then(function () { return all(); });
    }).then(function (left) {
      say(left.length ? root.getAttribute("data-waiting") || "" : "");
    }).catch(function () { /* offline: the queue waits for the next try */ })
      .then(function () { sending = false; });
  }

  function resetIdle() {
    clearTimeout(idleTimer);
    idleTimer = setTimeout(function () { current = null; document.getElementById("reasons-form").reset(); show("screen-rate"); },
      idleSeconds * 1000);
  }

  document.getElementById("rate-form").addEventListener("click", function (event) {
    var button = event.target.closest("button[name=level]");
    if (!button) { return; }
    event.preventDefault();
    current = uuid4();
    var level = parseInt(button.value, 10);
    enqueue({ kind: "rate", uuid: current, body: { uuid: current, level: level, given_at: new Date().toISOString() } })
      .then(flush);
    show(low.indexOf(String(level)) >= 0 ? "screen-reasons" : "screen-thanks");
    resetIdle();
  });

  document.getElementById("reasons-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var form = event.target;
    var reasons = Array.prototype.map.call(form.querySelectorAll("input[name=reason]:checked"), function (i) { return i.value; });
    var comment = form.querySelector("textarea[name=comment]").value;
    var select = form.querySelector("select[name=service]");
    var service = select ? select.value : "";
    if (current && (reasons.length || comment || service)) {
      enqueue({ kind: "details", uuid: current, body: { reasons: reasons, comment: comment, service_code: service || null } })
        .then(flush);
    }
    form.reset();
    show("screen-thanks");
    resetIdle();
  });

  document.getElementById("next-citizen").addEventListener("click", function (event) {
    event.preventDefault();
    current = null;
    show("screen-rate");
  });

  ["pointerdown", "keydown"].forEach(function (name) { document.addEventListener(name, resetIdle); });
  window.addEventListener("online", flush);
  setInterval(flush, 10000);
  flush();

  // Keep this page and its assets for offline use; the service worker answers from the cache.
  if (window.caches) {
    var urls = [location.pathname];
    document.querySelectorAll("link[rel=stylesheet], script[src], link[rel=icon]").forEach(function (el) {
      urls.push(el.getAttribute("href") || el.getAttribute("src"));
    });
    caches.open(CACHE).then(function (cache) { return cache.addAll(urls); }).catch(function () {});
  }
  if (navigator.serviceWorker) {
    navigator.serviceWorker.register("/kiosk/sw.js", { scope: "/kiosk" }).catch(function () {});
  }
}());
