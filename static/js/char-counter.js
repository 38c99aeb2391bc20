// A live count on the long text fields (data-counter names the element that says the limit): the limit is shown
// before it is hit. Without this script, the page says the limit in words.
(function () {
  "use strict";
  function update(field, counter) {
    var max = Number(counter.getAttribute("data-max"));
    var left = max - field.value.length;
    counter.textContent = field.value.length + " / " + max.toLocaleString("fr-FR") + " caractères"
      + (left <= max / 10 ? " : plus que " + left.toLocaleString("fr-FR") : "");
    counter.classList.toggle("fr-message--warning", left <= max / 10);
  }
  Array.prototype.forEach.call(document.querySelectorAll("[data-counter]"), function (field) {
    var counter = document.getElementById(field.getAttribute("data-counter"));
    if (!counter) { return; }
    update(field, counter);
    field.addEventListener("input", function () { update(field, counter); });
  });
})();
