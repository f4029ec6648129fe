/**
 * The Agreement pages: sort the per-code table by any column (not computable values last),
 * and on the review page turn a text selection in an excerpt into the "edit" decision's span.
 * Everything works without this script; it only saves clicks.
 */

function cellValue(row, column, numeric) {
  const raw = row.cells[column].dataset.value ?? row.cells[column].textContent.trim();
  if (!numeric) return raw.toLowerCase();
  return raw === "" ? null : Number(raw);
}

function sortTable(table, column, numeric, direction) {
  const body = table.tBodies[0];
  const rows = Array.from(body.rows);
  rows.sort((x, y) => {
    const a = cellValue(x, column, numeric);
    const b = cellValue(y, column, numeric);
    if (a === null || b === null) return (a === null) - (b === null); // n/c always last
    if (a < b) return -direction;
    if (a > b) return direction;
    return 0;
  });
  body.append(...rows);
}

function initSortable(table) {
  const buttons = table.querySelectorAll("button.sort");
  for (const button of buttons) {
    button.addEventListener("click", () => {
      const ascending = button.getAttribute("aria-sort") !== "ascending";
      for (const other of buttons) other.removeAttribute("aria-sort");
      button.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      sortTable(table, Number(button.dataset.column), button.dataset.type !== "text",
        ascending ? 1 : -1);
    });
  }
}

/** Code points from the start of `piece` to `offset` UTF-16 units into its text node. */
function codePoint(node, offset) {
  const piece = node.nodeType === Node.TEXT_NODE ? node.parentElement : node;
  const span = piece && piece.closest(".piece");
  if (!span) return null;
  const before = node.nodeType === Node.TEXT_NODE ? node.data.slice(0, offset) : "";
  return Number(span.dataset.start) + Array.from(before).length;
}

function initSelections(item) {
  const form = item.querySelector("form.adjudicate");
  if (!form) return;
  item.addEventListener("mouseup", () => {
    const selection = window.getSelection();
    if (!selection || selection.isCollapsed || selection.rangeCount === 0) return;
    const range = selection.getRangeAt(0);
    const excerpt = (node) => (node.nodeType === Node.TEXT_NODE ? node.parentElement : node)
      ?.closest(".excerpt");
    const where = excerpt(range.startContainer);
    if (!where || !item.contains(where) || where !== excerpt(range.endContainer)) return;
    const start = codePoint(range.startContainer, range.startOffset);
    const end = codePoint(range.endContainer, range.endOffset);
    if (start === null || end === null || end <= start) return;
    form.elements.edit_start.value = start;
    form.elements.edit_end.value = end;
    form.querySelector('input[name="decision"][value="edit"]').checked = true;
  });
}

for (const table of document.querySelectorAll("table.sortable")) initSortable(table);
for (const item of document.querySelectorAll("section.item")) initSelections(item);
