// fairapp check-in: the staff scanning page (camera QR or booth code, offline queue) and the live dashboard.
//
// Every scan is first written to a queue in localStorage with an id made here (client_id) and the
// time it was scanned, then sent. A scan leaves the queue only when the server has answered it
// (checked_in, already, refused, or a request that can never succeed); a network failure keeps it,
// and the queue is sent again when the browser comes back online and every few seconds. The server
// records each client_id once, so a scan sent twice is still counted once.
(function () {
  "use strict";

  var RETRY_MS = 5000;
  var STATS_MS = 15000;
  var SAME_QR_MS = 4000;   // the camera sees the same pass many times a second: one scan per showing
  var LOG_MAX = 40;

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    // crypto.randomUUID needs a secure context; getRandomValues does not (plain http on the fair's LAN).
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function readJSON(key, fallback) {
    try {
      var value = JSON.parse(localStorage.getItem(key));
      return Array.isArray(value) ? value : fallback;
    } catch (e) {
      return fallback;
    }
  }

  function writeJSON(key, value) {
    try { localStorage.setItem(key, JSON.stringify(value)); } catch (e) { /* storage full: kept in memory */ }
  }

  function digitsTh(text, on) {
    return on ? String(text).replace(/[0-9]/g, function (d) { return "๐๑๒๓๔๕๖๗๘๙"[+d]; }) : String(text);
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  // ---- the scanning page ----

  function Scanner(root) {
    this.root = root;
    this.d = root.dataset;
    this.csrf = this.d.csrf;
    this.queueKey = this.d.queueKey + ".queue";
    this.logKey = this.d.queueKey + ".log";
    this.sending = false;
    this.memoryQueue = null;  // used only when localStorage is unavailable
    this.lastQr = {data: null, at: 0};
    this.stream = null;
  }

  Scanner.prototype.queue = function () {
    return this.memoryQueue || readJSON(this.queueKey, []);
  };

  Scanner.prototype.saveQueue = function (items) {
    writeJSON(this.queueKey, items);
    if (readJSON(this.queueKey, null) === null) this.memoryQueue = items;
    this.showCount();
  };

  Scanner.prototype.showCount = function () {
    document.getElementById("queue-count").textContent = digitsTh(this.queue().length, this.d.thaiDigits);
  };

  Scanner.prototype.setOnline = function (online) {
    var state = document.getElementById("net-state");
    state.textContent = online ? this.d.msgOnline : this.d.msgOffline;
    document.getElementById("net").classList.toggle("offline", !online);
  };

  // The log: what this phone scanned, newest first, kept across reloads.
  Scanner.prototype.log = function (entry) {
    var log = readJSON(this.logKey, []).filter(function (e) { return e.client_id !== entry.client_id; });
    log.unshift(entry);
    writeJSON(this.logKey, log.slice(0, LOG_MAX));
    this.renderLog();
  };

  Scanner.prototype.renderLog = function () {
    var list = document.getElementById("scan-log");
    list.textContent = "";
    readJSON(this.logKey, []).forEach(function (e) {
      var item = el("li", "scan scan-" + e.state);
      item.setAttribute("data-client-id", e.client_id);
      item.appendChild(el("strong", null, e.label));
      item.appendChild(el("span", "scan-message", e.message));
      item.appendChild(el("time", "muted", e.time));
      list.appendChild(item);
    });
  };

  Scanner.prototype.showResult = function (state, message) {
    var box = document.getElementById("last-result");
    box.hidden = false;
    box.className = "result result-" + state;
    box.textContent = message;
  };

  Scanner.prototype.add = function (what) {
    var now = new Date();
    var item = {client_id: uuid(), scanned_at: now.toISOString()};
    var label;
    if (what.token) {
      item.token = what.token;
      label = this.d.msgQr;
    } else {
      item.booth_code = what.code;
      label = this.d.msgBooth + " " + what.code;
    }
    item.label = label;
    var items = this.queue();
    items.push(item);
    this.saveQueue(items);
    // Fair time (Bangkok), whatever the phone's time zone, as the server's messages are.
    var time = now.toLocaleTimeString(document.documentElement.lang === "en" ? "en-GB" : "th-TH",
                                      {hour: "2-digit", minute: "2-digit", timeZone: "Asia/Bangkok"});
    this.log({client_id: item.client_id, label: label, state: "queued", message: this.d.msgQueued, time: time});
    this.showResult("queued", label + ": " + this.d.msgQueued);
    if (navigator.vibrate) navigator.vibrate(80);
    this.send();
  };

  Scanner.prototype.finish = function (item, body) {
    var items = this.queue().filter(function (i) { return i.client_id !== item.client_id; });
    this.saveQueue(items);
    var state = body.result === "error" ? "refused" : body.result;
    var label = body.booth ? this.d.msgBooth + " " + body.booth : item.label;
    var old = readJSON(this.logKey, []).filter(function (e) { return e.client_id === item.client_id; })[0];
    this.log({client_id: item.client_id, label: label, state: state, message: body.message,
              time: old ? old.time : ""});
    this.showResult(state, body.message);
  };

  // Send the queue in order, one at a time; stop at the first failure and try again later.
  Scanner.prototype.send = function () {
    var self = this;
    if (self.sending) return;
    var items = self.queue();
    if (!items.length) return;
    if (navigator.onLine === false) { self.setOnline(false); return; }
    self.sending = true;
    var item = items[0];
    // A request that hangs (a half-dead network) must not block the queue for good.
    var abort = window.AbortController ? new AbortController() : null;
    var timeout = setTimeout(function () { if (abort) abort.abort(); }, 15000);
    var payload = {client_id: item.client_id, scanned_at: item.scanned_at};
    if (item.token) payload.token = item.token; else payload.booth_code = item.booth_code;
    fetch(self.d.scanUrl, {
      method: "POST", credentials: "same-origin", redirect: "manual",
      headers: {"Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": self.csrf},
      body: JSON.stringify(payload), signal: abort ? abort.signal : undefined
    }).then(function (response) {
      self.setOnline(true);
      if (response.type === "opaqueredirect" || response.status === 401) {
        self.showResult("error", self.d.msgSignedOut);
        return false;
      }
      var json = (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
      return (json ? response.json() : Promise.resolve({})).then(function (body) {
        if (body && body.result) {         // answered: done with this scan, whatever the answer
          self.finish(item, body);
          return true;
        }
        if (response.status === 400) {     // the CSRF token expired: fetch a fresh one and try again
          self.refreshStats(true);
        }
        self.showResult("error", (body && body.message) || self.d.msgRetry);
        return false;
      });
    }, function () {
      self.setOnline(false);
      return false;
    }).then(function (more) {
      clearTimeout(timeout);
      self.sending = false;
      if (more && self.queue().length) self.send();
      else if (more) self.refreshStats();  // the queue is sent: show the new count
    }, function () {
      clearTimeout(timeout);
      self.sending = false;
    });
  };

  Scanner.prototype.refreshStats = function (thenSend) {
    var self = this;
    if (navigator.onLine === false) return;
    fetch(self.d.statsUrl, {credentials: "same-origin", redirect: "manual", headers: {"Accept": "application/json"}})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (stats) {
        if (!stats) return;
        var renewed = stats.csrf_token && stats.csrf_token !== self.csrf;
        if (stats.csrf_token) self.csrf = stats.csrf_token;
        document.getElementById("progress-text").textContent = stats.text;
        if (thenSend && renewed) self.send();
      })
      .catch(function () { /* offline: the next round */ });
  };

  // What a QR holds: our token, or a link that carries it (?pass=...).
  function tokenFrom(data) {
    data = (data || "").trim();
    var match = /[?&]pass=([^&#]+)/.exec(data);
    return match ? decodeURIComponent(match[1]) : data;
  }

  Scanner.prototype.startCamera = function () {
    var self = this;
    var error = document.getElementById("camera-error");
    error.hidden = true;
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia || !window.jsQR) {
      error.textContent = self.d.msgNoCamera;
      error.hidden = false;
      return;
    }
    navigator.mediaDevices.getUserMedia({video: {facingMode: "environment"}, audio: false})
      .then(function (stream) {
        self.stream = stream;
        var video = document.getElementById("camera");
        video.srcObject = stream;
        video.setAttribute("playsinline", "");
        document.getElementById("viewfinder").hidden = false;
        document.getElementById("camera-start").hidden = true;
        return video.play().then(function () { self.scanLoop(video); });
      })
      .catch(function (e) {
        error.textContent = (e && e.name === "NotAllowedError") ? self.d.msgCameraDenied : self.d.msgNoCamera;
        error.hidden = false;
      });
  };

  Scanner.prototype.stopCamera = function () {
    if (this.stream) this.stream.getTracks().forEach(function (t) { t.stop(); });
    this.stream = null;
    document.getElementById("viewfinder").hidden = true;
    document.getElementById("camera-start").hidden = false;
  };

  Scanner.prototype.scanLoop = function (video) {
    var self = this;
    var canvas = document.createElement("canvas");
    var ctx = canvas.getContext("2d", {willReadFrequently: true});
    var busy = false;
    var timer = setInterval(function () {
      if (!self.stream) { clearInterval(timer); return; }
      if (busy || video.readyState < 2 || !video.videoWidth) return;
      busy = true;
      // Decode a frame scaled to at most 640 px wide: plenty for a pass held up to the phone.
      var scale = Math.min(1, 640 / video.videoWidth);
      canvas.width = Math.round(video.videoWidth * scale);
      canvas.height = Math.round(video.videoHeight * scale);
      ctx.drawImage(video, 0, 0, canvas.width, canvas.height);
      var image = ctx.getImageData(0, 0, canvas.width, canvas.height);
      var code = window.jsQR(image.data, image.width, image.height, {inversionAttempts: "dontInvert"});
      busy = false;
      if (!code || !code.data) return;
      var now = Date.now();
      if (code.data === self.lastQr.data && now - self.lastQr.at < SAME_QR_MS) {
        self.lastQr.at = now;
        return;
      }
      self.lastQr = {data: code.data, at: now};
      self.add({token: tokenFrom(code.data)});
    }, 150);
  };

  Scanner.prototype.start = function () {
    var self = this;
    self.showCount();
    self.renderLog();
    self.setOnline(navigator.onLine !== false);
    document.getElementById("code-form").addEventListener("submit", function (event) {
      event.preventDefault();
      var input = document.getElementById("booth-code");
      var code = input.value.replace(/\s+/g, "").toUpperCase();
      if (!code) { input.focus(); return; }
      input.value = "";
      self.add({code: code});
      input.focus();
    });
    document.getElementById("camera-start").addEventListener("click", function () { self.startCamera(); });
    document.getElementById("camera-stop").addEventListener("click", function () { self.stopCamera(); });
    window.addEventListener("online", function () { self.setOnline(true); self.send(); self.refreshStats(); });
    window.addEventListener("offline", function () { self.setOnline(false); });
    window.addEventListener("storage", function (event) {  // another tab changed the queue or the log
      if (event.key === self.queueKey) self.showCount();
      if (event.key === self.logKey) self.renderLog();
    });
    setInterval(function () { self.send(); }, RETRY_MS);
    setInterval(function () { self.refreshStats(); }, STATS_MS);
    self.send();
  };

  // ---- the dashboard ----

  function Dashboard(root) {
    this.root = root;
    this.d = root.dataset;
  }

  Dashboard.prototype.render = function (stats) {
    var d = this.d;
    document.getElementById("dash-total").textContent = stats.text;
    var bar = document.getElementById("dash-total-bar");
    bar.max = stats.expected || 1;
    bar.value = stats.checked_in;
    var updated = document.getElementById("dash-updated");
    updated.textContent = stats.updated;
    updated.classList.remove("stale");

    var zones = document.getElementById("dash-zones");
    var open = {};
    zones.querySelectorAll("li.zone").forEach(function (li) {
      var details = li.querySelector("details");
      if (details && details.open) open[li.getAttribute("data-zone")] = true;
    });
    zones.textContent = "";
    stats.zones.forEach(function (z) {
      var li = el("li", "zone" + (z.checked_in === z.expected ? " zone-done" : ""));
      li.setAttribute("data-zone", z.zone);
      var head = el("div", "zone-head");
      head.appendChild(el("strong", null, z.label));
      head.appendChild(el("span", null, z.text));
      li.appendChild(head);
      var bar = el("progress");
      bar.max = z.expected || 1;
      bar.value = z.checked_in;
      li.appendChild(bar);
      if (z.missing.length) {
        var details = el("details");
        details.open = !!open[z.zone];
        details.appendChild(el("summary", null, d.msgMissing + " (" + digitsTh(z.missing.length, d.thaiDigits) + ")"));
        var ul = el("ul");
        z.missing.forEach(function (m) {
          var item = el("li");
          item.appendChild(el("b", null, m.code));
          item.appendChild(document.createTextNode(" " + m.organization));
          ul.appendChild(item);
        });
        details.appendChild(ul);
        li.appendChild(details);
      } else {
        li.appendChild(el("p", "ok-text", d.msgAllHere));
      }
      zones.appendChild(li);
    });

    var recent = document.getElementById("dash-recent");
    recent.textContent = "";
    if (!stats.recent.length) recent.appendChild(el("li", "muted", d.msgNone));
    stats.recent.forEach(function (r) {
      var item = el("li");
      item.appendChild(el("b", null, r.code));
      item.appendChild(document.createTextNode(" " + r.organization + " "));
      item.appendChild(el("span", "muted", r.at + (r.by ? " · " + r.by : "")));
      recent.appendChild(item);
    });
  };

  Dashboard.prototype.refresh = function () {
    var self = this;
    fetch(self.d.statsUrl, {credentials: "same-origin", redirect: "manual", headers: {"Accept": "application/json"}})
      .then(function (r) { if (!r.ok) throw new Error(String(r.status)); return r.json(); })
      .then(function (stats) { self.render(stats); })
      .catch(function () {
        var updated = document.getElementById("dash-updated");
        updated.textContent = self.d.msgStale;
        updated.classList.add("stale");
      });
  };

  Dashboard.prototype.start = function () {
    var self = this;
    setInterval(function () { if (!document.hidden) self.refresh(); }, 5000);
    document.addEventListener("visibilitychange", function () { if (!document.hidden) self.refresh(); });
  };

  document.addEventListener("DOMContentLoaded", function () {
    var scanner = document.getElementById("checkin");
    if (scanner) {
      window.fairappCheckin = new Scanner(scanner);
      window.fairappCheckin.start();
    }
    var dashboard = document.getElementById("checkin-dashboard");
    if (dashboard) new Dashboard(dashboard).start();
  });
})();
