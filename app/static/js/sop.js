// Dokumen SOP: the print button. Loaded as a file (the Content-Security-Policy forbids inline scripts).
(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
})();
