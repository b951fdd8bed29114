// Sorts a table by the column whose header is pressed (again: the other
// way). Numbers sort by their value (data-sort), text as text; the state is
// announced through aria-sort. Written without the characters an XML
// reader treats as markup, so that the page stays well-formed XML.
(function () {
  function key(cell) {
    var given = cell.getAttribute("data-sort");
    if (given !== null) {
      var x = parseFloat(given);
      if (!isNaN(x)) {
        return x;
      }
    }
    return cell.textContent.trim().toLowerCase();
  }
  function compare(a, b) {
    if (typeof a !== typeof b) {
      return typeof a === "number" ? -1 : 1;
    }
    return a > b ? 1 : (b > a ? -1 : 0);
  }
  document.querySelectorAll("table.sortable").forEach(function (table) {
    var heads = table.querySelectorAll("thead th");
    heads.forEach(function (th, column) {
      var button = th.querySelector("button");
      if (!button) {
        return;
      }
      button.addEventListener("click", function () {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        heads.forEach(function (other) {
          other.setAttribute("aria-sort", "none");
        });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var c = compare(key(a.cells[column]), key(b.cells[column]));
          return ascending ? c : -c;
        });
        rows.forEach(function (row) {
          body.appendChild(row);
        });
      });
    });
  });
  document.body.setAttribute("data-ready", "yes");
})();
