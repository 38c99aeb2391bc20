// The "Copier" button of a text field: shown only when scripts run; says in an aria-live line what happened.
(function () {
  "use strict";
  document.querySelectorAll("[data-copy-target]").forEach(function (button) {
    var field = document.getElementById(button.dataset.copyTarget);
    var status = document.getElementById(button.dataset.copyStatus);
    if (!field || !status) {
      return;
    }
    // The button sits in a hidden wrapper (DSFR's .fr-btn display would beat a hidden attribute on the button).
    var wrapper = document.getElementById(button.dataset.copyWrapper);
    if (wrapper) {
      wrapper.hidden = false;
    }
    function say(message) {
      status.textContent = "";
      window.setTimeout(function () { status.textContent = message; }, 50);
    }
    function fallback() {
      field.focus();
      field.select();
      try {
        say(document.execCommand("copy") ? status.dataset.copied : status.dataset.failed);
      } catch (error) {
        say(status.dataset.failed);
      }
    }
    button.addEventListener("click", function () {
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(function () { say(status.dataset.copied); }, fallback);
      } else {
        fallback();
      }
    });
  });
})();
