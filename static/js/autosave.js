// Nomination narratives: each section is saved as you type (after a pause) through the page's offline
// queue (queue.js), so a dropped connection or a lost session loses nothing: the text is kept in this
// browser and sent when the network (or the sign-in) is back. Also counts characters.
(function () {
  "use strict";
  var PAUSE_MS = 1500;
  var form = document.getElementById("narrative-form");
  if (!form || !form.dataset.autosave || !window.FairQueue) return;
  var d = form.dataset;
  var legacy = ["fairapp:narratives:" + d.autosave];  // the key before the one queue scheme
  var status = document.getElementById("save-state");

  function area(section) { return form.querySelector('textarea[data-section="' + section + '"]'); }

  function counter(field) {
    var c = form.querySelector('.counter[data-for="' + field.id + '"]');
    if (c) c.textContent = field.value.length + " / " + c.dataset.max;
  }

  function note(section, message) {  // a refusal under its section, until the section changes again
    var field = area(section);
    var p = field && document.getElementById(field.id + "-refused");
    if (!p) return;
    p.textContent = message || "";
    p.hidden = !message;
    field.closest(".field").classList.toggle("has-error", !!message);
  }

  var fields = form.querySelectorAll("textarea[data-section]");
  Array.prototype.forEach.call(fields, counter);
  if (!status) {  // not editable: nothing to save from here, and nothing kept for it is worth sending
    FairQueue.forget("narrative", d.queueScope, legacy);
    return;
  }

  var queue = new FairQueue({
    kind: "narrative", scope: d.queueScope, url: d.autosave, status: status,
    csrf: (form.querySelector("input[name=csrf_token]") || {}).value,
    legacy: [{key: legacy[0], convert: function (kept) {
      return Object.keys(kept || {}).map(function (section) {
        var data = {};
        data[section] = String(kept[section]);
        return {key: section, data: data};
      });
    }}],
    // What this browser kept and the server has not confirmed comes back first; what the server already
    // has (the page shows it) is not sent again.
    restore: function (item) {
      var field = area(item.key), text = item.data && item.data[item.key];
      if (!field || field.readOnly || typeof text !== "string" || text === field.value) return false;
      field.value = text;
      counter(field);
    },
    onRefused: function (item, message) { note(item.key, message || status.dataset.qRefused); }
  });

  Array.prototype.forEach.call(fields, function (field) {
    field.addEventListener("input", function () {
      counter(field);
      if (field.readOnly) return;
      var data = {};
      data[field.dataset.section] = field.value;
      note(field.dataset.section, "");
      queue.put(field.dataset.section, data, {delay: PAUSE_MS});
    });
    field.addEventListener("blur", function () { if (queue.pending(field.dataset.section)) queue.flush(field.dataset.section); });
  });
})();
