/* fairapp's service worker (issue 16: offline on the fair's day), served at the site's root by
   fairapp/core/offline.py, which writes its settings in below (see that module for the why).

   - The pages that must open without a network (check-in, the judge's dashboard and scoring pages, the
     stage's projector and control) and the pictures they show: network-first, so they are fresh when
     online; the cached copy when the network fails (or says nothing for WAIT_MS and a copy exists).
     One cache, "fairapp-pages", holding one signed-in session's copies: a response from another session
     (the X-Fairapp-Session mark differs), from no session, or a sign-in or sign-out empties it first.
   - Static files: cache-first, in "fairapp-static-<version>"; the pages' files are fetched when the worker
     installs; a new version (any file under static/ changed) is a new worker, and the old cache goes.
   - Everything else (other pages, JSON, posts) is not touched: the browser fetches it as without a worker.
   A page opened before the worker controlled it asks it (postMessage {type: "remember", urls}) to keep a
   copy, so the first visit is enough; the judge's dashboard also asks it to keep the scoring pages it
   links to that are not kept yet ({missing: true}), so the judge need not open each one online. */
"use strict";

var S = /*SETTINGS*/{};
var STATIC = "fairapp-static-" + S.version;
var PAGES = "fairapp-pages";
var MARK = (S.root || "") + "/__fairapp-session-mark";  // the key under which the cache names its session
var WAIT_MS = 4000;
var pages = (S.pages || []).map(function (p) { return new RegExp(p); });
var pictures = (S.pictures || []).map(function (p) { return new RegExp(p); });

function matches(list, path) {
  return list.some(function (re) { return re.test(path); });
}

// The pages cache is changed one step at a time (emptied, or a copy kept): two copies kept at once
// must not each find it held by no session and empty it under the other.
var steps = Promise.resolve();
function serially(step) {
  var run = steps.then(step, step);
  steps = run.catch(function () {});
  return run;
}

function clearPages() {
  return serially(function () { return caches.delete(PAGES); });
}

/** Keep a copy of a page or picture answered for a signed-in session (the cache emptied first when it
    held another session's). */
function remember(url, response) {
  if (response.status !== 200 || response.type !== "basic") { return Promise.resolve(); }
  var mark = response.headers.get(S.sessionHeader) || "-";
  if (mark === "-") { return clearPages(); }
  return serially(function () {
    return caches.open(PAGES).then(function (cache) {
      return cache.match(MARK).then(function (held) {
        return held ? held.text() : null;
      }).then(function (heldMark) {
        if (heldMark === mark) { return cache; }
        return caches.delete(PAGES).then(function () { return caches.open(PAGES); }).then(function (fresh) {
          return fresh.put(MARK, new Response(mark)).then(function () { return fresh; });
        });
      }).then(function (target) {
        return target.put(url, response);
      });
    });
  });
}

function cached(url) {
  return caches.open(PAGES).then(function (cache) {
    return cache.match(MARK).then(function (held) {
      return held ? cache.match(url, {ignoreVary: true}) : undefined;
    });
  });
}

function networkFirst(event, request) {
  var url = request.url.split("#")[0];
  return new Promise(function (resolve, reject) {
    var done = false;
    function give(response) { if (!done) { done = true; resolve(response); } }
    var timer = setTimeout(function () {
      cached(url).then(function (hit) { if (hit) { give(hit); } });
    }, WAIT_MS);
    fetch(request).then(function (response) {
      clearTimeout(timer);
      event.waitUntil(remember(url, response.clone()).catch(function () {}));
      give(response);
    }, function (error) {
      clearTimeout(timer);
      cached(url).then(function (hit) {
        if (hit) { give(hit); } else if (!done) { done = true; reject(error); }
      }, function () { if (!done) { done = true; reject(error); } });
    });
  });
}

function cacheFirst(request) {
  return caches.open(STATIC).then(function (cache) {
    return cache.match(request, {ignoreVary: true}).then(function (hit) {
      if (hit) { return hit; }
      return fetch(request).then(function (response) {
        if (response.status === 200 && response.type === "basic") { cache.put(request, response.clone()); }
        return response;
      });
    });
  });
}

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(STATIC).then(function (cache) {
    // One file at a time, a missing one skipped: the worker installs whatever the network gave.
    return Promise.all((S.precache || []).map(function (url) {
      return fetch(new Request(url, {cache: "reload"})).then(function (response) {
        if (response.status === 200) { return cache.put(url, response); }
      }).catch(function () {});
    }));
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (key) {
      return key.indexOf("fairapp-static-") === 0 && key !== STATIC;
    }).map(function (key) { return caches.delete(key); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (request.method === "POST" && (S.clearOn || []).indexOf(url.pathname) !== -1) {
    event.waitUntil(clearPages());  // signing in or out: no copy of the session's pages outlives it
    return;
  }
  if (request.method !== "GET") { return; }
  if (S.static && url.pathname.indexOf(S.static) === 0) {
    event.respondWith(cacheFirst(request));
  } else if ((request.mode === "navigate" && matches(pages, url.pathname)) || matches(pictures, url.pathname)) {
    event.respondWith(networkFirst(event, request));
  }
});

self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.type !== "remember" || !Array.isArray(data.urls)) { return; }
  var keys = [];
  data.urls.slice(0, 100).forEach(function (href) {
    var url;
    try { url = new URL(href, self.location.href); } catch (e) { return; }
    if (url.origin !== self.location.origin) { return; }
    if (!matches(pages, url.pathname) && !matches(pictures, url.pathname)) { return; }
    var key = url.href.split("#")[0];
    if (keys.indexOf(key) === -1) { keys.push(key); }
  });
  // One at a time (a judge's dashboard may name thirty scoring pages); with `missing`, only those not kept.
  event.waitUntil(keys.reduce(function (previous, key) {
    return previous.then(function () {
      return (data.missing ? cached(key) : Promise.resolve(undefined)).then(function (hit) {
        if (hit) { return null; }
        return fetch(key, {credentials: "same-origin", cache: "no-store"}).then(function (response) {
          return remember(key, response);
        });
      }).catch(function () {});
    });
  }, Promise.resolve()));
});
