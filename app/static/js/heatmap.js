// Supervision dashboard: draw the latest BPMN and colour each user task by the mean service
// time its open tasks have waited, relative to the step's standard. The numbers come from
// data-heat: {"bpmn_id": {"hours": mean waiting hours, "standard": hours, "open": count}}.
(function () {
  var container = document.getElementById('heatmap');
  if (!container) return;
  var LEVELS = 5; // heat-0 (< 25% of the standard) .. heat-4 (at or past the standard)

  function level(entry) {
    var standard = entry.standard > 0 ? entry.standard : 6;
    return Math.max(0, Math.min(LEVELS - 1, Math.floor((entry.hours / standard) * (LEVELS - 1))));
  }

  var heat = JSON.parse(container.dataset.heat || '{}');
  window.showBpmn(container, function (viewer) {
    var canvas = viewer.get('canvas');
    var registry = viewer.get('elementRegistry');
    registry.filter(function (element) { return element.type === 'bpmn:UserTask'; }).forEach(function (element) {
      var entry = heat[element.id];
      var gfx = registry.getGraphics(element);
      if (!entry) {
        canvas.addMarker(element.id, 'heat-none');
        gfx.setAttribute('data-heat-level', 'none');
        return;
      }
      var n = level(entry);
      canvas.addMarker(element.id, 'heat-' + n);
      gfx.setAttribute('data-heat-level', String(n));
      var title = document.createElementNS('http://www.w3.org/2000/svg', 'title');
      title.textContent = element.businessObject.name + ': ' + entry.open + ' tugas terbuka, rata-rata menunggu ' +
        String(entry.hours).replace('.', ',') + ' jam layanan';
      gfx.appendChild(title);
    });
  });
})();
