// fairapp: the floor plan. Everything works without this file (booths are links that select them, every
// action is a plain form); here a click selects a booth without a reload and fills the forms beside the
// plan, the swap target can be picked on the plan, a click on an empty cell fills the new booth's
// position, and the public page gets a print button.
(function () {
  "use strict";

  function each(list, fn) { Array.prototype.forEach.call(list || [], fn); }
  function byId(id) { return document.getElementById(id); }

  function wirePrint() {
    each(document.querySelectorAll("[data-print]"), function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { window.print(); });
    });
  }

  function wireConfirm() {
    each(document.querySelectorAll("form[data-confirm]"), function (form) {
      form.addEventListener("submit", function (event) {
        if (!window.confirm(form.getAttribute("data-confirm"))) event.preventDefault();
      });
    });
  }

  // Show only the options that fit (same booth type, not the booth itself); returns how many remain.
  function filterOptions(select, keep) {
    if (!select) return 0;
    var shown = 0;
    each(select.options, function (option) {
      if (!option.value) return;
      var ok = keep(option);
      option.hidden = !ok;
      option.disabled = !ok;
      if (ok) shown += 1;
      else if (option.selected) select.value = "";
    });
    return shown;
  }

  function setValue(id, value) {
    var input = byId(id);
    if (input) input.value = value === undefined || value === null ? "" : value;
  }

  function wireEditor() {
    var svg = byId("plan-svg");
    var panel = byId("booth-panel");
    if (!svg || !panel) return;
    var picker = byId("pick-booth");
    var swapSelect = byId("swap-other");
    var swapPick = byId("swap-pick");
    var swapHint = byId("swap-picking");
    var cols = parseInt(svg.getAttribute("data-cols"), 10);
    var rows = parseInt(svg.getAttribute("data-rows"), 10);
    var current = svg.querySelector("a.booth.selected");
    var picking = false;

    function fill(name, text) {
      each(panel.querySelectorAll('[data-fill="' + name + '"]'), function (el) { el.textContent = text || ""; });
    }

    function setPicking(on) {
      picking = on;
      svg.classList.toggle("picking", on);
      if (swapHint) swapHint.hidden = !on;
      var type = current ? current.getAttribute("data-type") : null;
      each(svg.querySelectorAll("a.booth"), function (a) {
        a.classList.toggle("swap-candidate", on && a !== current && a.getAttribute("data-type") === type
                           && a.getAttribute("data-state") !== "blocked");
      });
    }

    function select(link, reveal) {
      if (current) current.classList.remove("selected");
      current = link;
      link.classList.add("selected");
      setPicking(false);
      var d = link.dataset;
      panel.hidden = false;
      each(panel.querySelectorAll('input[name="booth"]'), function (input) { input.value = d.id; });
      fill("code", d.code);
      fill("type-name", d.typeName);
      fill("zone", d.zone || "–");
      fill("state-label", d.stateLabel);
      fill("org", d.org);
      var org = panel.querySelector('[data-fill-href="app-url"]');
      if (org) org.setAttribute("href", d.appUrl || "#");
      each(panel.querySelectorAll("[data-when]"), function (el) {
        el.hidden = el.getAttribute("data-when").split(" ").indexOf(d.state) < 0;
      });
      var fitting = filterOptions(byId("assign-application"), function (o) { return o.getAttribute("data-type") === d.type; });
      var none = byId("assign-none"), fields = byId("assign-fields");
      if (none) none.hidden = fitting > 0;
      if (fields) fields.hidden = fitting === 0;
      filterOptions(swapSelect, function (o) { return o.getAttribute("data-type") === d.type && o.value !== d.id; });
      setValue("edit-code", d.code);
      setValue("edit-zone", d.zone);
      setValue("edit-booth_type", d.type);
      setValue("edit-x", d.x);
      setValue("edit-y", d.y);
      setValue("edit-w", d.w);
      setValue("edit-h", d.h);
      if (picker) picker.value = d.id;
      var href = link.getAttribute("href");
      if (href && window.history && window.history.replaceState) {
        window.history.replaceState(null, "", href.split("#")[0]);
      }
      // On a phone the panel sits below the plan: bring it into view so the tap visibly did something.
      if (reveal && panel.getBoundingClientRect().top > window.innerHeight) {
        panel.scrollIntoView({behavior: "smooth", block: "start"});
      }
    }

    function pickTarget(link) {
      var option = swapSelect && swapSelect.querySelector('option[value="' + link.getAttribute("data-id") + '"]');
      if (option && !option.disabled) {
        swapSelect.value = option.value;
        setPicking(false);
        swapSelect.focus();
      }
    }

    // The ghost of the booth being added, at the position typed or clicked.
    var ghost = document.createElementNS("http://www.w3.org/2000/svg", "rect");
    ghost.setAttribute("class", "ghost");
    ghost.setAttribute("fill", "none");
    ghost.setAttribute("stroke", "#8a1c2b");
    ghost.setAttribute("stroke-width", "0.08");
    ghost.setAttribute("stroke-dasharray", "0.2 0.12");
    ghost.setAttribute("visibility", "hidden");
    svg.appendChild(ghost);
    function drawGhost() {
      var v = ["add-x", "add-y", "add-w", "add-h"].map(function (id) {
        var el = byId(id);
        return el ? parseInt(el.value, 10) : NaN;
      });
      if (v.some(isNaN)) { ghost.setAttribute("visibility", "hidden"); return; }
      ghost.setAttribute("x", v[0]);
      ghost.setAttribute("y", v[1]);
      ghost.setAttribute("width", Math.max(v[2], 1));
      ghost.setAttribute("height", Math.max(v[3], 1));
      ghost.setAttribute("visibility", "visible");
    }
    each(["add-x", "add-y", "add-w", "add-h"], function (id) {
      var el = byId(id);
      if (el) el.addEventListener("input", drawGhost);
    });

    function placeNew(event) {
      var addX = byId("add-x");
      if (!addX || !svg.getScreenCTM) return;
      var point = svg.createSVGPoint();
      point.x = event.clientX;
      point.y = event.clientY;
      var p = point.matrixTransform(svg.getScreenCTM().inverse());
      var x = Math.floor(p.x), y = Math.floor(p.y);
      if (x < 0 || y < 0 || x >= cols || y >= rows) return;
      var details = byId("add-details");
      if (details) details.open = true;
      setValue("add-x", x);
      setValue("add-y", y);
      drawGhost();
      var code = byId("add-code");
      if (code) code.focus({preventScroll: window.innerWidth >= 1000});
    }

    svg.addEventListener("click", function (event) {
      var link = event.target.closest ? event.target.closest("a.booth") : null;
      if (!link) { placeNew(event); return; }
      event.preventDefault();
      if (picking) pickTarget(link);
      else select(link, true);
    });

    if (picker) {
      picker.addEventListener("change", function () {
        var link = byId("booth-" + picker.value);
        if (link) select(link, false);
      });
    }
    each(document.querySelectorAll("[data-select]"), function (a) {
      a.addEventListener("click", function (event) {
        var link = byId("booth-" + a.getAttribute("data-select"));
        if (!link) return;
        event.preventDefault();
        select(link, false);
        svg.scrollIntoView({behavior: "smooth", block: "nearest"});
      });
    });
    if (swapPick) {
      swapPick.hidden = false;
      swapPick.addEventListener("click", function () { setPicking(!picking); });
    }
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && picking) setPicking(false);
    });
    drawGhost();
  }

  document.addEventListener("DOMContentLoaded", function () {
    wirePrint();
    wireConfirm();
    wireEditor();
  });
})();
