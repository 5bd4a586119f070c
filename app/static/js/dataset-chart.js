// The dataset page: choosing a column redraws the chart (the form is a plain GET form; the
// button stays for browsers without scripts). Loaded as a file: the CSP forbids inline scripts.
(function () {
  "use strict";

  document.addEventListener("change", function (event) {
    var form = event.target.closest("form[data-autosubmit]");
    if (form && event.target.matches("select")) form.requestSubmit ? form.requestSubmit() : form.submit();
  });
})();
