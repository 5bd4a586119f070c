// The public portal: the copy button of the ready-to-post text.
// Loaded as a file (the Content-Security-Policy forbids inline scripts); no third-party code.
(function () {
  "use strict";

  function show(status, message) {
    if (!status) return;
    status.textContent = message;
    window.clearTimeout(status._portalTimer);
    status._portalTimer = window.setTimeout(function () { status.textContent = ""; }, 4000);
  }

  // Without the Clipboard API (older browsers, plain http), select the text so that the
  // reader copies it with one key press; try the old copy command on the way.
  function fallback(field, status, button) {
    field.focus();
    field.select();
    field.setSelectionRange(0, field.value.length);
    var copied = false;
    try { copied = document.execCommand("copy"); } catch (e) { copied = false; }
    show(status, copied ? button.dataset.copied : button.dataset.selected);
  }

  function copy(button) {
    var field = document.getElementById(button.dataset.copyTarget);
    var status = document.querySelector('[data-copy-status="' + button.dataset.copyTarget + '"]');
    if (!field) return;
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(
        function () { show(status, button.dataset.copied); },
        function () { fallback(field, status, button); }
      );
    } else {
      fallback(field, status, button);
    }
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy-target]");
    if (button) copy(button);
  });
})();
