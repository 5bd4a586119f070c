// Draws the BPMN served at container.dataset.src with bpmn-js, fitted to the box, then lets the
// page decorate it: decorate(viewer) runs once the diagram is imported. The container says how
// it went in data-rendered ("true" or "error"), for people and for tests.
window.showBpmn = function (container, decorate) {
  function fail(message) {
    container.textContent = 'Diagram tidak dapat ditampilkan: ' + message;
    container.dataset.rendered = 'error';
  }
  if (!window.BpmnJS) {
    fail('penampil BPMN tidak termuat.');
    return;
  }
  var viewer = new window.BpmnJS({ container: container });
  fetch(container.dataset.src, { credentials: 'same-origin' })
    .then(function (response) {
      if (!response.ok) throw new Error('HTTP ' + response.status);
      return response.text();
    })
    .then(function (xml) { return viewer.importXML(xml); })
    .then(function () {
      viewer.get('canvas').zoom('fit-viewport');
      decorate(viewer);
      container.dataset.rendered = 'true';
    })
    .catch(function (error) { fail(error.message); });
};
