// fairapp: the one offline queue of the pages that save in the background (check-in scans, narrative
// autosave, scores). Used as `new FairQueue({...})`; no build step, no dependencies.
//
// Every change is first written to localStorage (key `fairapp:q:v1:<kind>:<scope>`), then sent, one
// request at a time and in order. A newer value for the same key (a narrative section, a criterion)
// replaces an older one that is not yet sent. An item leaves the queue only when the server has answered
// it: 2xx {ok: true} (a 2xx without `ok` counts too) is saved; another 4xx with the JSON envelope
// {ok: false, code, message} is a refusal (shown, then dropped). Everything else keeps it:
//   - no network, a timeout, 5xx, 429: "waiting for network", retried with backoff and on `online`;
//   - 401 login_required (or a CSRF failure while signed out): "needs sign-in", with a link that opens
//     the login in a new tab; /session is polled (and asked on focus) and the queue resumes once signed in;
//   - 400 csrf: the token is renewed from /session and the item sent again, once.
// The state element (see templates/_queue.html) carries the translated labels in data-q-* attributes and
// is an aria-live region: saved / saving / offline / signin / refused.
(function () {
  "use strict";

  var PREFIX = "fairapp:q:v1:";
  var DEFAULTS = {timeoutMs: 15000, backoffMs: [2000, 4000, 8000, 15000, 30000, 60000], signinPollMs: 4000};

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    // crypto.randomUUID needs a secure context; getRandomValues does not (plain http on the fair's LAN).
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function thaiDigits(text) {
    return String(text).replace(/[0-9]/g, function (d) { return "๐๑๒๓๔๕๖๗๘๙"[+d]; });
  }

  function storageKey(kind, scope) { return PREFIX + kind + ":" + scope; }

  function removeKey(key) {
    try { localStorage.removeItem(key); } catch (e) { /* no storage */ }
  }

  function isJson(response) {
    return (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
  }

  function FairQueue(options) {
    var self = this;
    var o = self.options = options;
    var overrides = window.fairQueueOptions || {};  // timings only (the browser tests shorten them)
    self.timeoutMs = overrides.timeoutMs || o.timeoutMs || DEFAULTS.timeoutMs;
    self.backoffMs = overrides.backoffMs || DEFAULTS.backoffMs;
    self.signinPollMs = overrides.signinPollMs || DEFAULTS.signinPollMs;
    self.key = storageKey(o.kind, o.scope);
    self.el = o.status || null;
    var d = self.el ? self.el.dataset : {};
    self.labels = {saved: d.qSaved, saving: d.qSaving, offline: d.qOffline, signin: d.qSignin,
                   refused: d.qRefused, pending: d.qPending || "{n}"};
    self.digits = d.qThaiDigits === "1";
    self.sessionUrl = o.sessionUrl || d.qSessionUrl || "/session";
    self.loginUrl = d.qLoginUrl || "/login";
    self.csrf = o.csrf || "";
    self.memory = null;       // the queue when localStorage is unavailable (private mode, storage full)
    self.inflight = null;     // the id of the item being sent: one request at a time
    self.netDown = false;     // the last attempt failed for want of a network (or the server's health)
    self.signedOut = false;
    self.refusal = null;      // the message of the last refused item, shown until the next change
    self.attempt = 0;
    self.timer = null;
    self.pollTimer = null;
    self.shown = null;
    (o.legacy || []).forEach(function (old) { self.migrate(old.key, old.convert); });
    // The page puts back what was kept (its inputs show the unsent values) and drops what it no longer needs.
    if (o.restore) {
      self.save(self.items().filter(function (item) {
        try { return o.restore(item) !== false; } catch (e) { return false; }  // unreadable: dropped
      }));
    }

    window.addEventListener("online", function () { self.netDown = false; self.attempt = 0; self.kick(); });
    window.addEventListener("offline", function () { self.render(); });
    window.addEventListener("storage", function (event) {  // another tab of the same page changed the queue
      if (event.key === self.key) { self.changed(); self.render(); }
    });
    var wake = function () { if (self.signedOut) self.checkSession(); };
    window.addEventListener("focus", wake);
    document.addEventListener("visibilitychange", function () { if (!document.hidden) wake(); });
    FairQueue.all.push(self);
    if (self.el) self.el.hidden = false;
    self.kick();
  }

  FairQueue.all = [];
  FairQueue.uuid = uuid;
  FairQueue.storageKey = storageKey;
  /** Forget a page's queue (and its keys from before the one scheme) without sending it. */
  FairQueue.forget = function (kind, scope, legacyKeys) {
    removeKey(storageKey(kind, scope));
    (legacyKeys || []).forEach(removeKey);
  };

  // ---- the stored items: [{id, key, data, due}] ----

  FairQueue.prototype.items = function () {
    if (this.memory) return this.memory.slice();
    try {
      var items = JSON.parse(localStorage.getItem(this.key) || "[]");
      return Array.isArray(items) ? items : [];
    } catch (e) {
      return [];
    }
  };

  FairQueue.prototype.save = function (items) {
    try {
      if (items.length) localStorage.setItem(this.key, JSON.stringify(items));
      else localStorage.removeItem(this.key);
      this.memory = null;
    } catch (e) {
      this.memory = items.slice();  // kept for as long as the page is open
    }
    this.changed();
  };

  FairQueue.prototype.changed = function () {
    if (this.options.onChange) this.options.onChange(this.items());
  };

  // A key of the old per-page schemes: its items join this queue and the key goes.
  FairQueue.prototype.migrate = function (oldKey, convert) {
    var raw;
    try { raw = localStorage.getItem(oldKey); } catch (e) { return; }
    if (raw === null) return;
    var items = this.items();
    try {
      (convert(JSON.parse(raw)) || []).forEach(function (item) {
        items.push({id: item.id || uuid(), key: item.key == null ? null : String(item.key), data: item.data, due: 0});
      });
      this.save(items);
    } catch (e) { /* unreadable: dropped */ }
    removeKey(oldKey);
  };

  /** Queue a value (a scan, a section's text, a criterion's score); `key` null never replaces another. */
  FairQueue.prototype.put = function (key, data, opts) {
    var self = this;
    opts = opts || {};
    key = key == null ? null : String(key);
    var items = self.items().filter(function (i) {
      return key === null || i.key !== key || i.id === self.inflight;
    });
    var item = {id: opts.id || uuid(), key: key, data: data, due: Date.now() + (opts.delay || 0)};
    items.push(item);
    self.save(items);
    self.refusal = null;
    self.kick();
    return item;
  };

  /** The unsent item for a key (null when there is none). */
  FairQueue.prototype.pending = function (key) {
    key = String(key);
    var found = null;
    this.items().forEach(function (i) { if (i.key === key) found = i; });
    return found;
  };

  /** Send the item for a key now rather than after its pause (e.g. when leaving a comment box). */
  FairQueue.prototype.flush = function (key) {
    var items = this.items();
    items.forEach(function (i) { if (i.key === String(key)) i.due = 0; });
    this.save(items);
    this.kick();
  };

  /** Take back the unsent value of a key (the page no longer wants it sent). */
  FairQueue.prototype.cancel = function (key) {
    var self = this;
    self.save(self.items().filter(function (i) { return i.key !== String(key) || i.id === self.inflight; }));
    self.kick();
  };

  FairQueue.prototype.drop = function (id) {
    this.save(this.items().filter(function (i) { return i.id !== id; }));
    this.render();
  };

  // ---- sending ----

  FairQueue.prototype.kick = function () {
    var self = this;
    clearTimeout(self.timer);
    self.timer = null;
    if (self.inflight || self.signedOut) { self.render(); return; }
    var items = self.items();
    if (items.length && navigator.onLine === false) self.netDown = true;  // the online event kicks
    else if (items.length) {
      var wait = (items[0].due || 0) - Date.now();
      if (wait > 0) self.timer = setTimeout(function () { self.kick(); }, wait);
      else self.send(items[0], false);
    }
    self.render();
  };

  FairQueue.prototype.send = function (item, renewed) {
    var self = this;
    var o = self.options;
    self.inflight = item.id;
    // A request that hangs (a half-dead network) must not block the queue for good.
    var abort = window.AbortController ? new AbortController() : null;
    var timeout = setTimeout(function () { if (abort) abort.abort(); }, self.timeoutMs);
    fetch(typeof o.url === "function" ? o.url(item) : o.url, {
      method: "POST", credentials: "same-origin", redirect: "manual", cache: "no-store",
      headers: {"Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": self.csrf},
      body: JSON.stringify(o.payload ? o.payload(item) : item.data),
      signal: abort ? abort.signal : undefined
    }).then(function (response) {
      var body = isJson(response) ? response.json().catch(function () { return null; }) : Promise.resolve(null);
      return body.then(function (json) { return {status: response.status, redirected: response.type === "opaqueredirect", body: json}; });
    }).then(function (res) {
      clearTimeout(timeout);
      self.answer(item, res, renewed);
    }, function () {
      clearTimeout(timeout);
      self.inflight = null;
      self.failed();
    });
  };

  FairQueue.prototype.answer = function (item, res, renewed) {
    var self = this;
    var status = res.status, body = res.body;
    if (res.redirected || status === 401 || (body && body.code === "login_required")) {
      self.inflight = null;
      self.lostSession(body && body.login_url);
      return;
    }
    if (status === 400 && body && body.code === "csrf") {  // a stale token: a fresh one, then once more
      if (renewed) { self.inflight = null; self.failed(); return; }
      self.session().then(function (state) {
        if (state && state.signed_in) { self.send(item, true); return; }
        self.inflight = null;
        if (state) self.lostSession(); else self.failed();
      });
      return;
    }
    self.inflight = null;
    var answered = status >= 200 && status < 300;
    var ok = answered && body && body.ok !== false;
    // A refusal: {ok: false} on a 2xx, or a 4xx (not 408/429) in the envelope. Anything else (5xx, 429,
    // a page that is not ours, a proxy's error) is kept and tried again.
    var refused = body && ((answered && body.ok === false) ||
                           (status >= 400 && status < 500 && status !== 408 && status !== 429 &&
                            (body.ok === false || body.message)));
    if (!ok && !refused) { self.failed(); return; }
    self.netDown = false;
    self.attempt = 0;
    self.save(self.items().filter(function (i) { return i.id !== item.id; }));
    if (ok) {
      if (self.options.onSaved) self.options.onSaved(item, body, self);
    } else {
      var message = (body && body.message) || "";
      self.refusal = message || " ";
      if (self.options.onRefused) self.options.onRefused(item, message, body, self);
    }
    self.kick();
  };

  FairQueue.prototype.failed = function () {
    var self = this;
    self.netDown = true;
    var wait = self.backoffMs[Math.min(self.attempt, self.backoffMs.length - 1)];
    self.attempt += 1;
    self.render();
    clearTimeout(self.timer);
    self.timer = setTimeout(function () { self.kick(); }, wait);
  };

  // ---- the session ----

  /** GET /session: {ok, signed_in, csrf_token}; the token is taken. null when it cannot be reached. */
  FairQueue.prototype.session = function () {
    var self = this;
    var abort = window.AbortController ? new AbortController() : null;
    var timeout = setTimeout(function () { if (abort) abort.abort(); }, self.timeoutMs);
    return fetch(self.sessionUrl, {credentials: "same-origin", cache: "no-store", headers: {"Accept": "application/json"},
                                   signal: abort ? abort.signal : undefined})
      .then(function (r) { return r.ok && isJson(r) ? r.json() : null; })
      .then(function (state) {
        clearTimeout(timeout);
        if (state && state.csrf_token) self.csrf = state.csrf_token;
        return state;
      }, function () { clearTimeout(timeout); return null; });
  };

  FairQueue.prototype.lostSession = function (loginUrl) {
    var self = this;
    if (loginUrl) self.loginUrl = loginUrl;
    self.signedOut = true;
    clearTimeout(self.timer);
    self.render();
    if (!self.pollTimer) self.pollTimer = setInterval(function () { self.checkSession(); }, self.signinPollMs);
  };

  FairQueue.prototype.checkSession = function () {
    var self = this;
    return self.session().then(function (state) {
      if (!state || !state.signed_in || !self.signedOut) return;
      self.signedOut = false;
      clearInterval(self.pollTimer);
      self.pollTimer = null;
      self.attempt = 0;
      self.kick();
    });
  };

  // ---- what the page shows ----

  FairQueue.prototype.state = function () {
    var n = this.items().length;
    if (this.signedOut) return "signin";
    if (navigator.onLine === false || (n && this.netDown)) return "offline";
    if (this.refusal) return "refused";
    return n ? "saving" : "saved";
  };

  FairQueue.prototype.render = function () {
    var state = this.state();
    var n = this.items().length;
    var changed = state !== (this.shown && this.shown.state);
    if (this.el) {
      var text = this.labels[state] || "";
      if (state === "refused" && this.refusal.trim()) text += " " + this.refusal;
      var count = n ? this.labels.pending.replace("{n}", this.digits ? thaiDigits(n) : n) : "";
      var shown = {state: state, text: text, count: count};
      if (!this.shown || shown.text !== this.shown.text || count !== this.shown.count) {
        this.el.setAttribute("data-state", state);
        this.el.setAttribute("data-pending", String(n));
        this.el.querySelector(".qstate-text").textContent = text;
        this.el.querySelector(".qstate-count").textContent = count;
        var link = this.el.querySelector(".qstate-login");
        if (link) { link.hidden = state !== "signin"; link.href = this.loginUrl; }
      }
      this.shown = shown;
    } else {
      this.shown = {state: state};
    }
    if (changed && this.options.onState) this.options.onState(state, this);
  };

  window.FairQueue = FairQueue;
})();
