/**
 * The Evidence page: code-tree search, the Boolean query builder, colour swatches, and
 * "Show context" (the quote's surrounding turns, fetched from the JSON API). The results
 * themselves are rendered by the server; pin buttons are handled by pin.js.
 */

const $ = (id) => document.getElementById(id);

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  Object.assign(node, props);
  node.append(...children);
  return node;
}

function swatches(root = document) {
  for (const swatch of root.querySelectorAll(".swatch[data-color]")) {
    swatch.style.backgroundColor = swatch.dataset.color;
  }
}

function codeFilter() {
  const input = $("code-filter");
  const tree = $("code-tree");
  if (!input || !tree) return;
  // A code shows when its path holds every term, or when one of its sub-codes does.
  input.addEventListener("input", () => {
    const terms = input.value.toLowerCase().split(/\s+/).filter(Boolean);
    const items = [...tree.querySelectorAll("li[data-path]")];
    const hits = items.map((item) => item.dataset.path)
      .filter((path) => terms.every((term) => path.includes(term)));
    for (const item of items) {
      const path = item.dataset.path;
      item.hidden = !hits.some((hit) => hit === path || hit.startsWith(`${path}/`));
    }
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter") event.preventDefault(); // searching the tree is not submitting
  });
}

function quoted(path) {
  return `"${path.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`;
}

function builder() {
  const query = $("query");
  const add = $("builder-add");
  if (!query || !add) return;
  const op = $("builder-op");
  const near = $("builder-near");
  const code = $("builder-code");
  const syncNear = () => { near.hidden = op.value !== "NEAR"; };
  op.addEventListener("change", syncNear);
  syncNear();
  add.addEventListener("click", () => {
    const text = query.value.trim();
    const operator = op.value === "NEAR" ? `NEAR/${Math.max(0, Number(near.value) || 0)}` : op.value;
    query.value = text ? `${text} ${operator} ${quoted(code.value)}` : quoted(code.value);
    query.focus();
  });
  $("builder-clear").addEventListener("click", () => { query.value = ""; query.focus(); });
}

/** The turns around a quote, the quote itself marked in the turn(s) it touches. */
function renderContext(box, data, quote) {
  const start = Number(quote.dataset.start);
  const end = Number(quote.dataset.end);
  const list = el("div", { className: "turns" });
  for (const turn of data.turns) {
    const who = el("span", { className: "who", textContent: `${turn.speaker || "—"}: ` });
    const body = el("span", { className: "said" });
    const a = Math.max(start, turn.start) - turn.start;
    const b = Math.min(end, turn.end) - turn.start;
    // offsets are code points: index the text as an array of code points
    const chars = Array.from(turn.text);
    if (turn.hit && b > a) {
      body.append(chars.slice(0, a).join(""), el("mark", { textContent: chars.slice(a, b).join("") }),
        chars.slice(b).join(""));
    } else {
      body.textContent = turn.text;
    }
    const line = el("p", { className: "turn" }, who, body);
    if (turn.hit) line.classList.add("hit");
    if (turn.is_interviewer) line.classList.add("interviewer");
    list.append(line);
  }
  const more = el("button", { type: "button", className: "link more", textContent: "More context" });
  more.addEventListener("click", () => loadContext(quote, Number(box.dataset.turns || 1) + 2));
  box.replaceChildren(list, more);
}

async function loadContext(quote, turns = 1) {
  const box = quote.querySelector(".context");
  const url = `${quote.dataset.contextUrl}&turns=${turns}`;
  box.dataset.turns = String(turns);
  box.replaceChildren(el("span", { className: "spinner", title: "Loading" }));
  try {
    const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
    const data = await response.json();
    if (!response.ok) throw new Error(data.error || response.statusText);
    renderContext(box, data, quote);
  } catch (exc) {
    box.replaceChildren(el("p", { className: "error-message", textContent: `Context could not be loaded: ${exc.message}` }));
  }
}

function contexts() {
  const list = $("quotes");
  if (!list) return;
  list.addEventListener("click", (event) => {
    const button = event.target.closest(".context-toggle");
    if (!button) return;
    const quote = button.closest(".quote");
    const box = quote.querySelector(".context");
    const open = box.hidden;
    box.hidden = !open;
    button.setAttribute("aria-expanded", String(open));
    button.textContent = open ? "Hide context" : "Show context";
    if (open && !box.dataset.turns) loadContext(quote);
  });
}

swatches();
codeFilter();
builder();
contexts();
