// Review page: clicking a field (in the field list or a finding) highlights its box on the page
// image, scrolls the image to it, and puts the field into the correction form. Without
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
      row.scrollIntoView({block: "nearest"});
    }
    if (box && pages) {
      var top = box.offsetTop + box.parentElement.offsetTop - pages.clientHeight / 3;
      var left = box.offsetLeft - pages.clientWidth / 3;
      pages.scrollTo({top: Math.max(0, top), left: Math.max(0, left), behavior: "smooth"});
    }
    if (editName && row) {
      editName.value = name;
      editLabel.textContent = row.dataset.label + " (" + name + ")";
      editValue.value = row.dataset.value || "";
      editValue.focus();
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

  var initial = document.body.dataset.selectedField;
  if (initial) { select(initial); }
})();
