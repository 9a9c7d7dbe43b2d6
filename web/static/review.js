// Review page: clicking a field (in the field list, a finding, or its box on the page image)
// highlights its box, scrolls the image to it, and puts the field into the correction form. Without
// JavaScript the same links reload the page with ?field=NAME, which the server renders the same way.
(function () {
  "use strict";
  var pages = document.querySelector(".pages");
  var editName = document.getElementById("edit-field");
  var editValue = document.getElementById("edit-value");
  var editLabel = document.getElementById("edit-label");

  function select(name) {
    document.querySelectorAll(".box.selected, .fields-table tr.selected").forEach(function (el) {
      el.classList.remove("selected");
    });
    var box = null;
    document.querySelectorAll(".box").forEach(function (el) {
      if (el.dataset.field === name) { el.classList.add("selected"); box = box || el; }
    });
    var row = document.getElementById("row-" + name);
    if (row) {
      row.classList.add("selected");
      var list = row.closest(".fields-scroll");
      if (list) {
        list.scrollTop += row.getBoundingClientRect().top - list.getBoundingClientRect().top
                          - list.clientHeight / 3;
      }
    }
    if (box && pages) {
      // scroll the page pane (not the window) so the box sits a third of the way down
      var b = box.getBoundingClientRect(), p = pages.getBoundingClientRect();
      pages.scrollTo({top: Math.max(0, pages.scrollTop + b.top - p.top - pages.clientHeight / 3),
                      left: Math.max(0, pages.scrollLeft + b.left - p.left - pages.clientWidth / 3),
                      behavior: "auto"});
    }
    if (editName && row) {
      editName.value = name;
      editLabel.textContent = row.dataset.label + " (" + name + ")";
      editValue.value = row.dataset.value || "";
      if (document.getElementById("choices-" + row.dataset.type)) {
        editValue.setAttribute("list", "choices-" + row.dataset.type);
      } else {
        editValue.removeAttribute("list");
      }
      editValue.focus({preventScroll: true});
    }
    if (history.replaceState) {
      var url = new URL(window.location.href);
      url.searchParams.set("field", name);
      history.replaceState(null, "", url);
    }
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest("[data-select-field]");
    if (!link) { return; }
    event.preventDefault();
    select(link.dataset.selectField);
  });

  var filter = document.getElementById("field-filter");
  if (filter) {
    filter.addEventListener("input", function () {
      var q = filter.value.trim().toLowerCase();
      document.querySelectorAll(".fields-table tbody tr").forEach(function (tr) {
        tr.hidden = q !== "" && tr.textContent.toLowerCase().indexOf(q) === -1;
      });
    });
  }

  // zoom the page images (the boxes are in percent, so they follow)
  document.querySelectorAll("[data-zoom]").forEach(function (button) {
    button.addEventListener("click", function () {
      document.querySelectorAll(".page-inner").forEach(function (el) {
        el.style.width = button.dataset.zoom + "%";
      });
      document.querySelectorAll("[data-zoom]").forEach(function (b) {
        b.setAttribute("aria-pressed", b === button ? "true" : "false");
      });
      var current = document.querySelector(".box.selected");
      if (current) { select(current.dataset.field); }
    });
  });

  var initial = document.body.dataset.selectedField;
  if (initial) { select(initial); }
})();
