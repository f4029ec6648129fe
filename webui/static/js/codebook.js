// The codebook editor: tree with search, detail form with optimistic locking, create, move
// (drag and drop or a picker), merge with a confirmation, split by choosing codings, proposals.
// Talks to /api/p/<slug>/codebook/... (webui/views/codebook.py). No inline scripts or styles:
// colours and indentation are set here through element.style.

const root = document.getElementById("codebook");
const API = root.dataset.api;
const CAN_EDIT = root.dataset.canEdit === "true";
const CSRF = document.querySelector('meta[name="csrf-token"]').content;
const $ = (id) => document.getElementById(id);
const FIELDS = ["name", "color", "kind", "chapter", "section", "definition", "inclusion",
  "exclusion", "typical_example", "atypical_example"];

let codes = [];            // tree rows from /tree, depth first
let current = null;        // the selected code's detail, as loaded (holds its lock_version)
let dragged = null;        // id of the code being dragged
const collapsed = new Set();

class ApiError extends Error {
  constructor(status, message) { super(message); this.status = status; }
}

async function call(method, path, body) {
  const options = { method, headers: { Accept: "application/json" }, credentials: "same-origin" };
  if (body !== undefined) {
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  if (method !== "GET") options.headers["X-CSRF-Token"] = CSRF;
  const response = await fetch(API + path, options);
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new ApiError(response.status, data.error || response.statusText);
  return data;
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.includes("-")) node.setAttribute(key, value);  // data-*, aria-*
    else node[key] = value;
  }
  node.append(...children);
  return node;
}

function status(message, isError = false) {
  const box = $("cb-status");
  box.textContent = message;
  box.classList.toggle("error-message", isError);
}

// ---------------------------------------------------------------- tree

function childrenOf(id) { return codes.filter((c) => c.parent_id === id); }

function descendantsOf(id) {
  const out = new Set([id]);
  for (const code of codes) if (out.has(code.parent_id)) out.add(code.id);  // depth-first order
  return out;
}

function matches(code, query) {
  if (!query) return true;
  const hay = [code.path, code.definition || "", (code.keywords || []).join(" ")].join(" ");
  return hay.toLowerCase().includes(query);
}

function visibleIds() {
  const query = $("cb-search").value.trim().toLowerCase();
  const showInactive = $("cb-show-inactive").checked;
  const byId = new Map(codes.map((c) => [c.id, c]));
  const shown = new Set();
  for (const code of codes) {
    if (!showInactive && !code.active) continue;
    if (!matches(code, query)) continue;
    shown.add(code.id);
    for (let p = code.parent_id; p !== null && byId.has(p); p = byId.get(p).parent_id) shown.add(p);
  }
  if (!query) {  // collapsed branches hide their descendants unless searching
    for (const code of codes) {
      for (let p = code.parent_id; p !== null && byId.has(p); p = byId.get(p).parent_id) {
        if (collapsed.has(p)) { shown.delete(code.id); break; }
      }
    }
  }
  return shown;
}

function renderTree() {
  const tree = $("cb-tree");
  const shown = visibleIds();
  const nodes = [];
  for (const code of codes) {
    if (!shown.has(code.id)) continue;
    const hasChildren = childrenOf(code.id).length > 0;
    const toggle = el("button", { type: "button", class: "toggle", tabIndex: -1,
      "aria-label": hasChildren ? "Expand or collapse" : "" }, hasChildren ? (collapsed.has(code.id) ? "▸" : "▾") : "");
    toggle.disabled = !hasChildren;
    const swatch = el("span", { class: "swatch" });
    swatch.style.backgroundColor = code.color;
    const count = el("span", { class: "count", title: "codings (with sub-codes)",
      text: code.codings_with_children !== code.codings
        ? `${code.codings} / ${code.codings_with_children}` : String(code.codings) });
    const li = el("li", { class: "cb-node", role: "treeitem", tabIndex: -1, "data-id": code.id },
      toggle, swatch, el("span", { class: "name", text: code.name }));
    if (code.proposals) {
      li.append(el("span", { class: "badge proposal", title: "definition proposals",
        text: `${code.proposals} proposal${code.proposals > 1 ? "s" : ""}` }));
    }
    li.append(count);
    li.style.paddingLeft = `${0.4 + code.depth * 1.1}rem`;
    li.classList.toggle("inactive", !code.active);
    li.classList.toggle("folder", !code.codable);
    li.classList.toggle("selected", current !== null && current.id === code.id);
    li.setAttribute("aria-selected", String(current !== null && current.id === code.id));
    if (hasChildren) li.setAttribute("aria-expanded", String(!collapsed.has(code.id)));
    li.draggable = CAN_EDIT;
    nodes.push(li);
  }
  if (!nodes.length) {
    nodes.push(el("li", { class: "muted", text: codes.length ? "No code matches." : "No codes yet." }));
  }
  tree.replaceChildren(...nodes);
  const total = codes.filter((c) => c.depth === 0).reduce((n, c) => n + c.codings_with_children, 0);
  $("cb-summary").textContent = `${codes.length} codes · ${total} codings`;
}

async function loadTree() {
  const data = await call("GET", "/tree");
  codes = data.codes;
  $("cb-version").textContent = data.version;
  renderTree();
  if (current) fillPickers();
}

$("cb-tree").addEventListener("click", (event) => {
  const li = event.target.closest(".cb-node");
  if (!li) return;
  const id = Number(li.dataset.id);
  if (event.target.closest(".toggle")) {
    if (collapsed.has(id)) collapsed.delete(id); else collapsed.add(id);
    renderTree();
    return;
  }
  selectCode(id);
});

$("cb-tree").addEventListener("keydown", (event) => {
  const li = event.target.closest(".cb-node");
  if (!li) return;
  const step = { ArrowDown: "nextElementSibling", ArrowUp: "previousElementSibling" }[event.key];
  if (step && li[step]) { event.preventDefault(); li[step].focus(); }
  if (event.key === "Enter") selectCode(Number(li.dataset.id));
});

$("cb-search").addEventListener("input", renderTree);
$("cb-show-inactive").addEventListener("change", renderTree);

// ---------------------------------------------------------------- detail and editing

async function selectCode(id) {
  try {
    current = await call("GET", `/codes/${id}`);
  } catch (error) {
    status(error.message, true);
    return;
  }
  history.replaceState(null, "", `#code-${id}`);
  fillForm();
  renderTree();
  const node = $("cb-tree").querySelector(`[data-id="${id}"]`);
  if (node) node.focus({ preventScroll: true });
}

function fillForm() {
  $("cb-empty").hidden = true;
  $("cb-conflict").hidden = true;
  $("cb-form").hidden = false;
  for (const field of FIELDS) $(`f-${field}`).value = current[field] ?? "";
  $("f-color").value = current.color.toLowerCase();
  $("f-keywords").value = current.keywords.join("; ");
  $("f-active").checked = current.active;
  $("f-codable").checked = current.codable;
  $("cb-path").textContent = current.path;
  $("cb-meta").textContent = `${current.codings} codings · guid ${current.guid}`;
  status("");
  renderProposals();
  if (!CAN_EDIT) return;
  $("cb-actions").hidden = false;
  $("cb-split").hidden = true;
  $("cb-toggle-active").textContent = current.active ? "Deactivate" : "Activate";
  $("cb-delete").hidden = current.codings > 0 || childrenOf(current.id).length > 0;
  fillPickers();
}

function option(value, label) { return el("option", { value: String(value), text: label }); }

function fillPickers() {
  if (!CAN_EDIT || !current) return;
  const own = descendantsOf(current.id);
  const moveTargets = codes.filter((c) => !own.has(c.id) && c.id !== current.parent_id);
  const moveOptions = current.parent_id === null ? [] : [option("", "(top level)")];
  $("cb-move-target").replaceChildren(...moveOptions, ...moveTargets.map((c) => option(c.id, c.path)));
  const mergeTargets = codes.filter((c) => !own.has(c.id));
  $("cb-merge-target").replaceChildren(...mergeTargets.map((c) => option(c.id, c.path)));
}

function formValues() {
  const values = {};
  for (const field of FIELDS) values[field] = $(`f-${field}`).value;
  values.color = values.color.toUpperCase();
  values.keywords = $("f-keywords").value.split(";").map((k) => k.trim()).filter(Boolean);
  values.active = $("f-active").checked;
  values.codable = $("f-codable").checked;
  return values;
}

function changedValues() {
  const values = formValues();
  const changed = {};
  for (const [key, value] of Object.entries(values)) {
    const before = key === "color" ? current.color.toUpperCase() : current[key];
    if (JSON.stringify(value) !== JSON.stringify(before)) changed[key] = value;
  }
  return changed;
}

function showConflict(message) {
  $("cb-conflict-text").textContent = `${message}. Your changes are still in the form; ` +
    "reload the code to see the other change, then make yours again.";
  $("cb-conflict").hidden = false;
}

async function save(changes) {
  try {
    current = await call("PATCH", `/codes/${current.id}`, { lock_version: current.lock_version, ...changes });
  } catch (error) {
    if (error.status === 409 && /changed by someone else/.test(error.message)) showConflict(error.message);
    else status(error.message, true);
    return false;
  }
  fillForm();
  status("Saved.");
  await loadTree();
  return true;
}

$("cb-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  if (!CAN_EDIT || !current) return;
  const changes = changedValues();
  if (!Object.keys(changes).length) { status("Nothing to save."); return; }
  await save(changes);
});

$("cb-reload").addEventListener("click", () => current && selectCode(current.id));

function renderProposals() {
  const list = current.proposals.map((memo) => {
    const actions = CAN_EDIT ? el("div", { class: "row" },
      el("button", { type: "button", class: "primary", "data-accept": memo.id, text: "Accept (use this definition)" }),
      el("button", { type: "button", "data-dismiss": memo.id, text: "Dismiss" })) : "";
    const passage = memo.quote
      ? el("p", { class: "cb-passage" }, "Disputed passage: ", el("q", { text: memo.quote })) : "";
    return el("article", { class: "cb-proposal" },
      el("p", { class: "muted", text: `${memo.title || "Proposal"} · ${memo.author || "someone"} · ${(memo.created || "").slice(0, 10)}` }),
      el("blockquote", { text: memo.text }), passage, actions);
  });
  $("cb-proposal-list").replaceChildren(...list);
  $("cb-proposals").hidden = list.length === 0;
}

$("cb-proposal-list").addEventListener("click", async (event) => {
  const accept = event.target.dataset.accept;
  const dismiss = event.target.dataset.dismiss;
  if (!accept && !dismiss) return;
  try {
    current = accept
      ? await call("POST", `/proposals/${accept}/accept`, { lock_version: current.lock_version })
      : await call("POST", `/proposals/${dismiss}/dismiss`, {});
  } catch (error) {
    if (error.status === 409) showConflict(error.message); else status(error.message, true);
    return;
  }
  fillForm();
  status(accept ? "The proposed definition is now the code's definition." : "Proposal dismissed.");
  await loadTree();
});

// ---------------------------------------------------------------- confirm dialog

function confirmDialog(message, okLabel = "Confirm") {
  const dialog = $("cb-confirm");
  $("cb-confirm-text").textContent = message;
  $("cb-confirm-ok").textContent = okLabel;
  dialog.returnValue = "";
  dialog.showModal();
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => resolve(dialog.returnValue === "ok"), { once: true });
  });
}

if (CAN_EDIT) setUpEditing();

function setUpEditing() {
  // ------------------------------------------------------------ create
  let newParent = null;
  function openNew(parentId) {
    newParent = parentId;
    const parent = codes.find((c) => c.id === parentId);
    $("cb-new-title").textContent = parent ? `New sub-code of ${parent.path}` : "New top-level code";
    $("cb-new-name").value = "";
    $("cb-new-error").textContent = "";
    if (parent) $("cb-new-kind").value = parent.kind;
    $("cb-new").showModal();
    $("cb-new-name").focus();
  }
  $("cb-new-root").addEventListener("click", () => openNew(null));
  $("cb-add-child").addEventListener("click", () => current && openNew(current.id));
  $("cb-new-form").addEventListener("submit", async (event) => {
    if (event.submitter && event.submitter.value === "cancel") return;
    event.preventDefault();
    try {
      const created = await call("POST", "/codes", { name: $("cb-new-name").value,
        kind: $("cb-new-kind").value, parent_id: newParent });
      $("cb-new").close();
      if (newParent !== null) collapsed.delete(newParent);
      await loadTree();
      await selectCode(created.id);
      status(`Created ${created.path}.`);
    } catch (error) {
      $("cb-new-error").textContent = error.message;
    }
  });

  // ------------------------------------------------------------ move: picker and drag and drop
  async function move(id, parentId, position = null) {
    try {
      const body = { parent_id: parentId };
      if (position !== null) body.position = position;
      const moved = await call("POST", `/codes/${id}/move`, body);
      if (parentId !== null) collapsed.delete(parentId);
      await loadTree();
      await selectCode(id);
      status(position === null ? `Moved to ${moved.path}.`
        : `Moved ${moved.path} to place ${position + 1} among its siblings.`);
    } catch (error) {
      status(error.message, true);
    }
  }
  // Siblings in tree order, without the code being moved: where a drop or a key puts it.
  function siblingsOf(parentId, without) {
    return codes.filter((c) => c.parent_id === parentId && c.id !== without);
  }
  function byId(id) { return codes.find((c) => c.id === id); }
  // Alt+ArrowUp / Alt+ArrowDown move the focused code up or down among its siblings.
  $("cb-tree").addEventListener("keydown", (event) => {
    if (!event.altKey || !["ArrowUp", "ArrowDown"].includes(event.key)) return;
    const li = event.target.closest(".cb-node");
    if (!li) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    const code = byId(Number(li.dataset.id));
    const all = codes.filter((c) => c.parent_id === code.parent_id);
    const at = all.findIndex((c) => c.id === code.id) + (event.key === "ArrowUp" ? -1 : 1);
    if (at < 0 || at >= all.length) return;
    move(code.id, code.parent_id, at);
  });
  $("cb-move").addEventListener("click", () => {
    const value = $("cb-move-target").value;
    if (current) move(current.id, value === "" ? null : Number(value));
  });

  const tree = $("cb-tree");
  const rootDrop = $("cb-root-drop");
  tree.addEventListener("dragstart", (event) => {
    const li = event.target.closest(".cb-node");
    if (!li) return;
    dragged = Number(li.dataset.id);
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", li.dataset.id);
    rootDrop.classList.add("armed");
  });
  tree.addEventListener("dragend", () => {
    dragged = null;
    rootDrop.classList.remove("armed", "drop-target");
    clearZones(null);
  });
  const ZONES = ["drop-before", "drop-target", "drop-after"];
  // The top quarter of a row puts the code before it, the bottom quarter after it (as its
  // sibling); the middle makes it a sub-code.
  function zoneOf(li, event) {
    const box = li.getBoundingClientRect();
    const y = (event.clientY - box.top) / box.height;
    return y < 0.25 ? "drop-before" : y > 0.75 ? "drop-after" : "drop-target";
  }
  // Never into the dragged code itself or one of its sub-codes (whichever the zone, the new
  // parent is the row, or the row's parent).
  function dropAllowed(li, zone) {
    if (dragged === null || !li) return false;
    const target = byId(Number(li.dataset.id));
    if (!target || target.id === dragged) return false;
    const own = descendantsOf(dragged);
    const parent = zone === "drop-target" ? target.id : target.parent_id;
    return parent === null || !own.has(parent);
  }
  function clearZones(except) {
    tree.querySelectorAll(ZONES.map((z) => `.${z}`).join(","))
      .forEach((n) => n !== except && n.classList.remove(...ZONES));
  }
  tree.addEventListener("dragover", (event) => {
    const li = event.target.closest(".cb-node");
    if (!li) return;
    const zone = zoneOf(li, event);
    if (!dropAllowed(li, zone)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    clearZones(li);
    li.classList.remove(...ZONES);
    li.classList.add(zone);
  });
  tree.addEventListener("dragleave", (event) => {
    const li = event.target.closest(".cb-node");
    if (li && !li.contains(event.relatedTarget)) li.classList.remove(...ZONES);
  });
  tree.addEventListener("drop", (event) => {
    const li = event.target.closest(".cb-node");
    if (!li) return;
    const zone = zoneOf(li, event);
    if (!dropAllowed(li, zone)) return;
    event.preventDefault();
    clearZones(null);
    const target = byId(Number(li.dataset.id));
    if (zone === "drop-target") { move(dragged, target.id); return; }
    const siblings = siblingsOf(target.parent_id, dragged);
    const at = siblings.findIndex((c) => c.id === target.id) + (zone === "drop-after" ? 1 : 0);
    move(dragged, target.parent_id, at);
  });
  rootDrop.addEventListener("dragover", (event) => {
    if (dragged === null) return;
    event.preventDefault();
    rootDrop.classList.add("drop-target");
  });
  rootDrop.addEventListener("dragleave", () => rootDrop.classList.remove("drop-target"));
  rootDrop.addEventListener("drop", (event) => {
    if (dragged === null) return;
    event.preventDefault();
    move(dragged, null);
  });

  // ------------------------------------------------------------ merge
  $("cb-merge").addEventListener("click", async () => {
    if (!current || !$("cb-merge-target").value) return;
    const into = Number($("cb-merge-target").value);
    let preview;
    try {
      preview = await call("GET", `/codes/${current.id}/merge-preview?into=${into}`);
    } catch (error) {
      status(error.message, true);
      return;
    }
    const parts = [`${preview.moved} coding${preview.moved === 1 ? "" : "s"} will move to “${preview.target}”`];
    if (preview.duplicates) parts.push(`${preview.duplicates} already there are kept once`);
    if (preview.children) parts.push(`${preview.children} sub-codes move with them`);
    if (preview.memos) parts.push(`${preview.memos} memos move`);
    const ok = await confirmDialog(`Merge “${preview.source}” into “${preview.target}”? ` +
      `${parts.join("; ")}. “${preview.source}” is then removed.`, "Merge");
    if (!ok) return;
    try {
      const result = await call("POST", `/codes/${current.id}/merge`, { into });
      current = null;
      await loadTree();
      await selectCode(result.target.id);
      status(`Merged: ${result.moved} codings moved.`);
    } catch (error) {
      status(error.message, true);
    }
  });

  // ------------------------------------------------------------ split
  function updateSplitButton() {
    const ticked = $("cb-split-list").querySelectorAll("input:checked").length;
    $("cb-split-go").disabled = !ticked || !$("cb-split-name").value.trim();
    $("cb-split-go").textContent = `Split off ${ticked} coding${ticked === 1 ? "" : "s"}`;
  }
  $("cb-split-open").addEventListener("click", async () => {
    if (!current) return;
    const data = await call("GET", `/codes/${current.id}/codings`);
    const items = data.codings.map((c) => el("li", {},
      el("label", { class: "check" }, el("input", { type: "checkbox", value: String(c.id) }),
        el("span", {}, el("span", { class: "muted", text: `${c.document} · ${c.coder}: ` }),
          el("q", { text: c.quote })))));
    $("cb-split-list").replaceChildren(...(items.length ? items
      : [el("li", { class: "muted", text: "This code has no codings to split off." })]));
    $("cb-split-name").value = "";
    $("cb-split").hidden = false;
    updateSplitButton();
    $("cb-split-name").focus();
  });
  $("cb-split-list").addEventListener("change", updateSplitButton);
  $("cb-split-name").addEventListener("input", updateSplitButton);
  const tickAll = (checked) => () => {
    $("cb-split-list").querySelectorAll("input").forEach((box) => { box.checked = checked; });
    updateSplitButton();
  };
  $("cb-split-all").addEventListener("click", tickAll(true));
  $("cb-split-none").addEventListener("click", tickAll(false));
  $("cb-split-cancel").addEventListener("click", () => { $("cb-split").hidden = true; });
  $("cb-split-go").addEventListener("click", async () => {
    const ids = [...$("cb-split-list").querySelectorAll("input:checked")].map((box) => Number(box.value));
    try {
      const result = await call("POST", `/codes/${current.id}/split`, { name: $("cb-split-name").value, coding_ids: ids });
      await loadTree();
      await selectCode(result.code.id);
      status(`Split off ${result.moved} codings into ${result.code.path}.`);
    } catch (error) {
      status(error.message, true);
    }
  });

  // ------------------------------------------------------------ deactivate, delete
  $("cb-toggle-active").addEventListener("click", () => current && save({ active: !current.active }));
  $("cb-delete").addEventListener("click", async () => {
    if (!current || !(await confirmDialog(`Delete “${current.path}”? It has no codings.`, "Delete"))) return;
    try {
      await call("DELETE", `/codes/${current.id}`);
      current = null;
      $("cb-form").hidden = true;
      $("cb-actions").hidden = true;
      $("cb-proposals").hidden = true;
      $("cb-empty").hidden = false;
      await loadTree();
    } catch (error) {
      status(error.message, true);
    }
  });
}

// ---------------------------------------------------------------- start

loadTree().then(() => {
  const match = /^#code-(\d+)$/.exec(location.hash);
  if (match && codes.some((c) => c.id === Number(match[1]))) selectCode(Number(match[1]));
}).catch((error) => status(error.message, true));
