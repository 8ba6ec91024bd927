// fairapp: small progressive enhancements; every page works without this file.
(function () {
  "use strict";

  // Sign-up: the district list follows the chosen province.
  function wireDistricts() {
    var province = document.querySelector("select[data-districts]");
    var district = province && province.form.querySelector("select[name=district]");
    if (!district) return;
    var placeholder = district.options.length ? district.options[0].cloneNode(true) : null;
    var latest = 0;  // arrowing through provinces sends a request per province: only the last one's answer counts
    function reset() {
      district.innerHTML = "";
      if (placeholder) district.appendChild(placeholder.cloneNode(true));
    }
    province.addEventListener("change", function () {
      var code = province.value, asked = ++latest;
      reset();
      if (!code) return;
      fetch(province.dataset.districts.replace("__code__", encodeURIComponent(code)), {credentials: "same-origin"})
        .then(function (r) { return r.ok ? r.json() : []; })
        .then(function (rows) {
          if (asked !== latest || province.value !== code) return;  // a later province was chosen meanwhile
          reset();
          rows.forEach(function (row) {
            var opt = document.createElement("option");
            opt.value = row.code; opt.textContent = row.name;
            district.appendChild(opt);
          });
        })
        .catch(function () { /* the server checks the pair on submit */ });
    });
  }

  // A failed form: move focus to the summary so phone users see what to fix.
  function focusErrors() {
    var summary = document.getElementById("error-summary");
    if (summary) summary.focus();
  }

  // A form with data-confirm asks before it is sent (withdrawing, rejecting...).
  document.addEventListener("submit", function (event) {
    var message = event.target.getAttribute && event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) event.preventDefault();
  });

  document.addEventListener("DOMContentLoaded", function () {
    wireDistricts();
    focusErrors();
  });
})();
