/* The kiosk's service worker: pages and assets from the network when it answers, else from the
   cache kiosk.js fills (the kiosk page stays usable offline after its first load). Posts are never
   touched: kiosk.js queues them in IndexedDB itself. */
"use strict";
var CACHE = "kiosk-v1";

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) { event.waitUntil(self.clients.claim()); });

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET" || new URL(request.url).origin !== location.origin) { return; }
  event.respondWith(fetch(request).then(function (response) {
    if (response.ok && request.mode === "navigate") {
      var copy = response.clone();
      caches.open(CACHE).then(function (cache) { cache.put(new URL(request.url).pathname, copy); });
    }
    return response;
  }).catch(function () {
    return caches.match(request, { ignoreSearch: request.mode === "navigate" }).then(function (hit) {
      return hit || caches.match(new URL(request.url).pathname);
    });
  }));
});
