/* fairapp: the pages that must open without a network on the fair's day (check-in, the judge's dashboard
   and scoring pages, the stage) register the service worker (static/js/sw.js, served at the site's root:
   fairapp/core/offline.py) with
     <script src=".../js/offline.js" data-sw="{{ url_for('offline.service_worker') }}" defer></script>
   A page the worker did not serve (its first visit) asks it to keep a copy of the page and of the
   pictures it shows, so one visit online is enough for a cold reload offline. */
(function () {
  "use strict";
  var script = document.currentScript;
  var url = script && script.getAttribute("data-sw");
  if (!url || !("serviceWorker" in navigator)) { return; }
  var served = !!navigator.serviceWorker.controller;
  navigator.serviceWorker.register(url).catch(function () { /* no worker: the page works online as before */ });
  if (served) { return; }
  navigator.serviceWorker.ready.then(function (registration) {
    var urls = [location.href.split("#")[0]];
    Array.prototype.forEach.call(document.images, function (img) {
      if (img.src && img.src.indexOf(location.origin + "/") === 0) { urls.push(img.src); }
    });
    if (registration.active) { registration.active.postMessage({type: "remember", urls: urls}); }
  });
})();
