// Column editor of a data template: add, remove and move rows. The form works without it (the
// server renders blank rows and ignores them); this only makes the row list editable in place.
// Loaded as a file: the Content-Security-Policy forbids inline scripts and handlers.
(function () {
  "use strict";
  var body = document.querySelector("[data-column-rows]");
  var blank = document.getElementById("column-row-template");
  var addButton = document.querySelector("[data-add-column]");
  if (!body || !blank || !addButton) { return; }

  // The server reads a checked "required" box by its value, the row's position: keep it, the
  // row number and the ids tying inputs to their row header in step with the order on screen.
  function renumber() {
    Array.prototype.forEach.call(body.rows, function (row, index) {
      var header = row.querySelector("[data-row-number]");
      header.id = "col-row-" + index;
      header.textContent = String(index + 1);
      row.querySelector("input[name='col_required']").value = String(index);
      row.querySelectorAll("[aria-labelledby]").forEach(function (field) {
        var ids = field.getAttribute("aria-labelledby").split(" ").map(function (id) {
          return /^col-row-\d+$/.test(id) ? header.id : id;
        });
        field.setAttribute("aria-labelledby", ids.join(" "));
      });
      row.querySelector("[data-action='up']").disabled = index === 0;
      row.querySelector("[data-action='down']").disabled = index === body.rows.length - 1;
    });
  }

  function showTools(row) {
    row.querySelector("[data-row-tools]").hidden = false;
  }

  function addRow() {
    var row = blank.content.firstElementChild.cloneNode(true);
    body.appendChild(row);
    showTools(row);
    renumber();
    return row;
  }

  function onRowAction(event) {
    var button = event.target.closest("[data-action]");
    if (!button) { return; }
    var row = button.closest("tr");
    var action = button.getAttribute("data-action");
    if (action === "up" && row.previousElementSibling) {
      body.insertBefore(row, row.previousElementSibling);
    } else if (action === "down" && row.nextElementSibling) {
      body.insertBefore(row.nextElementSibling, row);
    } else if (action === "remove") {
      var next = row.nextElementSibling || row.previousElementSibling;
      row.remove();
      if (!next) { next = addRow(); }  // always keep one row to type into
      renumber();
      next.querySelector("input[name='col_name']").focus();
      return;
    }
    renumber();
    // A disabled button (first row's "up", last row's "down") cannot keep the focus.
    (button.disabled ? row.querySelector("input[name='col_name']") : button).focus();
  }

  Array.prototype.forEach.call(body.rows, showTools);
  body.addEventListener("click", onRowAction);
  addButton.hidden = false;
  addButton.addEventListener("click", function () {
    addRow().querySelector("input[name='col_name']").focus();
  });
  renumber();
})();
