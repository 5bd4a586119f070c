// Instance page: mark the completed steps and the current step on the instance's diagram.
(function () {
  var container = document.getElementById('diagram');
  if (!container) return;
  var highlight = JSON.parse(container.dataset.highlight || '{}');
  window.showBpmn(container, function (viewer) {
    var canvas = viewer.get('canvas');
    var registry = viewer.get('elementRegistry');
    (highlight.completed || []).forEach(function (id) {
      if (registry.get(id)) canvas.addMarker(id, 'step-done');
    });
    (highlight.current || []).forEach(function (id) {
      if (registry.get(id)) canvas.addMarker(id, 'step-current');
    });
    // On a narrow screen the whole diagram would be unreadable: show the current step
    // at a legible size instead; the diagram can be dragged to see the rest.
    var current = (highlight.current || []).map(function (id) { return registry.get(id); })[0];
    if (container.clientWidth < 700 && current) {
      canvas.zoom(0.8);
      canvas.scrollToElement(current);
    }
  });
})();
