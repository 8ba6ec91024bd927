// fairapp judging: the scoring page. Live weighted total, autosave of each score, an offline queue,
// and keyboard shortcuts (digits pick a level on the focused criterion, n / p move between nominees).
//
// Every change is first written to a queue in localStorage (one entry per criterion: the latest wins),
// then sent. An entry leaves the queue only when the server has answered it with {ok: true}, or with
// {ok: false} and 400/409 (a refusal that resending will not change: its message is shown next to the
// criterion). A network failure, a server error or an expired session keeps it; the queue is sent again
// when the browser is back online, every few seconds, and when the page is opened again.
(function () {
  "use strict";

  var RETRY_MS = 10000;
  var COMMENT_PAUSE_MS = 1000;

  var form = document.getElementById("score-form");
  if (!form) return;
  var d = form.dataset;
  var readOnly = d.readOnly === "1";
  var tokenInput = form.querySelector("input[name=csrf_token]");
  var memoryQueue = null;   // used only when localStorage is unavailable
  var sending = false;
  var timers = {};

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = crypto.getRandomValues(new Uint8Array(16));
    return Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join("");
  }

  function digits(text) {
    return d.thaiDigits ? String(text).replace(/[0-9]/g, function (c) { return "๐๑๒๓๔๕๖๗๘๙"[+c]; }) : String(text);
  }

  function readQueue() {
    if (memoryQueue) return memoryQueue;
    try {
      var q = JSON.parse(localStorage.getItem(d.queueKey) || "{}");
      return q && typeof q === "object" && !Array.isArray(q) ? q : {};
    } catch (e) {
      return {};
    }
  }

  function writeQueue(q) {
    try {
      if (Object.keys(q).length) localStorage.setItem(d.queueKey, JSON.stringify(q));
      else localStorage.removeItem(d.queueKey);
      memoryQueue = null;
    } catch (e) {
      memoryQueue = q;  // private mode or storage full: kept for as long as the page is open
    }
    showPending();
  }

  function fieldsets() { return form.querySelectorAll("fieldset.criterion"); }
  function fieldset(id) { return document.getElementById("criterion-" + id); }

  function valueOf(fs) {
    var r = fs.querySelector("input[type=radio]:checked");
    return r ? parseInt(r.value, 10) : null;
  }

  function commentOf(fs) { return fs.querySelector("textarea").value; }

  function say(fs, text, cls) {
    if (!fs) return;
    var s = fs.querySelector(".crit-status");
    s.textContent = text || "";
    s.className = "crit-status" + (cls ? " " + cls : "");
    fs.classList.toggle("has-error", cls === "error");
  }

  function showPending() {
    var n = Object.keys(readQueue()).length;
    var box = document.getElementById("net-status");
    if (!box) return;
    if (!n) { box.textContent = ""; box.className = "net-status"; return; }
    box.textContent = d.msgPending.replace("{n}", digits(n)) + (navigator.onLine ? "" : " · " + d.msgQueued);
    box.className = "net-status pending" + (navigator.onLine ? "" : " offline");
  }

  // The total: sum over the scored criteria of weight * (v - min) / (max - min), out of 100.
  function updateTotal() {
    var total = 0, scored = 0;
    Array.prototype.forEach.call(fieldsets(), function (fs) {
      var v = valueOf(fs);
      var min = +fs.dataset.min, max = +fs.dataset.max, w = +fs.dataset.weight;
      fs.classList.toggle("needs-comment", v !== null && v === min);
      if (v === null) return;
      scored += 1;
      total += w * (v - min) / (max - min);
    });
    var out = document.getElementById("live-total");
    if (out) out.textContent = digits(total.toFixed(2));
    var count = document.getElementById("scored-count");
    if (count && d.msgScored) {
      count.textContent = d.msgScored.replace("{n}", digits(scored)).replace("{m}", digits(fieldsets().length));
    }
  }

  function enqueue(fs) {
    if (readOnly) return;
    var v = valueOf(fs);
    if (v === null) return;
    var comment = commentOf(fs);
    if (v === +fs.dataset.min && !comment.trim()) {
      say(fs, d.msgComment, "warn");
      return;
    }
    var q = readQueue();
    var id = fs.dataset.criterionId;
    q[id] = {criterion_id: +id, value: v, comment: comment, client_id: uuid()};
    writeQueue(q);
    say(fs, navigator.onLine ? d.msgSaving : d.msgQueued, "pending");
    send();
  }

  function send() {
    if (sending) return;
    var q = readQueue();
    var ids = Object.keys(q);
    if (!ids.length) return;
    var item = q[ids[0]];
    sending = true;
    fetch(d.saveUrl, {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "Accept": "application/json",
                "X-CSRFToken": tokenInput ? tokenInput.value : ""},
      body: JSON.stringify(item)
    }).then(function (r) {
      return r.json().then(function (body) { return {status: r.status, body: body || {}}; },
                           function () { return {status: r.status, body: {}}; });
    }).then(function (res) {
      sending = false;
      var fs = fieldset(item.criterion_id);
      var done = res.body.ok === true || (res.body.ok === false && (res.status === 400 || res.status === 409));
      if (!done) {  // a server error, an expired session, a refused CSRF token: keep it and try later
        say(fs, res.body.message || d.msgQueued, "pending");
        showPending();
        return;
      }
      var now = readQueue();
      if (now[item.criterion_id] && now[item.criterion_id].client_id === item.client_id) {
        delete now[item.criterion_id];
        writeQueue(now);
      }
      if (res.body.ok) {
        if (!now[item.criterion_id]) say(fs, res.body.message, "ok");
      } else {
        say(fs, res.body.message || d.msgError, "error");
      }
      send();
    }).catch(function () {
      sending = false;
      var fs = fieldset(item.criterion_id);
      say(fs, d.msgQueued, "pending");
      showPending();
    });
  }

  // What this browser kept from a session that lost its connection comes back first.
  (function restore() {
    var q = readQueue();
    Object.keys(q).forEach(function (id) {
      var fs = fieldset(id);
      if (!fs || readOnly) return;
      var r = fs.querySelector('input[type=radio][value="' + q[id].value + '"]');
      if (r) r.checked = true;
      fs.querySelector("textarea").value = q[id].comment || "";
      say(fs, d.msgQueued, "pending");
    });
    if (readOnly && Object.keys(q).length) writeQueue({});
  })();

  form.addEventListener("change", function (ev) {
    var fs = ev.target.closest("fieldset.criterion");
    if (!fs) return;
    updateTotal();
    if (ev.target.type === "radio") enqueue(fs);
  });

  form.addEventListener("input", function (ev) {
    if (ev.target.tagName !== "TEXTAREA") return;
    var fs = ev.target.closest("fieldset.criterion");
    var id = fs.dataset.criterionId;
    if (timers[id]) clearTimeout(timers[id]);
    timers[id] = setTimeout(function () { timers[id] = null; enqueue(fs); }, COMMENT_PAUSE_MS);
  });

  form.addEventListener("focusout", function (ev) {
    if (ev.target.tagName !== "TEXTAREA") return;
    var fs = ev.target.closest("fieldset.criterion");
    var id = fs.dataset.criterionId;
    if (timers[id]) { clearTimeout(timers[id]); timers[id] = null; enqueue(fs); }
  });

  // Keyboard: digits choose a level of the criterion holding the focus; n / p go to the next / previous
  // nominee. Not while typing in a text box, and not with Ctrl/Alt/Meta.
  document.addEventListener("keydown", function (ev) {
    if (ev.ctrlKey || ev.altKey || ev.metaKey) return;
    var t = ev.target;
    if (t && (t.tagName === "TEXTAREA" || t.isContentEditable ||
              (t.tagName === "INPUT" && t.type !== "radio" && t.type !== "checkbox"))) return;
    var key = ev.key;
    if (key === "n" || key === "p") {
      var link = document.getElementById(key === "n" ? "next-nominee" : "prev-nominee");
      if (link) { ev.preventDefault(); window.location.href = link.href; }
      return;
    }
    var thai = "๐๑๒๓๔๕๖๗๘๙".indexOf(key);
    var digit = /^[0-9]$/.test(key) ? +key : (thai >= 0 ? thai : null);
    if (digit === null || readOnly) return;
    var fs = t && t.closest ? t.closest("fieldset.criterion") : null;
    if (!fs) return;
    var radio = fs.querySelector('input[type=radio][value="' + digit + '"]');
    if (!radio || radio.disabled) return;
    ev.preventDefault();
    radio.focus();
    if (!radio.checked) radio.click();
  });

  window.addEventListener("online", function () { showPending(); send(); });
  window.addEventListener("offline", showPending);
  setInterval(function () { if (navigator.onLine) send(); }, RETRY_MS);

  updateTotal();
  showPending();
  if (navigator.onLine) send();
})();
