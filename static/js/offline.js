/* fairapp: the pages that must open without a network on the fair's day (check-in, the judge's dashboard
   and scoring pages, the stage) register the service worker (static/js/sw.js, served at the site's root:
   fairapp/core/offline.py) with
     <script src=".../js/offline.js" data-sw="{{ url_for('offline.service_worker') }}" defer></script>
   A page the worker did not serve (its first visit) asks it to keep a copy of the page and of the
   pictures it shows, so one visit online is enough for a cold reload offline. With data-keep-links (the
   judge's dashboard) it also asks for the pages it links to that the worker keeps (the scoring pages). */
(function () {
  "use strict";
  var script = document.currentScript;
  var url = script && script.getAttribute("data-sw");
  if (!url || !("serviceWorker" in navigator)) { return; }
  var served = !!navigator.serviceWorker.controller;
  var links = script.hasAttribute("data-keep-links");
  navigator.serviceWorker.register(url).catch(function () { /* no worker: the page works online as before */ });
  if (served && !links) { return; }
  navigator.serviceWorker.ready.then(function (registration) {
    if (!registration.active) { return; }
    if (!served) {
      var urls = [location.href.split("#")[0]];
      Array.prototype.forEach.call(document.images, function (img) {
        if (img.src && img.src.indexOf(location.origin + "/") === 0) { urls.push(img.src); }
      });
      registration.active.postMessage({type: "remember", urls: urls});
    }
    if (links && navigator.onLine !== false) {  // the pages this one links to (the worker keeps only its own)
      var hrefs = Array.prototype.map.call(document.querySelectorAll("a[href]"), function (a) { return a.href; });
      registration.active.postMessage({type: "remember", urls: hrefs, missing: true});
    }
  });
})();
