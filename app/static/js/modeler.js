// Modeler page: the bpmn-js Modeler over the process draft, with a properties panel of our own
// limited to what the application understands (name, lane, role of a lane, form, standard
// time, the SOP row's Persyaratan/Output/Keterangan, conditions of a gateway's flows). The
// server keeps the draft, validates it (problems are drawn on their elements) and deploys it.
// The canvas says how loading went in data-rendered ("true" or "error"), for people and tests.
(function () {
  'use strict';
  var container = document.getElementById('modeler-canvas');
  if (!container) return;

  var texts = document.getElementById('modeler-texts').dataset;
  var typeNames = JSON.parse(texts.types || '{}');
  var urls = container.dataset;
  var statusBox = document.getElementById('modeler-status');
  var resultBox = document.getElementById('modeler-result');
  var buttons = {
    save: document.getElementById('btn-save'),
    validate: document.getElementById('btn-validate'),
    deploy: document.getElementById('btn-deploy')
  };
  var notes = document.getElementById('deploy-notes');
  var panel = {
    form: document.getElementById('panel-form'),
    empty: document.getElementById('panel-empty'),
    type: document.getElementById('p-type'),
    id: document.getElementById('p-id'),
    problems: document.getElementById('p-problems'),
    name: document.getElementById('p-name'),
    lane: document.getElementById('p-lane'),
    role: document.getElementById('p-role'),
    processDays: document.getElementById('p-process-days'),
    formSelect: document.getElementById('p-form'),
    formLink: document.getElementById('p-form-link'),
    days: document.getElementById('p-days'),
    persyaratan: document.getElementById('p-persyaratan'),
    output: document.getElementById('p-output'),
    keterangan: document.getElementById('p-keterangan'),
    current: document.getElementById('c-current'),
    field: document.getElementById('c-field'),
    op: document.getElementById('c-op'),
    value: document.getElementById('c-value'),
    values: document.getElementById('c-values'),
    error: document.getElementById('c-error')
  };

  // The spiffworkflow namespace as bpmn-js must know it to create and keep
  // <spiffworkflow:properties><spiffworkflow:property name="..." value="..."/></spiffworkflow:properties>.
  var SPIFFWORKFLOW = {
    name: 'SpiffWorkflow',
    prefix: 'spiffworkflow',
    uri: 'http://spiffworkflow.org/bpmn/schema/1.0/core',
    xml: { tagAlias: 'lowerCase' },
    associations: [],
    types: [
      {
        name: 'Properties',
        superClass: ['Element'],
        meta: { allowedIn: ['*'] },
        properties: [{ name: 'properties', type: 'Property', isMany: true }]
      },
      {
        name: 'Property',
        superClass: ['Element'],
        properties: [
          { name: 'name', type: 'String', isAttr: true },
          { name: 'value', type: 'String', isAttr: true }
        ]
      }
    ]
  };
  // The task properties the panel edits, by input.
  var TASK_PROPERTIES = {
    formSelect: 'formJsonSchemaFilename', days: 'waktuHariKerja', persyaratan: 'persyaratan',
    output: 'output', keterangan: 'keterangan'
  };

  function setStatus(message) { statusBox.textContent = message || ''; }

  if (!window.BpmnJS) {
    setStatus(texts.loadError + ' BpmnJS');
    container.dataset.rendered = 'error';
    return;
  }

  var modeler = new window.BpmnJS({ container: container, moddleExtensions: { spiffworkflow: SPIFFWORKFLOW } });
  var modeling = modeler.get('modeling');
  var moddle = modeler.get('moddle');
  var registry = modeler.get('elementRegistry');
  var canvas = modeler.get('canvas');
  var overlays = modeler.get('overlays');
  var selection = modeler.get('selection');
  var eventBus = modeler.get('eventBus');

  var state = { token: null, forms: {}, fields: [], saved: false, changes: 0, savedChanges: 0,
                problems: {}, selected: null, busy: false };

  function dirty() { return state.changes !== state.savedChanges; }

  function is(element, type) {
    var bo = element && (element.businessObject || element);
    return !!(bo && typeof bo.$instanceOf === 'function' && bo.$instanceOf(type));
  }

  // spiffworkflow:property values ---------------------------------------------------------

  function propertiesOf(bo) {
    var ext = bo && bo.get('extensionElements');
    if (!ext) return null;
    return (ext.get('values') || []).filter(function (v) { return is(v, 'spiffworkflow:Properties'); })[0] || null;
  }

  function propertyNode(bo, name) {
    var props = propertiesOf(bo);
    if (!props) return null;
    return props.get('properties').filter(function (p) { return p.name === name; })[0] || null;
  }

  function getProperty(bo, name) {
    var node = propertyNode(bo, name);
    return node ? (node.value || '') : '';
  }

  // Write one property of `bo` (the element's business object, or the process of a pool)
  // through modeling, so that it can be undone and the canvas knows the model changed.
  function setProperty(element, bo, name, value) {
    var node = propertyNode(bo, name);
    if (node) {
      if ((node.value || '') !== value) modeling.updateModdleProperties(element, node, { value: value });
      return;
    }
    if (value === '') return;
    var ext = bo.get('extensionElements');
    if (!ext) {
      ext = moddle.create('bpmn:ExtensionElements', { values: [] });
      ext.$parent = bo;
      modeling.updateModdleProperties(element, bo, { extensionElements: ext });
    }
    var props = propertiesOf(bo);
    if (!props) {
      props = moddle.create('spiffworkflow:Properties', { properties: [] });
      props.$parent = ext;
      modeling.updateModdleProperties(element, ext, { values: (ext.get('values') || []).concat([props]) });
    }
    node = moddle.create('spiffworkflow:Property', { name: name, value: value });
    node.$parent = props;
    modeling.updateModdleProperties(element, props, { properties: props.get('properties').concat([node]) });
  }

  // The panel -----------------------------------------------------------------------------

  function laneOf(element) {
    var bo = element.businessObject;
    var found = null;
    registry.filter(function (e) { return is(e, 'bpmn:Lane'); }).forEach(function (lane) {
      var refs = lane.businessObject.get('flowNodeRef') || [];
      if (refs.indexOf(bo) !== -1 && (!found || !lane.businessObject.get('childLaneSet'))) found = lane;
    });
    return found;
  }

  function isGatewayFlow(element) {
    return is(element, 'bpmn:SequenceFlow') && element.source && is(element.source, 'bpmn:ExclusiveGateway');
  }

  function groups(element) {
    var flowNode = is(element, 'bpmn:FlowNode');
    return {
      name: true,
      lane: flowNode,
      role: is(element, 'bpmn:Lane'),
      process: is(element, 'bpmn:Participant') && !!element.businessObject.get('processRef'),
      task: is(element, 'bpmn:UserTask'),
      condition: isGatewayFlow(element)
    };
  }

  function setValue(input, value) {
    if (document.activeElement !== input) input.value = value == null ? '' : value;
  }

  function fillFormOptions(current) {
    var select = panel.formSelect;
    while (select.options.length > 1) select.remove(1);
    var names = Object.keys(state.forms).sort();
    if (current && names.indexOf(current) === -1) names.push(current);
    names.forEach(function (name) { select.add(new Option(name, name)); });
    select.value = current || '';
    panel.formLink.hidden = !current || !state.forms[current];
    panel.formLink.href = urls.formUrl.replace('__NAME__', encodeURIComponent(current || ''));
  }

  function fieldOf(name) {
    return state.fields.filter(function (f) { return f.name === name; })[0] || null;
  }

  function fillValueChoices() {
    var field = fieldOf(panel.field.value);
    panel.values.innerHTML = '';
    ((field && field.enum) || []).forEach(function (value) {
      var option = document.createElement('option');
      option.value = String(value);
      panel.values.appendChild(option);
    });
  }

  function conditionText(bo) {
    var expression = bo.get('conditionExpression');
    return expression ? (expression.get('body') || '') : '';
  }

  // Show what a condition says in the builder: `name op value`, as far as it can be read.
  function fillCondition(bo) {
    var text = conditionText(bo);
    panel.current.textContent = text || texts.noCondition;
    panel.error.hidden = true;
    var select = panel.field;
    while (select.options.length > 1) select.remove(1);
    state.fields.forEach(function (f) {
      select.add(new Option(f.title && f.title !== f.name ? f.title + ' (' + f.name + ')' : f.name, f.name));
    });
    var match = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(==|!=|\bnot\s+in\b|\bin\b)\s*(.+?)\s*$/.exec(text);
    if (!match) {
      select.value = '';
      panel.op.value = '==';
      panel.value.value = '';
      fillValueChoices();
      return;
    }
    if (!fieldOf(match[1])) select.add(new Option(match[1], match[1]));
    select.value = match[1];
    panel.op.value = match[2].replace(/\s+/g, ' ');
    var raw = match[3];
    var shown = raw;
    try {
      var parsed = JSON.parse(raw);
      shown = Array.isArray(parsed) ? parsed.join(', ') : String(parsed);
    } catch (e) {
      if (raw === 'True' || raw === 'False') shown = raw.toLowerCase();
    }
    panel.value.value = shown;
    fillValueChoices();
  }

  function fillProblems(element) {
    panel.problems.innerHTML = '';
    var messages = element ? state.problems[element.id] : null;
    if (!messages || !messages.length) return;
    var box = document.createElement('div');
    box.className = 'alert alert-danger small py-2';
    box.setAttribute('role', 'alert');
    messages.forEach(function (message) {
      var line = document.createElement('div');
      line.textContent = message;
      box.appendChild(line);
    });
    panel.problems.appendChild(box);
  }

  function show(element) {
    if (element && element.labelTarget) element = element.labelTarget;
    if (element && (element === canvas.getRootElement() || !element.businessObject)) element = null;
    state.selected = element;
    panel.form.hidden = !element;
    panel.empty.hidden = !!element;
    if (!element) return;
    var bo = element.businessObject;
    var visible = groups(element);
    Array.prototype.forEach.call(panel.form.querySelectorAll('[data-group]'), function (node) {
      node.hidden = !visible[node.dataset.group];
    });
    panel.type.textContent = typeNames[bo.$type] || bo.$type.replace('bpmn:', '');
    panel.id.textContent = bo.id;
    setValue(panel.name, bo.name || '');
    fillProblems(element);
    if (visible.lane) {
      var lane = laneOf(element);
      setValue(panel.lane, lane ? (lane.businessObject.name || lane.id) : texts.noLane);
    }
    if (visible.role) setValue(panel.role, getProperty(bo, 'role'));
    if (visible.process) setValue(panel.processDays, getProperty(bo.get('processRef'), 'waktuHariKerja'));
    if (visible.task) {
      if (document.activeElement !== panel.formSelect) fillFormOptions(getProperty(bo, 'formJsonSchemaFilename'));
      setValue(panel.days, getProperty(bo, 'waktuHariKerja'));
      setValue(panel.persyaratan, getProperty(bo, 'persyaratan'));
      setValue(panel.output, getProperty(bo, 'output'));
      setValue(panel.keterangan, getProperty(bo, 'keterangan'));
    }
    if (visible.condition) fillCondition(bo);
  }

  panel.form.addEventListener('submit', function (event) { event.preventDefault(); });

  panel.name.addEventListener('change', function () {
    if (state.selected) modeling.updateLabel(state.selected, panel.name.value.trim());
  });
  panel.role.addEventListener('change', function () {
    if (state.selected) setProperty(state.selected, state.selected.businessObject, 'role', panel.role.value);
  });
  panel.processDays.addEventListener('change', function () {
    var element = state.selected;
    if (element) setProperty(element, element.businessObject.get('processRef'), 'waktuHariKerja', panel.processDays.value.trim());
  });
  Object.keys(TASK_PROPERTIES).forEach(function (key) {
    panel[key].addEventListener('change', function () {
      var element = state.selected;
      if (!element) return;
      setProperty(element, element.businessObject, TASK_PROPERTIES[key], panel[key].value.trim());
      if (key === 'formSelect') fillFormOptions(panel.formSelect.value);
    });
  });
  panel.field.addEventListener('change', fillValueChoices);

  // The condition builder writes `field op value` with values quoted by JSON's rules, which
  // the safe evaluator reads as Python literals.
  function literal(field, raw) {
    var type = field ? field.type : 'string';
    if (type === 'integer' || type === 'number') {
      if (!/^-?\d+(\.\d+)?$/.test(raw)) throw new Error(texts.needNumber);
      return raw;
    }
    if (type === 'boolean') {
      var lower = raw.toLowerCase();
      if (lower === 'true' || lower === 'ya') return 'True';
      if (lower === 'false' || lower === 'tidak') return 'False';
      throw new Error(texts.needBoolean);
    }
    return JSON.stringify(raw);
  }

  function buildCondition() {
    var name = panel.field.value;
    if (!name) throw new Error(texts.needField);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(texts.badName);
    var field = fieldOf(name);
    var op = panel.op.value;
    var raw = panel.value.value.trim();
    var right;
    if (op === 'in' || op === 'not in') {
      var parts = raw.split(',').map(function (part) { return part.trim(); }).filter(Boolean);
      if (!parts.length) throw new Error(texts.needValue);
      right = '[' + parts.map(function (part) { return literal(field, part); }).join(', ') + ']';
    } else {
      if (!raw) throw new Error(texts.needValue);
      right = literal(field, raw);
    }
    return name + ' ' + op + ' ' + right;
  }

  document.getElementById('c-apply').addEventListener('click', function () {
    var element = state.selected;
    if (!element) return;
    var text;
    try {
      text = buildCondition();
    } catch (error) {
      panel.error.textContent = error.message;
      panel.error.hidden = false;
      return;
    }
    panel.error.hidden = true;
    modeling.updateProperties(element, { conditionExpression: moddle.create('bpmn:FormalExpression', { body: text }) });
  });
  document.getElementById('c-clear').addEventListener('click', function () {
    if (state.selected) modeling.updateProperties(state.selected, { conditionExpression: undefined });
  });

  eventBus.on('selection.changed', function (event) {
    show(event.newSelection.length === 1 ? event.newSelection[0] : null);
  });
  eventBus.on('commandStack.changed', function () {
    state.changes += 1;
    if (dirty()) setStatus(texts.dirty);
    if (state.selected && !registry.get(state.selected.id)) show(null);
    else if (state.selected) show(state.selected);
  });
  window.addEventListener('beforeunload', function (event) {
    if (dirty()) {
      event.preventDefault();
      event.returnValue = '';
    }
  });

  // Problems on the diagram ------------------------------------------------------------------

  function shapeFor(id) {
    var element = registry.get(id);
    if (element) return element;
    // A problem of the process itself is shown on its pool.
    return registry.filter(function (e) {
      return is(e, 'bpmn:Participant') && e.businessObject.get('processRef') && e.businessObject.get('processRef').id === id;
    })[0] || null;
  }

  function clearResult() {
    overlays.remove({ type: 'problem' });
    registry.forEach(function (element) { canvas.removeMarker(element, 'has-problem'); });
    state.problems = {};
    resultBox.innerHTML = '';
    fillProblems(state.selected);
  }

  function alertBox(kind, id) {
    var box = document.createElement('div');
    box.className = 'alert alert-' + kind;
    box.setAttribute('role', kind === 'danger' ? 'alert' : 'status');
    if (id) box.id = id;
    resultBox.appendChild(box);
    return box;
  }

  function showProblems(problems, message) {
    clearResult();
    var general = [];
    var located = [];
    Object.keys(problems).forEach(function (id) {
      var element = id === 'bpmn' ? null : shapeFor(id);
      if (!element) {
        general.push([id, problems[id]]);
        return;
      }
      located.push([element, problems[id]]);
      (state.problems[element.id] = state.problems[element.id] || []).push(problems[id]);
      canvas.addMarker(element, 'has-problem');
      var badge = document.createElement('span');
      badge.className = 'modeler-problem';
      badge.textContent = '!';
      badge.title = problems[id];
      badge.dataset.problemFor = element.id;
      overlays.add(element, 'problem', { position: { top: -10, right: 10 }, html: badge });
    });
    var box = alertBox('danger', 'modeler-problems');
    var title = document.createElement('p');
    title.className = 'fw-semibold mb-1';
    title.textContent = message || (texts.problems + ' (' + Object.keys(problems).length + ')');
    box.appendChild(title);
    var list = document.createElement('ul');
    list.className = 'modeler-problems mb-0';
    general.forEach(function (pair) {
      var item = document.createElement('li');
      item.dataset.element = pair[0];
      item.textContent = (pair[0] === 'bpmn' ? texts.problemModel : pair[0]) + ': ' + pair[1];
      list.appendChild(item);
    });
    located.forEach(function (pair) {
      var element = pair[0];
      var item = document.createElement('li');
      item.dataset.element = element.id;
      var link = document.createElement('button');
      link.type = 'button';
      link.className = 'btn btn-link p-0 align-baseline';
      link.textContent = (element.businessObject.name || element.id) + ' (' + element.id + ')';
      link.addEventListener('click', function () {
        selection.select(element);
        canvas.scrollToElement(element);
      });
      item.appendChild(link);
      item.appendChild(document.createTextNode(': ' + pair[1]));
      list.appendChild(item);
    });
    box.appendChild(list);
    fillProblems(state.selected);
  }

  // Talking to the server ------------------------------------------------------------------

  function send(url, body) {
    return fetch(url, {
      method: body === undefined ? 'GET' : 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'Accept': 'application/json', 'X-CSRFToken': urls.csrf },
      body: body === undefined ? undefined : JSON.stringify(body)
    }).then(function (response) {
      return response.text().then(function (text) {
        var data = null;
        try { data = JSON.parse(text); } catch (e) { data = null; }
        return { ok: response.ok, status: response.status, data: data };
      });
    });
  }

  function errorOf(result) {
    return (result.data && result.data.error) || { message: 'HTTP ' + result.status, fields: {} };
  }

  function takeDraft(data) {
    state.token = data.token;
    state.forms = data.forms || {};
    state.fields = data.fields || [];
    state.saved = data.saved;
  }

  function loadDraft() {
    return send(urls.draft).then(function (result) {
      if (!result.ok) throw new Error(errorOf(result).message);
      return result.data;
    });
  }

  function exportXml() {
    return modeler.saveXML({ format: true }).then(function (result) { return result.xml; });
  }

  function save() {
    var changes = state.changes;
    setStatus(texts.saving);
    return exportXml().then(function (xml) {
      return send(urls.save, { xml: xml, forms: state.forms, token: state.token }).then(function (result) {
        var fields = result.status === 409 ? (errorOf(result).fields || {}) : null;
        if (fields && fields.forms && !fields.xml) {
          // Only the forms changed meanwhile (the form editor): this page does not edit forms,
          // so it takes the new ones and saves its model again.
          return loadDraft().then(function (data) {
            takeDraft(data);
            return send(urls.save, { xml: xml, forms: state.forms, token: state.token });
          });
        }
        return result;
      });
    }).then(function (result) {
      if (!result.ok) throw new Error(errorOf(result).message);
      state.token = result.data.token;
      state.saved = true;
      state.savedChanges = changes;
      setStatus(dirty() ? texts.dirty : result.data.message);
      return result;
    });
  }

  function busy(on) {
    state.busy = on;
    Object.keys(buttons).forEach(function (key) { buttons[key].disabled = on; });
    container.setAttribute('aria-busy', on ? 'true' : 'false');
  }

  function run(action) {
    if (state.busy) return;
    busy(true);
    action().catch(function (error) {
      setStatus(texts.requestError + ' ' + error.message);
      clearResult();
      alertBox('danger').textContent = texts.requestError + ' ' + error.message;
    }).then(function () { busy(false); });
  }

  buttons.save.addEventListener('click', function () {
    run(function () { return save(); });
  });

  // Validate what the canvas shows; resolves to whether it is valid, the problems drawn.
  function validate(quietWhenValid) {
    setStatus(texts.validating);
    return exportXml().then(function (xml) {
      return send(urls.validate, { xml: xml, forms: state.forms });
    }).then(function (result) {
      if (!result.ok) throw new Error(errorOf(result).message);
      setStatus(dirty() ? texts.dirty : '');
      if (!result.data.valid) {
        showProblems(result.data.problems, result.data.message);
        return false;
      }
      clearResult();
      if (!quietWhenValid) alertBox('success', 'modeler-valid').textContent = result.data.message;
      return true;
    });
  }

  buttons.validate.addEventListener('click', function () {
    run(function () { return validate(false); });
  });

  // Deploy: validate first (the problems are drawn, nothing is sent), save what changed,
  // then the server validates again and deploys the stored draft.
  buttons.deploy.addEventListener('click', function () {
    run(function () {
      return validate(true).then(function (valid) {
        if (!valid) return null;
        return (dirty() ? save() : Promise.resolve()).then(function () {
          setStatus(texts.deploying);
          return send(urls.deploy, { notes: notes.value, token: state.token });
        });
      }).then(function (result) {
        if (!result) return null;
        if (!result.ok) {
          var error = errorOf(result);
          if (result.status === 422 && error.fields && Object.keys(error.fields).length) {
            setStatus('');
            showProblems(error.fields, error.message);
            return null;
          }
          throw new Error(error.message);
        }
        clearResult();
        var box = alertBox('success', 'modeler-deployed');
        box.appendChild(document.createTextNode(result.data.message + ' '));
        var link = document.createElement('a');
        link.href = result.data.url;
        link.className = 'alert-link';
        link.textContent = texts.showVersion;
        box.appendChild(link);
        box.dataset.version = result.data.version;
        notes.value = '';
        setStatus('');
        return loadDraft().then(takeDraft);
      });
    });
  });

  // Start ------------------------------------------------------------------------------------

  // The whole diagram in view, beside the palette (which floats over the canvas's left edge).
  function fit() {
    canvas.zoom('fit-viewport');
    var inner = canvas.viewbox().inner;
    var outer = canvas.viewbox().outer;
    var left = 100, pad = 16;
    if (!inner.width || !inner.height || outer.width <= left + 2 * pad) return;
    var scale = Math.min((outer.width - left - 2 * pad) / inner.width, (outer.height - 2 * pad) / inner.height, 1);
    canvas.viewbox({ x: inner.x - (left + pad) / scale, y: inner.y - pad / scale,
                     width: outer.width / scale, height: outer.height / scale });
  }

  setStatus(texts.loading);
  loadDraft().then(function (data) {
    takeDraft(data);
    return modeler.importXML(data.xml);
  }).then(function () {
    fit();
    state.changes = state.savedChanges = 0;
    busy(false);
    setStatus(texts.loaded);
    container.dataset.rendered = 'true';
  }).catch(function (error) {
    setStatus(texts.loadError + ' ' + error.message);
    container.dataset.rendered = 'error';
  });
})();
