// Progress of a batch printing: polls the batch's etat.json and updates the page in place (no reload),
// until the batch is done or interrupted; then shows the download link.
(function () {
  "use strict";
  var root = document.getElementById("print-batch");
  if (!root || !window.fetch) { return; }
  var url = root.getAttribute("data-state-url");
  var active = { queued: true, running: true };
  if (!active[root.getAttribute("data-state")]) { return; }

  function text(id, value) {
    var node = document.getElementById(id);
    if (node) { node.textContent = value; }
  }

  function apply(state) {
    text("batch-state-label", state.state_label);
    text("batch-done", String(state.done));
    text("batch-total", String(state.total));
    var bar = document.getElementById("batch-progress");
    bar.max = state.total || 1;
    bar.value = state.done;
    bar.textContent = state.percent + " %";
    var failures = document.getElementById("batch-failures");
    var list = document.getElementById("batch-failures-list");
    list.textContent = "";
    state.failures.forEach(function (failure) {
      var item = document.createElement("li");
      item.textContent = failure.name + " (" + failure.uai + ")";
      list.appendChild(item);
    });
    failures.hidden = state.failures.length === 0;
    if (state.download_url) {
      document.getElementById("batch-download-link").href = state.download_url;
      text("batch-expires", state.expires_label);
      document.getElementById("batch-download").hidden = false;
    }
    root.setAttribute("data-state", state.state);
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (state) {
        if (state) { apply(state); }
        if (!state || active[state.state]) { window.setTimeout(poll, 1500); }
        else if (state.state !== "done" || !state.download_url) { window.location.reload(); }
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }

  window.setTimeout(poll, 1000);
})();
