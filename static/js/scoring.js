// fairapp judging: the scoring page. Live weighted total, autosave of each criterion through the page's
// offline queue (queue.js: one queued value per criterion, the latest wins, sent in order), and the
// keyboard as the help on the page says:
//   Tab / Shift+Tab    from a criterion's levels to the next / previous criterion's levels
//   arrows, 0-9        choose a level of the criterion holding the focus (digits: never in a text box)
//   c, Esc             into this criterion's comment box, and back to its levels
//   n / p              next / previous nominee (unless turned off by the #letter-shortcuts checkbox)
// A digit typed in a comment box is text, as in any text box.
(function () {
  "use strict";

  var COMMENT_PAUSE_MS = 1000;

  var form = document.getElementById("score-form");
  if (!form || !window.FairQueue) return;
  var d = form.dataset;
  var readOnly = d.readOnly === "1";
  var legacyKey = "fairapp:scores:" + d.queueScope;  // the key before the one queue scheme

  function digits(text) {
    return d.thaiDigits ? String(text).replace(/[0-9]/g, function (c) { return "๐๑๒๓๔๕๖๗๘๙"[+c]; }) : String(text);
  }

  function fieldsets() { return Array.prototype.slice.call(form.querySelectorAll("fieldset.criterion")); }
  function fieldset(id) { return document.getElementById("criterion-" + id); }
  function radio(fs, value) { return fs.querySelector('input[type=radio][value="' + value + '"]'); }
  function commentBox(fs) { return fs.querySelector("textarea"); }
  function commentOf(fs) { return commentBox(fs).value; }

  function valueOf(fs) {
    var r = fs.querySelector("input[type=radio]:checked");
    return r ? parseInt(r.value, 10) : null;
  }

  function say(fs, text, cls) {
    if (!fs) return;
    var s = fs.querySelector(".crit-status");
    s.textContent = text || "";
    s.className = "crit-status" + (cls ? " " + cls : "");
    fs.classList.toggle("has-error", cls === "error");
  }

  // ---- the live total: sum of weight * (v - min) / (max - min) over the scored criteria, out of 100 ----
  // Exact (a fraction of integers), rounded once to 2 places, halves up, as the server's figure is
  // (judging/scoring.py running_total): 26.325 shows 26.33 here and there, where adding up in floating
  // point gives 26.324999... and 26.32.

  function gcd(a, b) { while (b) { var t = a % b; a = b; b = t; } return a; }

  function twoPlaces(num, den) {  // num / den >= 0, to 2 places, halves up
    var q = Math.floor((200 * num + den) / (2 * den));
    var cents = String(q % 100);
    return Math.floor(q / 100) + "." + (cents.length < 2 ? "0" + cents : cents);
  }

  function updateTotal() {
    var num = 0, den = 1, scored = 0;
    fieldsets().forEach(function (fs) {
      var v = valueOf(fs);
      var min = +fs.dataset.min, max = +fs.dataset.max, w = +fs.dataset.weight;
      fs.classList.toggle("needs-comment", v !== null && v === min);
      if (v === null) return;
      scored += 1;
      num = num * (max - min) + w * (v - min) * den;
      den = den * (max - min);
      var g = gcd(num, den);
      num /= g;
      den /= g;
    });
    var out = document.getElementById("live-total");
    if (out) out.textContent = digits(twoPlaces(num, den));
    var count = document.getElementById("scored-count");
    if (count && d.msgScored) {
      count.textContent = d.msgScored.replace("{n}", digits(scored)).replace("{m}", digits(fieldsets().length));
    }
  }

  // ---- autosave through the queue ----

  var queue = null;
  if (readOnly) {
    FairQueue.forget("score", d.queueScope, [legacyKey]);
  } else {
    queue = new FairQueue({
      kind: "score", scope: d.queueScope, url: d.saveUrl, status: document.getElementById("save-state"),
      csrf: (form.querySelector("input[name=csrf_token]") || {}).value,
      legacy: [{key: legacyKey, convert: function (kept) {
        return Object.keys(kept || {}).map(function (id) {
          return {key: id, data: {criterion_id: +id, value: kept[id].value, comment: kept[id].comment || ""}};
        });
      }}],
      payload: function (item) {
        return {criterion_id: item.data.criterion_id, value: item.data.value, comment: item.data.comment,
                client_id: item.id};
      },
      // What this browser kept and the server has not confirmed comes back first (what the page already
      // shows from the server is not sent again).
      restore: function (item) {
        var fs = fieldset(item.key), data = item.data || {};
        var r = fs && radio(fs, data.value);
        if (!r || (valueOf(fs) === data.value && commentOf(fs) === (data.comment || ""))) return false;
        r.checked = true;
        commentBox(fs).value = data.comment || "";
        say(fs, d.msgWaiting, "pending");
      },
      onSaved: function (item, body, q) {
        if (!q.pending(item.key)) say(fieldset(item.key), body.message || d.msgSaved, "ok");
      },
      onRefused: function (item, message, body, q) {
        if (!q.pending(item.key)) say(fieldset(item.key), message || d.msgError, "error");
      },
      onState: function (state, q) {  // the criteria still waiting say why
        q.items().forEach(function (item) { say(fieldset(item.key), pendingText(state), "pending"); });
      }
    });
  }

  function pendingText(state) { return state === "saving" || state === "saved" ? d.msgSaving : d.msgWaiting; }

  function enqueue(fs, delay) {
    if (!queue) return;
    var v = valueOf(fs);
    if (v === null) return;
    var id = fs.dataset.criterionId, comment = commentOf(fs);
    if (v === +fs.dataset.min && !comment.trim()) {
      queue.cancel(id);  // an older value of this criterion must not be sent behind the page's back
      say(fs, d.msgComment, "warn");
      return;
    }
    queue.put(id, {criterion_id: +id, value: v, comment: comment}, {delay: delay || 0});
    say(fs, pendingText(queue.state()), "pending");
  }

  form.addEventListener("change", function (ev) {
    var fs = ev.target.closest("fieldset.criterion");
    if (!fs) return;
    updateTotal();
    if (ev.target.type === "radio") enqueue(fs);
  });

  form.addEventListener("input", function (ev) {
    if (ev.target.tagName !== "TEXTAREA") return;
    enqueue(ev.target.closest("fieldset.criterion"), COMMENT_PAUSE_MS);
  });

  form.addEventListener("focusout", function (ev) {
    if (ev.target.tagName !== "TEXTAREA" || !queue) return;
    var id = ev.target.closest("fieldset.criterion").dataset.criterionId;
    if (queue.pending(id)) queue.flush(id);
  });

  // ---- the keyboard ----

  function typing(t) {
    return t && (t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable ||
                 (t.tagName === "INPUT" && t.type !== "radio" && t.type !== "checkbox"));
  }

  function focusLevels(fs) {
    var r = fs.querySelector("input[type=radio]:checked") || fs.querySelector("input[type=radio]");
    if (!r || r.disabled) return false;
    r.focus();
    return true;
  }

  function digitOf(ev) {  // 4, ๔, or the 4 key whatever the layout (the Thai layout's number row is not digits)
    if (/^[0-9]$/.test(ev.key)) return +ev.key;
    var thai = "๐๑๒๓๔๕๖๗๘๙".indexOf(ev.key);
    if (thai >= 0 && ev.key.length === 1) return thai;
    var m = /^(?:Digit|Numpad)([0-9])$/.exec(ev.code || "");
    return m && !ev.shiftKey ? +m[1] : null;
  }

  function letter(ev, latin) {  // n, p, c whatever the layout (Thai: ื ย แ)
    return ev.key === latin || ev.code === "Key" + latin.toUpperCase();
  }

  // n / p can be turned off (a checkbox in the help, remembered on this device): single-letter shortcuts
  // that work anywhere on the page get in the way of speech input and of stray key presses.
  var LETTERS_KEY = "fairapp:scoring:letter-shortcuts";
  var lettersBox = document.getElementById("letter-shortcuts");
  function stored() { try { return window.localStorage.getItem(LETTERS_KEY); } catch (e) { return null; } }
  function lettersOn() { return lettersBox ? lettersBox.checked : stored() !== "off"; }
  if (lettersBox) {
    lettersBox.checked = stored() !== "off";
    lettersBox.addEventListener("change", function () {
      try { window.localStorage.setItem(LETTERS_KEY, lettersBox.checked ? "on" : "off"); } catch (e) { /* private mode */ }
    });
  }

  document.addEventListener("keydown", function (ev) {
    if (ev.ctrlKey || ev.altKey || ev.metaKey || ev.defaultPrevented) return;
    var t = ev.target;
    var fs = t && t.closest ? t.closest("fieldset.criterion") : null;
    if (fs && t.tagName === "TEXTAREA" && ev.key === "Escape") {
      if (focusLevels(fs)) ev.preventDefault();
      return;
    }
    if (typing(t)) return;  // a text box gets its keys as typed

    if (ev.key === "Tab" && fs && t.type === "radio") {
      var all = fieldsets(), at = all.indexOf(fs);
      var to = all[at + (ev.shiftKey ? -1 : 1)];
      if (to && focusLevels(to)) { ev.preventDefault(); return; }
      if (!to && !ev.shiftKey) {  // past the last criterion: on to what follows the criteria
        var after = form.querySelector(".actions button");
        if (after) { ev.preventDefault(); after.focus(); }
      }
      return;
    }
    if (!ev.shiftKey && (letter(ev, "n") || letter(ev, "p"))) {
      if (!lettersOn()) return;  // turned off on the page (WCAG 2.1.4)
      var link = document.getElementById(letter(ev, "n") ? "next-nominee" : "prev-nominee");
      if (link) { ev.preventDefault(); window.location.href = link.href; }
      return;
    }
    if (!fs) return;
    if (!ev.shiftKey && letter(ev, "c")) {
      var box = commentBox(fs);
      if (box && !box.readOnly) { ev.preventDefault(); box.focus(); }
      return;
    }
    var digit = digitOf(ev);
    if (digit === null || readOnly) return;
    var r = radio(fs, digit);
    if (!r || r.disabled) return;
    ev.preventDefault();
    r.focus();
    if (!r.checked) r.click();
  });

  updateTotal();
})();
