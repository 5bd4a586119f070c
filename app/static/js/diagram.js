// Instance page: draw the BPMN of the instance's version and mark completed and current steps.
(function () {
  var container = document.getElementById('diagram');
  if (!container) return;
  if (!window.BpmnJS) {
    container.textContent = 'Diagram tidak dapat ditampilkan: penampil BPMN tidak termuat.';
    container.dataset.rendered = 'error';
    return;
  }
  var highlight = JSON.parse(container.dataset.highlight || '{}');
  var viewer = new window.BpmnJS({ container: container });
  fetch(container.dataset.src, { credentials: 'same-origin' })
    .then(function (response) {
      if (!response.ok) throw new Error('HTTP ' + response.status);
      return response.text();
    })
    .then(function (xml) { return viewer.importXML(xml); })
    .then(function () {
      var canvas = viewer.get('canvas');
      var registry = viewer.get('elementRegistry');
      canvas.zoom('fit-viewport');
      // On a narrow screen the whole diagram would be unreadable: show the current step
      // at a legible size instead; the diagram can be dragged to see the rest.
      var current = (highlight.current || []).map(function (id) { return registry.get(id); })[0];
      if (container.clientWidth < 700 && current) {
        canvas.zoom(0.8);
        canvas.scrollToElement(current);
      }
      (highlight.completed || []).forEach(function (id) {
        if (registry.get(id)) canvas.addMarker(id, 'step-done');
      });
      (highlight.current || []).forEach(function (id) {
        if (registry.get(id)) canvas.addMarker(id, 'step-current');
      });
      container.dataset.rendered = 'true';
    })
    .catch(function (error) {
      container.textContent = 'Diagram tidak dapat ditampilkan: ' + error.message;
      container.dataset.rendered = 'error';
    });
})();
