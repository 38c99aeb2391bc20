// The summary of a form's errors: its links put the focus in the field itself, not only scroll to it.
(function () {
  "use strict";
  document.querySelectorAll("[data-errors-summary]").forEach(function (summary) {
    if (summary.dataset.ready) { return; }
    summary.dataset.ready = "1";
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      var field = link && document.getElementById(link.getAttribute("href").slice(1));
      if (!field) { return; }
      event.preventDefault();
      field.focus();
      field.scrollIntoView({ block: "center" });
    });
  });
})();
