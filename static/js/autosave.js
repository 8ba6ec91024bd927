// Nomination narratives: save as you type (after a pause), keep a copy in this browser, and send it
// again when the network is back, so a dropped connection loses nothing. Also counts characters.
(function () {
  "use strict";
  var form = document.getElementById("narrative-form");
  if (!form || !form.dataset.autosave) return;
  var status = document.getElementById("autosave-status");
  var token = form.querySelector("input[name=csrf_token]");
  var key = "fairapp:narratives:" + form.dataset.autosave;
  var timer = null, dirty = {};

  function fields() { return form.querySelectorAll("textarea[data-section]"); }
  function say(text, cls) { if (status) { status.textContent = text; status.className = "autosave " + (cls || ""); } }

  function counter(area) {
    var c = form.querySelector('.counter[data-for="' + area.id + '"]');
    if (c) c.textContent = area.value.length + " / " + c.dataset.max;
  }

  function remember() {
    try { localStorage.setItem(key, JSON.stringify(dirty)); } catch (e) { /* private mode: server copy only */ }
  }

  function send() {
    timer = null;
    var payload = dirty;
    if (!Object.keys(payload).length) return;
    fetch(form.dataset.autosave, {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": token ? token.value : ""},
      body: JSON.stringify(payload)
    }).then(function (r) {
      return r.json().then(function (body) { return {ok: r.ok, body: body}; });
    }).then(function (res) {
      if (res.ok) {
        Object.keys(payload).forEach(function (k) { if (dirty[k] === payload[k]) delete dirty[k]; });
        remember();
        say(form.dataset.savedText + " " + (res.body.saved_at || ""), "ok");
      } else {
        say(res.body.message || form.dataset.offlineText, "warn");
      }
    }).catch(function () {
      say(form.dataset.offlineText, "warn");
    });
  }

  function schedule() { if (timer) clearTimeout(timer); timer = setTimeout(send, 1500); }

  // What this browser kept from a session that lost its connection comes back first.
  try {
    var kept = JSON.parse(localStorage.getItem(key) || "{}");
    Object.keys(kept).forEach(function (section) {
      var area = form.querySelector('textarea[data-section="' + section + '"]');
      if (area && !area.readOnly && kept[section] !== area.value) { area.value = kept[section]; dirty[section] = kept[section]; }
    });
    if (Object.keys(dirty).length) schedule();
  } catch (e) { /* nothing kept */ }

  Array.prototype.forEach.call(fields(), function (area) {
    counter(area);
    area.addEventListener("input", function () {
      counter(area);
      if (area.readOnly) return;
      dirty[area.dataset.section] = area.value;
      remember();
      schedule();
    });
  });
  window.addEventListener("online", function () { if (Object.keys(dirty).length) send(); });
  form.addEventListener("submit", function () { try { localStorage.removeItem(key); } catch (e) { /* ignore */ } });
})();
