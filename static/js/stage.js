/* Stage mode, the projector page (issue 16): every slide is in the page; this asks the shared position
   (GET data-state-url, JSON {index, count}) every 700 ms and shows that slide, without reloading. When the
   network is lost the page keeps showing the last slide and says nothing; it catches up when it is back.
   One request at a time; a slow answer is abandoned after 5 s. */
(function () {
  "use strict";
  var body = document.body;
  var url = body.getAttribute("data-state-url");
  if (!url) { return; }
  var slides = Array.prototype.slice.call(document.querySelectorAll(".slide"));
  var current = parseInt(body.getAttribute("data-index"), 10) || 0;
  var busy = false;

  function show(index) {
    var found = false;
    slides.forEach(function (s) { if (parseInt(s.getAttribute("data-index"), 10) === index) { found = true; } });
    if (!found || index === current) { return; }
    slides.forEach(function (s) {
      var on = parseInt(s.getAttribute("data-index"), 10) === index;
      if (on) { s.removeAttribute("hidden"); } else { s.setAttribute("hidden", ""); }
    });
    current = index;
    body.setAttribute("data-index", String(index));
  }

  function poll() {
    if (busy) { return; }
    busy = true;
    var controller = window.AbortController ? new AbortController() : null;
    var timer = setTimeout(function () { if (controller) { controller.abort(); } }, 5000);
    fetch(url, {credentials: "same-origin", cache: "no-store", headers: {"Accept": "application/json"},
                signal: controller ? controller.signal : undefined})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { if (data && typeof data.index === "number") { show(data.index); } })
      .catch(function () { /* offline or signed out: keep the slide shown */ })
      .then(function () { clearTimeout(timer); busy = false; });
  }

  setInterval(poll, 700);

  var button = document.getElementById("fullscreen");
  if (button && document.documentElement.requestFullscreen) {
    button.addEventListener("click", function () {
      document.documentElement.requestFullscreen().catch(function () {});
    });
  } else if (button) {
    button.setAttribute("hidden", "");
  }
})();
