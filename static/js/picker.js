// fairapp: a text field that offers choices asked from a search endpoint as you type (the judges'
// and organizations' pickers of the judging pages). Markup:
//   <input list="some-datalist" data-search-url="/…/search">  <datalist id="some-datalist"></datalist>
// The endpoint answers {ok: true, results: [{id, label}]}; each label ("name · #id") becomes an option
// of the field's datalist. Without JavaScript the field still takes "#id" or a label typed in full.
(function () {
  "use strict";

  function attach(input) {
    var list = document.getElementById(input.getAttribute("list"));
    var url = input.getAttribute("data-search-url");
    if (!list || !url) return;
    var timer = null, asked = "";
    input.addEventListener("input", function () {
      var q = input.value.trim();
      if (q.indexOf(" · #") !== -1 || q === asked || q.length < 1) return;
      clearTimeout(timer);
      timer = setTimeout(function () {
        asked = q;
        fetch(url + (url.indexOf("?") === -1 ? "?" : "&") + "q=" + encodeURIComponent(q),
              {credentials: "same-origin", headers: {"Accept": "application/json"}})
          .then(function (r) { return r.ok ? r.json() : {results: []}; })
          .then(function (data) {
            if (input.value.trim() !== q) return;
            while (list.firstChild) list.removeChild(list.firstChild);
            (data.results || []).forEach(function (item) {
              var option = document.createElement("option");
              option.value = item.label;
              list.appendChild(option);
            });
          })
          .catch(function () { /* offline: the field still takes "#id" */ });
      }, 200);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("input[data-search-url]"), attach);
  });
})();
