// fairapp check-in: the staff scanning page (camera QR or booth code, offline queue) and the live dashboard.
//
// Every scan goes into the page's offline queue (queue.js) with an id made here (client_id) and the time
// it was scanned, and is sent in order, one at a time. A scan leaves the queue only when the server has
// answered it (checked in, already, or refused); a network failure or a lost session keeps it. The
// server records each client_id once, so a scan sent twice is still counted once.
(function () {
  "use strict";

  var STATS_MS = 15000;
  var SAME_QR_MS = 4000;   // the camera sees the same pass many times a second: one scan per showing
  var LOG_MAX = 40;

  function readJSON(key, fallback) {
    try {
      var value = JSON.parse(localStorage.getItem(key));
      return Array.isArray(value) ? value : fallback;
    } catch (e) {
      return fallback;
    }
  }

  function writeJSON(key, value) {
    try { localStorage.setItem(key, JSON.stringify(value)); } catch (e) { /* storage full: not kept */ }
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
    var self = this;
    self.root = root;
    self.d = root.dataset;
    var old = "fairapp.checkin." + self.d.queueScope.replace(":", ".");  // the keys before the one scheme
    self.logKey = "fairapp:log:v1:checkin:" + self.d.queueScope;
    if (readJSON(self.logKey, null) === null && readJSON(old + ".log", null) !== null) {
      writeJSON(self.logKey, readJSON(old + ".log", []));
    }
    try { localStorage.removeItem(old + ".log"); } catch (e) { /* no storage */ }
    self.lastQr = {data: null, at: 0};
    self.stream = null;
    self.queue = new FairQueue({
      kind: "checkin", scope: self.d.queueScope, url: self.d.scanUrl, csrf: self.d.csrf,
      status: document.getElementById("save-state"),
      legacy: [{key: old + ".queue", convert: function (kept) {
        return (Array.isArray(kept) ? kept : []).map(function (scan) {
          return {id: scan.client_id, key: null, data: scan};
        });
      }}],
      payload: function (item) {
        var scan = item.data, body = {client_id: item.id, scanned_at: scan.scanned_at};
        if (scan.token) body.token = scan.token; else body.booth_code = scan.booth_code;
        return body;
      },
      onSaved: function (item, body) { self.finish(item, body.result, body.message, body.booth); },
      onRefused: function (item, message, body) { self.finish(item, "refused", message, body && body.booth); },
      onChange: function (items) {
        if (!items.length && self.started) self.refreshStats();  // the queue is sent: show the new count
      }
    });
  }

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
    var scan = {scanned_at: now.toISOString()};
    var label;
    if (what.token) {
      scan.token = what.token;
      label = this.d.msgQr;
    } else {
      scan.booth_code = what.code;
      label = this.d.msgBooth.replace("{code}", what.code);
    }
    scan.label = label;
    var id = FairQueue.uuid();
    // Fair time (Bangkok), whatever the phone's time zone, as the server's messages are.
    var time = now.toLocaleTimeString(document.documentElement.lang === "en" ? "en-GB" : "th-TH",
                                      {hour: "2-digit", minute: "2-digit", timeZone: "Asia/Bangkok"});
    this.log({client_id: id, label: label, state: "queued", message: this.d.msgQueued, time: time});
    this.showResult("queued", label + ": " + this.d.msgQueued);
    if (navigator.vibrate) navigator.vibrate(80);
    this.queue.put(null, scan, {id: id});
  };

  Scanner.prototype.finish = function (item, state, message, booth) {
    var label = booth ? this.d.msgBooth.replace("{code}", booth) : item.data.label;
    var old = readJSON(this.logKey, []).filter(function (e) { return e.client_id === item.id; })[0];
    message = message || this.d.msgRefused;
    this.log({client_id: item.id, label: label, state: state, message: message, time: old ? old.time : ""});
    this.showResult(state, message);
  };

  Scanner.prototype.refreshStats = function () {
    if (navigator.onLine === false) return;
    fetch(this.d.statsUrl, {credentials: "same-origin", redirect: "manual", headers: {"Accept": "application/json"}})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (stats) { if (stats) document.getElementById("progress-text").textContent = stats.text; })
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
    self.started = true;
    self.renderLog();
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
    window.addEventListener("online", function () { self.refreshStats(); });
    window.addEventListener("storage", function (event) {  // another tab scanned
      if (event.key === self.logKey) self.renderLog();
    });
    setInterval(function () { self.refreshStats(); }, STATS_MS);
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
        var missingCount = z.missing_count === undefined ? z.missing.length : z.missing_count;
        details.appendChild(el("summary", null, d.msgMissing + " (" + digitsTh(missingCount, d.thaiDigits) + ")"));
        var ul = el("ul");
        z.missing.forEach(function (m) {
          var item = el("li");
          item.appendChild(el("b", null, m.code));
          item.appendChild(document.createTextNode(" " + m.organization));
          ul.appendChild(item);
        });
        details.appendChild(ul);
        if (z.missing_url && missingCount > z.missing.length) {  // the first of the zone; the rest on pages
          var all = el("a", "all-missing", d.msgAllMissing + " (" + digitsTh(missingCount, d.thaiDigits) + ")");
          all.href = z.missing_url;
          var p = el("p");
          p.appendChild(all);
          details.appendChild(p);
        }
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
    if (scanner && window.FairQueue) {
      window.fairappCheckin = new Scanner(scanner);
      window.fairappCheckin.start();
    }
    var dashboard = document.getElementById("checkin-dashboard");
    if (dashboard) new Dashboard(dashboard).start();
  });
})();
