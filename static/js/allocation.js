// Live rule checks of the allocation table: the server checks what is typed (same rules as on save)
// and the messages appear beside each row, announced by their aria-live region.
(function () {
  "use strict";
  var form = document.getElementById("allocation-form");
  if (!form || !window.fetch) { return; }
  var url = form.getAttribute("data-check-url");
  var timer = null;
  var labels = { blocking: "Bloquant :", warning: "Avertissement :" };

  function renderMessages(region, messages) {
    region.textContent = "";
    if (!messages.length) { return; }
    var list = document.createElement("ul");
    list.className = "fr-mb-0";
    messages.forEach(function (message) {
      var item = document.createElement("li");
      item.className = "fr-message fr-message--" + (message.level === "blocking" ? "error" : "warning");
      item.textContent = labels[message.level] + " " + message.text;
      list.appendChild(item);
    });
    region.appendChild(list);
  }

  function apply(result) {
    Object.keys(result.rows).forEach(function (key) {
      var region = document.getElementById(key + "-messages");
      var row = document.getElementById(key);
      if (!region || !row) { return; }
      var messages = result.rows[key];
      renderMessages(region, messages);
      var status = messages.some(function (m) { return m.level === "blocking"; }) ? "blocking" : (messages.length ? "warning" : "ok");
      row.classList.remove("rupn-row--blocking", "rupn-row--warning", "rupn-row--ok");
      row.classList.add("rupn-row--" + status);
    });
    var plan = document.getElementById("plan-messages");
    if (plan) {
      plan.textContent = "";
      result.plan.forEach(function (message) {
        var alert = document.createElement("div");
        alert.className = "fr-alert fr-alert--warning fr-alert--sm fr-mb-2w";
        var p = document.createElement("p");
        p.textContent = message.text;
        alert.appendChild(p);
        plan.appendChild(alert);
      });
    }
    var training = document.getElementById("training-list");
    if (training) { training.textContent = result.training.length ? result.training.join(", ") : "Personne n'est encore désigné."; }
    var summary = document.getElementById("blocking-summary");
    if (summary) {
      summary.textContent = result.blocking === 0
        ? "Aucune règle bloquante : le plan peut être soumis."
        : result.blocking + (result.blocking === 1 ? " règle bloquante empêche la soumission." : " règles bloquantes empêchent la soumission.");
    }
  }

  function check() {
    var data = new FormData(form);
    fetch(url, { method: "POST", body: data, credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (result) { if (result) { apply(result); } })
      .catch(function () { /* the checks run again on save */ });
  }

  function schedule() {
    window.clearTimeout(timer);
    timer = window.setTimeout(check, 300);
  }

  // Under each list of people, the current selection in words (the list box alone says little of it).
  function showSelection(select) {
    var row = select.closest("fieldset");
    var region = row && document.getElementById(row.id + "-selection");
    if (!region) { return; }
    var names = Array.prototype.filter.call(select.options, function (option) { return option.selected; })
      .map(function (option) { return option.text.split(" — ")[0]; });
    region.textContent = "Sélection : " + (names.length ? names.join(", ") : "aucune personne");
  }

  form.addEventListener("change", function (event) {
    if (event.target.matches("select[multiple]")) { showSelection(event.target); }
    schedule();
  });
  form.addEventListener("input", schedule);
})();
