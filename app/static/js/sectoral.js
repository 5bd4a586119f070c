// The upload form of sectoral data: the chosen template's columns, and only the chosen OPD's templates.
(function () {
  "use strict";
  var template = document.getElementById("template");
  if (!template) return;
  var opd = document.getElementById("opd");

  function showColumns() {
    document.querySelectorAll("[data-template-info]").forEach(function (panel) {
      panel.hidden = panel.getAttribute("data-template-info") !== template.value;
    });
  }

  function limitToOpd() {
    if (!opd) return;
    template.querySelectorAll("optgroup").forEach(function (group) {
      var other = opd.value !== "" && group.getAttribute("data-opd") !== opd.value;
      group.hidden = other;
      group.disabled = other;
    });
    var chosen = template.selectedOptions[0];
    if (chosen && chosen.parentElement.disabled) {
      template.value = "";
      showColumns();
    }
  }

  // Choosing a template first also chooses its OPD.
  function followTemplate() {
    var chosen = template.selectedOptions[0];
    if (opd && opd.value === "" && chosen && chosen.getAttribute("data-opd")) {
      opd.value = chosen.getAttribute("data-opd");
      limitToOpd();
    }
    showColumns();
  }

  template.addEventListener("change", followTemplate);
  if (opd) opd.addEventListener("change", limitToOpd);
  limitToOpd();
  followTemplate();
})();
