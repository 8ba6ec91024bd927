/* Buddhist Era date inputs (fairapp.core.thai_dates): beside each input[data-thai-date], a button opens a
   calendar of Thai (or English) months with B.E. years; picking a day writes d/m/yyyy B.E. into the input
   (keeping a time typed after it). Typing stays possible: the server reads what is typed. Keyboard: the
   arrows move through the days, Enter or Space picks, Escape closes and returns to the input. */
(function () {
  "use strict";
  var TH = ["มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน", "กรกฎาคม", "สิงหาคม",
            "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม"];
  var EN = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
            "November", "December"];
  var DAYS_TH = ["อา", "จ", "อ", "พ", "พฤ", "ศ", "ส"], DAYS_EN = ["Su", "Mo", "Tu", "We", "Th", "Fr", "Sa"];
  var english = document.documentElement.lang === "en";
  var label = english ? "Pick a date from the calendar" : "เลือกวันที่จากปฏิทิน";
  var short = english ? "Calendar" : "ปฏิทิน";

  function parse(text) {
    var m = /^\s*(\d{1,2})\s*[\/.\-]\s*(\d{1,2})\s*[\/.\-]\s*(\d{4})/.exec(text || "");
    if (!m) return null;
    var year = +m[3] >= 2400 ? +m[3] - 543 : +m[3];
    var d = new Date(year, +m[2] - 1, +m[1]);
    return isNaN(d) ? null : d;
  }

  function open(input, button) {
    var shown = parse(input.value) || new Date(), picked = parse(input.value);
    var box = document.createElement("div");
    box.className = "thaidate-box";
    box.setAttribute("role", "dialog");
    box.setAttribute("aria-label", label);
    var head = document.createElement("div"), title = document.createElement("strong");
    title.setAttribute("aria-live", "polite");
    var prev = document.createElement("button"), next = document.createElement("button");
    prev.type = next.type = "button";
    prev.textContent = "‹"; next.textContent = "›";
    prev.setAttribute("aria-label", english ? "Previous month" : "เดือนก่อน");
    next.setAttribute("aria-label", english ? "Next month" : "เดือนถัดไป");
    head.className = "thaidate-head";
    head.append(prev, title, next);
    var grid = document.createElement("table");
    grid.setAttribute("role", "grid");
    box.append(head, grid);
    button.after(box);

    function close(back) {
      box.remove();
      document.removeEventListener("click", outside, true);
      button.setAttribute("aria-expanded", "false");
      if (back) input.focus();
    }
    function outside(e) { if (!box.contains(e.target) && e.target !== button) close(false); }
    function pick(day) {
      var time = (input.value.match(/\s(\d{1,2}[:.]\d{2})\s*$/) || [])[1];
      if (!time && input.dataset.thaiDate === "time") time = "09:00";
      input.value = day.getDate() + "/" + (day.getMonth() + 1) + "/" + (day.getFullYear() + 543) + (time ? " " + time : "");
      input.dispatchEvent(new Event("input", {bubbles: true}));
      input.dispatchEvent(new Event("change", {bubbles: true}));
      close(true);
    }
    function draw(focusDay) {
      var year = shown.getFullYear(), month = shown.getMonth();
      title.textContent = (english ? EN : TH)[month] + " " + (english ? "" : "พ.ศ. ") + (year + 543) + (english ? " BE" : "");
      var rows = "<thead><tr>" + (english ? DAYS_EN : DAYS_TH).map(function (d) {
        return "<th scope=\"col\">" + d + "</th>"; }).join("") + "</tr></thead><tbody><tr>";
      var first = new Date(year, month, 1).getDay(), days = new Date(year, month + 1, 0).getDate();
      for (var i = 0; i < first; i++) rows += "<td></td>";
      for (var d = 1; d <= days; d++) {
        var on = picked && picked.getFullYear() === year && picked.getMonth() === month && picked.getDate() === d;
        rows += "<td><button type=\"button\" data-day=\"" + d + "\"" + (on ? " aria-pressed=\"true\"" : "") +
                ">" + d + "</button></td>";
        if ((first + d) % 7 === 0 && d < days) rows += "</tr><tr>";
      }
      grid.innerHTML = rows + "</tr></tbody>";
      var target = grid.querySelector("[data-day=\"" + Math.min(focusDay || (on ? 0 : 1), days) + "\"]") ||
                   grid.querySelector("[aria-pressed]") || grid.querySelector("[data-day]");
      grid.querySelectorAll("[data-day]").forEach(function (b) { b.tabIndex = b === target ? 0 : -1; });
      if (focusDay) target.focus();
    }
    prev.addEventListener("click", function () { shown = new Date(shown.getFullYear(), shown.getMonth() - 1, 1); draw(); });
    next.addEventListener("click", function () { shown = new Date(shown.getFullYear(), shown.getMonth() + 1, 1); draw(); });
    grid.addEventListener("click", function (e) {
      var b = e.target.closest("[data-day]");
      if (b) pick(new Date(shown.getFullYear(), shown.getMonth(), +b.dataset.day));
    });
    box.addEventListener("keydown", function (e) {
      if (e.key === "Escape") { e.preventDefault(); close(true); return; }
      var b = e.target.closest && e.target.closest("[data-day]");
      var step = {ArrowLeft: -1, ArrowRight: 1, ArrowUp: -7, ArrowDown: 7}[e.key];
      if (!b || !step) return;
      e.preventDefault();
      var day = new Date(shown.getFullYear(), shown.getMonth(), +b.dataset.day + step);
      shown = new Date(day.getFullYear(), day.getMonth(), 1);
      draw(day.getDate());
    });
    draw(picked && picked.getMonth() === shown.getMonth() ? picked.getDate() : 1);
    button.setAttribute("aria-expanded", "true");
    setTimeout(function () { document.addEventListener("click", outside, true); }, 0);
  }

  function enhance(input) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "thaidate-open";
    button.setAttribute("aria-label", label);
    button.setAttribute("aria-expanded", "false");
    button.textContent = short;
    input.after(button);
    button.addEventListener("click", function () {
      var box = button.nextElementSibling;
      if (box && box.classList.contains("thaidate-box")) { box.remove(); button.setAttribute("aria-expanded", "false"); }
      else open(input, button);
    });
  }

  document.querySelectorAll("input[data-thai-date]").forEach(enhance);
})();
