// Certificates: live template preview, batch progress, two-click kiosk printing, batch form fields.
// Every page works without this file (plain links and forms).
(function () {
  "use strict";

  // The template editor: the preview image follows the typed texts (debounced).
  function wirePreview() {
    var form = document.getElementById("template-form");
    var img = document.getElementById("preview-img");
    if (!form || !img) return;
    var pdfLink = document.getElementById("preview-pdf");
    var long = document.getElementById("preview-long");
    var base = form.getAttribute("data-preview");
    var pdfBase = pdfLink ? pdfLink.getAttribute("href") : null;
    var timer = null;
    function query() {
      var params = new URLSearchParams();
      Array.prototype.forEach.call(form.elements, function (el) {
        if (!el.name || el.type === "file" || el.name === "csrf_token" || el.type === "checkbox") return;
        if (el.type === "radio" && !el.checked) return;
        params.append(el.name, el.value);
      });
      if (long && long.checked) params.append("long", "1");
      return params.toString();
    }
    function refresh() {
      var q = query();
      img.classList.add("loading");
      img.src = base + "?" + q;
      if (pdfLink) pdfLink.href = pdfBase + "?" + q;
    }
    img.addEventListener("load", function () { img.classList.remove("loading"); });
    function later() { clearTimeout(timer); timer = setTimeout(refresh, 500); }
    form.addEventListener("input", later);
    form.addEventListener("change", later);
    if (long) long.addEventListener("change", refresh);
  }

  // A batch's page: poll its progress until it is done, then show the download; finished chunks appear
  // as they come, each printable at once.
  function wireBatch() {
    var box = document.getElementById("batch");
    if (!box) return;
    var status = box.getAttribute("data-status");
    if (status === "done" || status === "failed") return;
    var bar = document.getElementById("batch-bar");
    var done = document.getElementById("batch-done");
    var section = document.getElementById("chunks");
    var list = document.getElementById("chunk-list");
    // Each finished chunk, in order: a form that prints its pages now (the rest keeps rendering).
    function showChunks(chunks) {
      if (!list || !chunks) return;
      chunks.forEach(function (chunk) {
        if (document.getElementById("chunk-" + chunk.index)) return;
        var item = document.createElement("li");
        item.id = "chunk-" + chunk.index;
        var form = document.createElement("form");
        form.method = "post"; form.action = chunk.action;
        var token = document.createElement("input");
        token.type = "hidden"; token.name = "csrf_token"; token.value = list.getAttribute("data-csrf");
        var button = document.createElement("button");
        button.type = "submit"; button.textContent = chunk.label;
        form.appendChild(token); form.appendChild(button); item.appendChild(form); list.appendChild(item);
        shown = Math.max(shown, chunk.index);
      });
      if (chunks.length && section) section.hidden = false;
    }
    var items = list ? list.getElementsByTagName("li") : [];  // the chunks listed, in order: ask for later ones
    var shown = items.length ? parseInt(items[items.length - 1].id.slice(6), 10) : -1;
    function poll() {
      fetch(box.getAttribute("data-progress") + "?after=" + shown, {credentials: "same-origin", headers: {"Accept": "application/json"}})
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) {
          if (data && data.ok) {
            bar.max = data.total || 1; bar.value = data.done; done.textContent = data.done;
            showChunks(data.chunks);
            if (data.status === "done" || data.status === "failed") { window.location.reload(); return; }
          }
          setTimeout(poll, 1000);
        })
        .catch(function () { setTimeout(poll, 3000); });  // offline for a moment: keep trying
    }
    setTimeout(poll, 700);
  }

  // The kiosk: "print" records the copy and prints the PDF from a hidden frame; printed before: ask.
  function wireKiosk() {
    var form = document.getElementById("kiosk-print");
    var frame = document.getElementById("print-frame");
    if (!form || !frame) return;
    var warning = document.getElementById("kiosk-warning");
    var confirmBox = document.getElementById("kiosk-confirm");
    var status = document.getElementById("kiosk-status");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var data = new FormData(form);
      status.textContent = "…";
      fetch(form.action, {method: "POST", body: data, credentials: "same-origin",
                          headers: {"Accept": "application/json"}})
        .then(function (r) { return r.json(); })
        .then(function (body) {
          // {"ok": true, "pdf"} or the one error envelope {"ok": false, "code", "message", ...}.
          if (body.ok && body.pdf) {
            status.textContent = "✓";
            frame.onload = function () {
              try { frame.contentWindow.focus(); frame.contentWindow.print(); }
              catch (e) { window.open(body.pdf, "_blank"); }
              // Back to the search for the next person (a keyboard user is not left in the hidden frame).
              var search = document.getElementById("kiosk-q");
              if (search) { search.focus(); search.select(); }
            };
            frame.src = body.pdf;
            if (warning) warning.hidden = true;
            if (confirmBox) { confirmBox.hidden = true; confirmBox.querySelector("input").checked = false; }
          } else if (body.code === "printed_before" && warning && confirmBox) {
            warning.textContent = body.message; warning.hidden = false; confirmBox.hidden = false;
            status.textContent = "";
            confirmBox.querySelector("input").focus();  // the next step: confirm (Space), then print (Tab, Enter)
          } else if (body.code === "login_required" || body.code === "csrf") {
            form.submit();  // signed out or a stale page: the form itself goes to sign-in or says what to do
          } else {
            status.textContent = body.message || "!";
          }
        })
        .catch(function () { form.submit(); });  // no script path: the form itself gives the PDF
    });
  }

  // Issuing form: show the category for awardees and the list of names for participants.
  function wireBatchForm() {
    var form = document.getElementById("batch-form");
    if (!form) return;
    var kind = form.querySelector("select[name=kind]");
    function sync() {
      Array.prototype.forEach.call(form.querySelectorAll("[data-show-for]"), function (el) {
        el.hidden = el.getAttribute("data-show-for") !== kind.value;
      });
    }
    kind.addEventListener("change", sync);
    sync();
  }

  wirePreview();
  wireBatch();
  wireKiosk();
  wireBatchForm();
})();
