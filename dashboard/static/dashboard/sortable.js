// Sortable comparison tables of the dashboard: each header of a table.rupn-sortable becomes a button that sorts
// the body's rows by that column (numbers by data-value, text in French order); aria-sort tells which and how.
(function () {
  "use strict";
  const collator = new Intl.Collator("fr", { numeric: true, sensitivity: "base" });
  function sortBy(table, header, index, numeric) {
    const ascending = header.getAttribute("aria-sort") !== "ascending";
    table.querySelectorAll("thead th").forEach((th) => th.removeAttribute("aria-sort"));
    header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    const body = table.tBodies[0];
    const rows = Array.from(body.rows).filter((row) => row.cells.length > index);
    const value = (row) => row.cells[index].dataset.value || row.cells[index].textContent.trim();
    rows.sort((a, b) => {
      const order = numeric ? Number(value(a)) - Number(value(b)) : collator.compare(value(a), value(b));
      return ascending ? order : -order;
    });
    rows.forEach((row) => body.appendChild(row));
  }
  document.querySelectorAll("table.rupn-sortable").forEach((table) => {
    table.querySelectorAll("thead th[data-sort]").forEach((header, index) => {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "rupn-sort-button";
      button.textContent = header.textContent;
      header.textContent = "";
      header.appendChild(button);
      button.addEventListener("click", () => sortBy(table, header, index, header.dataset.sort === "number"));
    });
  });
})();
