// "Select all matching" on the staff lists (templates/_select_all.html), in place: the button switches the
// form's scope between the ticked rows and every row the search and filters match, and the live region
// says what is selected. Without this file the button asks the server for the list with ?select=all.
(function () {
  "use strict";

  var THAI = "๐๑๒๓๔๕๖๗๘๙";

  function wire(bar) {
    var form = bar.closest("form");
    var scope = bar.querySelector("input[name=scope]");
    var button = bar.querySelector("[data-select-all-button]");
    var status = bar.querySelector("[role=status]");
    if (!form || !scope || !button || !status) return;
    var boxes = Array.prototype.slice.call(form.querySelectorAll("input[type=checkbox][name=ids]"));
    var thai = /[๐-๙]/.test(bar.getAttribute("data-all-text"));

    function digits(n) {
      var text = String(n);
      return thai ? text.replace(/[0-9]/g, function (d) { return THAI[+d]; }) : text;
    }

    function show() {
      var matching = scope.value === "matching";
      var ticked = boxes.filter(function (b) { return b.checked; }).length;
      button.removeAttribute("form");  // handled here: no page load
      button.type = "button";
      button.setAttribute("aria-pressed", matching ? "true" : "false");
      button.textContent = bar.getAttribute(matching ? "data-clear-label" : "data-select-label");
      button.hidden = !matching && ticked === 0 && boxes.length > 0;
      status.textContent = matching ? bar.getAttribute("data-all-text")
        : (ticked ? bar.getAttribute("data-page-text").replace("{n}", digits(ticked)) : "");
    }

    button.addEventListener("click", function (event) {
      event.preventDefault();
      var matching = scope.value !== "matching";
      scope.value = matching ? "matching" : "page";
      boxes.forEach(function (b) { b.checked = matching; });
      show();
    });
    boxes.forEach(function (box) {
      box.addEventListener("change", function () {
        if (!box.checked && scope.value === "matching") scope.value = "page";  // one row left out: the ticked ones
        show();
      });
    });
    show();
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("[data-select-all]"), wire);
  });
})();
