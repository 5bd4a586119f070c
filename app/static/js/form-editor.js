// Form editor: while the JSON Schema is typed, the server draws the preview with the task
// page's own field macros and names what its checks refuse. The preview says how the last
// round went in data-state ("valid", "invalid" or "error"), for people and tests.
(function () {
  'use strict';
  var textarea = document.getElementById('schema');
  var preview = document.getElementById('preview');
  var errorBox = document.getElementById('schema-error');
  if (!textarea || !preview) return;
  var timer = null;
  var round = 0;

  function showError(message) {
    errorBox.textContent = message || '';
    errorBox.hidden = !message;
    textarea.classList.toggle('is-invalid', !!message);
  }

  function refresh() {
    var mine = ++round;
    fetch(textarea.dataset.preview, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'Accept': 'application/json', 'X-CSRFToken': textarea.dataset.csrf },
      body: JSON.stringify({ name: textarea.dataset.name, schema: textarea.value })
    }).then(function (response) {
      return response.json().then(function (data) {
        if (!response.ok) throw new Error((data.error && data.error.message) || ('HTTP ' + response.status));
        return data;
      });
    }).then(function (data) {
      if (mine !== round) return;  // a newer round is on its way
      preview.innerHTML = data.html;  // drawn by the server's templates, escaped there
      showError(data.errors.schema);
      preview.dataset.state = data.valid ? 'valid' : 'invalid';
    }).catch(function (error) {
      if (mine !== round) return;
      showError(error.message);
      preview.dataset.state = 'error';
    });
  }

  textarea.addEventListener('input', function () {
    clearTimeout(timer);
    timer = setTimeout(refresh, 300);
  });
  // The preview is only a picture of the form: nothing in it is sent anywhere.
  preview.addEventListener('submit', function (event) { event.preventDefault(); });
})();
