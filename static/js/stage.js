/* Stage mode (issue 16), both pages ask the shared position (GET data-state-url, JSON {index, count}),
   one request at a time, a slow answer abandoned after 5 s; a lost network changes nothing shown and they
   catch up when it is back.
   - The projector (body.stage): every slide is in the page; every 700 ms it shows the slide named.
   - The control page (#stage-control, the master of ceremonies' phones): every second it moves the
     highlighted slide (and Back / Next) to where another phone put the stage, without reloading. Its
     buttons post in the background (the JSON answer is the new position; a stale form token is renewed
     from data-session-url once); offline they say the stage did not move instead of leaving the page.
     Without JavaScript the forms post and the page reloads as before. */
(function () {
  "use strict";

  function poller(url, every, onState) {
    var busy = false;
    function poll() {
      if (busy) { return; }
      busy = true;
      var controller = window.AbortController ? new AbortController() : null;
      var timer = setTimeout(function () { if (controller) { controller.abort(); } }, 5000);
      fetch(url, {credentials: "same-origin", cache: "no-store", headers: {"Accept": "application/json"},
                  signal: controller ? controller.signal : undefined})
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) { if (data && typeof data.index === "number") { onState(data); } })
        .catch(function () { /* offline or signed out: keep what is shown */ })
        .then(function () { clearTimeout(timer); busy = false; });
    }
    setInterval(poll, every);
    return poll;
  }

  // ---- the projector ----

  function projector(body) {
    var slides = Array.prototype.slice.call(document.querySelectorAll(".slide"));
    var current = parseInt(body.getAttribute("data-index"), 10) || 0;

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

    poller(body.getAttribute("data-state-url"), 700, function (data) { show(data.index); });

    var button = document.getElementById("fullscreen");
    if (button && document.documentElement.requestFullscreen) {
      button.addEventListener("click", function () {
        document.documentElement.requestFullscreen().catch(function () {});
      });
    } else if (button) {
      button.setAttribute("hidden", "");
    }
  }

  // ---- the control page ----

  function control(root) {
    var list = document.getElementById("stage-list");
    var back = document.getElementById("back");
    var next = document.getElementById("next");
    var status = document.getElementById("stage-status");
    var count = parseInt(root.getAttribute("data-count"), 10) || 0;
    var current = parseInt(root.getAttribute("data-current"), 10) || 0;
    var token = null;

    function say(text) {
      if (!status) { return; }
      status.textContent = text || "";
      status.hidden = !text;
    }

    function highlight(index, total) {
      if (typeof total === "number") { count = total; }
      current = index;
      root.setAttribute("data-current", String(index));
      Array.prototype.forEach.call(list.children, function (li, position) {
        var here = (li.hasAttribute("data-index") ? parseInt(li.getAttribute("data-index"), 10) : position) === index;
        li.classList.toggle("now", here);
        if (here) { li.id = "now"; li.setAttribute("aria-current", "step"); }
        else { if (li.id === "now") { li.removeAttribute("id"); } li.removeAttribute("aria-current"); }
      });
      if (back) { back.disabled = index <= 0; }
      if (next) { next.disabled = index >= count; }
    }

    function renewToken() {
      return fetch(root.getAttribute("data-session-url"), {credentials: "same-origin", cache: "no-store",
                                                           headers: {"Accept": "application/json"}})
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (state) { if (state && state.csrf_token) { token = state.csrf_token; } return !!(state && state.csrf_token); });
    }

    function post(form, fields, renewed) {
      var body = new URLSearchParams();
      Object.keys(fields).forEach(function (k) { body.append(k, fields[k]); });
      body.set("csrf_token", token || fields.csrf_token);
      return fetch(form.getAttribute("action"), {method: "POST", credentials: "same-origin", cache: "no-store", body: body,
                                 headers: {"Accept": "application/json"}})
        .then(function (r) {
          return r.json().catch(function () { return null; }).then(function (data) { return {status: r.status, data: data}; });
        })
        .then(function (res) {
          if (res.data && res.data.ok && typeof res.data.index === "number") {
            say("");
            highlight(res.data.index, res.data.count);
            return;
          }
          if (!renewed && res.status === 400 && res.data && res.data.code === "csrf") {
            return renewToken().then(function (ok) {
              if (ok) { return post(form, fields, true); }
              say(root.getAttribute("data-msg-failed"));
            });
          }
          say(root.getAttribute("data-msg-failed"));
        }, function () {
          say(root.getAttribute("data-msg-offline"));
        });
    }

    Array.prototype.forEach.call(root.querySelectorAll(".steps form, #stage-list form"), function (form) {
      form.addEventListener("submit", function (event) {
        var button = event.submitter || form.querySelector("button[name=action]");
        if (!button || !window.fetch || !window.URLSearchParams) { return; }  // the plain post
        event.preventDefault();
        var fields = {action: button.value};
        Array.prototype.forEach.call(form.querySelectorAll("input[type=hidden]"), function (input) {
          fields[input.name] = input.value;
        });
        post(form, fields, false);
      });
    });

    poller(root.getAttribute("data-state-url"), 1000, function (data) {
      if (data.index !== current || data.count !== count) { highlight(data.index, data.count); }
    });
  }

  var body = document.body;
  if (body.classList.contains("stage") && body.getAttribute("data-state-url")) { projector(body); }
  var root = document.getElementById("stage-control");
  if (root && document.getElementById("stage-list")) { control(root); }
})();
