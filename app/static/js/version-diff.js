// Version difference page: draw both versions and mark on each what differs. The old diagram
// shows what was removed and what changed; the new one what was added and what changed.
// Colours are set on the shapes themselves (the CSP allows styles set from script), and each
// marked element also gets a marker class (diff-added, diff-removed, diff-changed) for tests.
(function () {
  var holder = document.getElementById('diagrams');
  if (!holder) return;
  var markers = JSON.parse(holder.dataset.markers || '{}');
  var COLOURS = {
    added: { fill: '#d1e7dd', stroke: '#198754' },
    removed: { fill: '#f8d7da', stroke: '#dc3545' },
    changed: { fill: '#fff3cd', stroke: '#fd7e14' }
  };

  function paint(registry, element, colour) {
    var gfx = registry.getGraphics(element);
    if (!gfx) return;
    var visual = gfx.querySelector('.djs-visual');
    if (!visual) return;
    Array.prototype.forEach.call(visual.children, function (part, index) {
      if (element.waypoints) {
        // A flow: colour its line (and arrow head) only.
        if (part.tagName === 'path' || part.tagName === 'polyline') {
          part.style.stroke = colour.stroke;
          part.style.strokeWidth = '3px';
        }
      } else if (index === 0) {
        part.style.fill = colour.fill;
        part.style.stroke = colour.stroke;
        part.style.strokeWidth = '3px';
      }
    });
  }

  ['old', 'new'].forEach(function (side) {
    var container = document.getElementById('diagram-' + side);
    if (!container) return;
    var marks = markers[side] || {};
    window.showBpmn(container, function (viewer) {
      var canvas = viewer.get('canvas');
      var registry = viewer.get('elementRegistry');
      var marked = [];
      Object.keys(marks).forEach(function (kind) {
        (marks[kind] || []).forEach(function (id) {
          var element = registry.get(id);
          if (!element) return;
          canvas.addMarker(id, 'diff-' + kind);
          paint(registry, element, COLOURS[kind]);
          marked.push(kind + ':' + id);
        });
      });
      container.dataset.marked = marked.sort().join(' ');
    });
  });
})();
