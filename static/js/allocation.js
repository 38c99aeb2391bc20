// The allocation table, enhanced (it works without this script: plain checkboxes, checks on save).
// - Live rule checks: what is typed is posted to the server, which answers the rules part of the page as HTML
//   (missions/_allocation_rules.html, the same templates as the page's); each piece replaces the content of the
//   element it names, inside the page's aria-live regions. No rule is known here.
// - The people picker: a search field above each list, and the selection shown as removable tags.
(function () {
  "use strict";
  var form = document.getElementById("allocation-form");
  if (!form) { return; }
  var url = form.getAttribute("data-check-url");
  var timer = null;
  var sent = 0;

  function swap(html) {
    var fragment = new DOMParser().parseFromString(html, "text/html");
    Array.prototype.forEach.call(fragment.querySelectorAll("[data-target]"), function (piece) {
      var target = document.getElementById(piece.getAttribute("data-target"));
      if (!target) { return; }
      if (target.innerHTML !== piece.innerHTML) { target.innerHTML = piece.innerHTML; }
      var row = piece.getAttribute("data-row") && document.getElementById(piece.getAttribute("data-row"));
      if (row) {
        row.classList.remove("rupn-row--blocking", "rupn-row--warning", "rupn-row--ok");
        row.classList.add("rupn-row--" + piece.getAttribute("data-status"));
      }
    });
  }

  function check() {
    if (!url || !window.fetch) { return; }
    var number = ++sent;
    fetch(url, { method: "POST", body: new FormData(form), credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) { if (html !== null && number === sent) { swap(html); } })  // only the latest answer
      .catch(function () { /* the checks run again on save */ });
  }

  function schedule() {
    window.clearTimeout(timer);
    timer = window.setTimeout(check, 250);
  }

  function plain(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  // Under each list, the current selection as tags; a tag's button unticks the person.
  function showSelection(picker) {
    var region = document.getElementById(picker.id.replace(/-holders$/, "-selection"));
    if (!region) { return; }
    var boxes = Array.prototype.filter.call(picker.querySelectorAll("input[type=checkbox]"), function (box) { return box.checked; });
    region.textContent = "Sélection : " + (boxes.length ? "" : "aucune personne");
    if (!boxes.length) { return; }
    var list = document.createElement("ul");
    list.className = "fr-tags-group rupn-tags";
    boxes.forEach(function (box) {
      var item = document.createElement("li");
      var tag = document.createElement("button");
      tag.type = "button";
      tag.className = "fr-tag fr-tag--sm fr-tag--dismiss";
      tag.textContent = box.getAttribute("data-name");
      tag.setAttribute("aria-label", "Retirer " + box.getAttribute("data-name"));
      tag.disabled = box.disabled;
      tag.addEventListener("click", function () {
        var search = picker.querySelector("input[type=search]");
        if (search && box.closest("li").hidden) {  // the box is filtered out: show the whole list again
          search.value = "";
          search.dispatchEvent(new Event("input"));
        }
        box.checked = false;
        box.dispatchEvent(new Event("change", { bubbles: true }));
        box.focus();
      });
      item.appendChild(tag);
      list.appendChild(item);
    });
    region.appendChild(list);
  }

  function addSearch(picker, index) {
    var list = picker.querySelector(".rupn-picker__list");
    var items = list ? list.querySelectorAll("li") : [];
    if (items.length < 8) { return; }
    var id = picker.id + "-search";
    var group = document.createElement("div");
    group.className = "fr-input-group fr-mb-1w rupn-picker__search";
    var label = document.createElement("label");
    label.className = "fr-label";
    label.htmlFor = id;
    label.textContent = "Rechercher une personne";
    var input = document.createElement("input");
    input.type = "search";
    input.id = id;
    input.className = "fr-input";
    input.setAttribute("autocomplete", "off");
    input.setAttribute("aria-controls", list.id);
    var status = document.createElement("p");
    status.className = "fr-hint-text fr-sr-only";
    status.id = id + "-status";
    status.setAttribute("aria-live", "polite");
    input.setAttribute("aria-describedby", status.id);
    group.appendChild(label);
    group.appendChild(input);
    group.appendChild(status);
    list.parentNode.insertBefore(group, list);
    input.addEventListener("input", function (event) {
      event.stopPropagation();  // a search is not a change of the table
      var words = plain(input.value).split(/\s+/).filter(Boolean);
      var shown = 0;
      Array.prototype.forEach.call(items, function (item) {
        var text = plain(item.textContent);
        var match = words.every(function (word) { return text.indexOf(word) !== -1; });
        item.hidden = !match;
        if (match) { shown += 1; }
      });
      status.textContent = words.length ? shown + (shown > 1 ? " personnes trouvées" : " personne trouvée") : "";
    });
    input.addEventListener("keydown", function (event) {
      if (event.key !== "Enter") { return; }
      event.preventDefault();  // Enter ticks the first person found instead of saving the table
      var first = Array.prototype.find.call(items, function (item) { return !item.hidden; });
      var box = first && first.querySelector("input[type=checkbox]");
      if (box && !box.disabled) {
        box.checked = !box.checked;
        box.dispatchEvent(new Event("change", { bubbles: true }));
      }
    });
  }

  Array.prototype.forEach.call(form.querySelectorAll("[data-picker]"), function (picker, index) {
    addSearch(picker, index);
    showSelection(picker);
  });

  form.addEventListener("change", function (event) {
    var picker = event.target.closest("[data-picker]");
    if (picker && event.target.matches("input[type=checkbox]")) { showSelection(picker); }
    if (event.target.type !== "search") { schedule(); }
  });
  form.addEventListener("input", function (event) {
    if (event.target.type !== "search") { schedule(); }
  });
})();
