/**
 * Matrices: highlight a count's row and column headers on hover; on the framework matrix,
 * edit a cell (summary and linked quotes) in a dialog, saved through the JSON API.
 * Shading is done on the server with shade-N classes (no inline styles under the CSP).
 */

const $ = (id) => document.getElementById(id);
const csrfMeta = document.querySelector('meta[name="csrf-token"]');
const CSRF = csrfMeta ? csrfMeta.content : "";

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  Object.assign(node, props);
  node.append(...children);
  return node;
}

async function request(method, url, body) {
  const options = { method, credentials: "same-origin", headers: { Accept: "application/json" } };
  if (body !== undefined) {
    options.headers["Content-Type"] = "application/json";
    options.headers["X-CSRF-Token"] = CSRF;
    options.body = JSON.stringify(body);
  }
  const response = await fetch(url, options);
  const data = await response.json().catch(() => null);
  if (!response.ok) throw new Error((data && data.error) || `${response.status} ${response.statusText}`);
  return data;
}

function hoverHeaders() {
  const table = $("matrix");
  if (!table) return;
  const heads = table.querySelectorAll("thead th");
  table.addEventListener("mouseover", (event) => {
    const td = event.target.closest("td");
    for (const th of table.querySelectorAll(".hover")) th.classList.remove("hover");
    if (!td) return;
    td.parentElement.querySelector("th")?.classList.add("hover");
    heads[td.cellIndex]?.classList.add("hover");
  });
}

function frameworkEditor() {
  const table = $("framework");
  const dialog = $("fw-editor");
  if (!table || !dialog) return;
  const summary = $("fw-summary");
  const list = $("fw-candidates");
  const error = $("fw-error");
  let cell = null;

  function candidate(quote, linked) {
    const box = el("input", { type: "checkbox", value: String(quote.coding_id), checked: linked });
    const who = el("span", { className: "who",
      textContent: `${quote.speaker || "unknown"} · ${quote.document} · coded by ${quote.coder || "-"}` });
    return el("li", {}, el("label", {}, box, el("span", {}, el("span", { textContent: quote.text }), who)));
  }

  async function open(td) {
    cell = td;
    error.textContent = "";
    list.replaceChildren(el("li", { className: "muted", textContent: "Loading…" }));
    dialog.showModal();
    try {
      const data = await request("GET", td.dataset.cellUrl);
      $("fw-editor-title").textContent = `${data.case} · ${data.theme}`;
      summary.value = data.summary;
      const linked = new Set(data.coding_ids);
      const shown = new Set();
      list.replaceChildren();
      for (const quote of [...data.quotes, ...data.candidates]) {
        if (shown.has(quote.coding_id)) continue;
        shown.add(quote.coding_id);
        list.append(candidate(quote, linked.has(quote.coding_id)));
      }
      if (!shown.size) list.append(el("li", { className: "muted", textContent: "No coded quotes for this theme in this case." }));
      summary.focus();
    } catch (exc) {
      error.textContent = exc.message;
    }
  }

  function render(td, data) {
    const text = td.querySelector(".fw-summary");
    text.textContent = data.summary || "No summary yet.";
    text.classList.toggle("empty", !data.summary);
    const quotes = td.querySelector(".fw-quotes");
    quotes.replaceChildren(...data.quotes.map((q) => el("li", {},
      `“${q.text.length > 160 ? `${q.text.slice(0, 157)}…` : q.text}” `,
      el("span", { className: "muted", textContent: `(${q.speaker || "unknown"}, ${q.document})` }))));
  }

  $("fw-editor-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const ids = [...list.querySelectorAll("input:checked")].map((box) => Number(box.value));
    $("fw-save").disabled = true;
    try {
      const data = await request("POST", cell.dataset.cellUrl, { summary: summary.value, coding_ids: ids });
      render(cell, data);
      dialog.close();
    } catch (exc) {
      error.textContent = exc.message;
    } finally {
      $("fw-save").disabled = false;
    }
  });
  $("fw-cancel").addEventListener("click", () => dialog.close());
  table.addEventListener("click", (event) => {
    const button = event.target.closest(".fw-edit");
    if (button) open(button.closest("td"));
  });
}

hoverHeaders();
frameworkEditor();
