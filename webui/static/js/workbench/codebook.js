/**
 * The codebook panel: the code tree with counts (in view in this document · in the project),
 * search, each code's definition, inclusion and exclusion criteria and examples on hover or
 * expand, pins for the toolbar's digit keys, and memos on a code.
 */
import { matchScore } from "./picker.js";

const FIELDS = [
  ["definition", "Definition"],
  ["inclusion", "Include when"],
  ["exclusion", "Exclude when"],
  ["typical_example", "Example"],
  ["atypical_example", "Atypical example"],
];

/** Codes pinned to the toolbar, in digit order (kept per project in this browser). */
export class Pins {
  constructor(store, bus) {
    this.store = store;
    this.bus = bus;
  }

  list() {
    try {
      const ids = JSON.parse(localStorage.getItem(this.store.key("pins")) || "[]");
      return ids.filter((id) => this.store.codes.has(id)).slice(0, 9);
    } catch {
      return [];
    }
  }

  toggle(id) {
    let ids = this.list();
    if (ids.includes(id)) ids = ids.filter((x) => x !== id);
    else if (ids.length < 9) ids.push(id);
    else {
      this.bus.emit("notice", { message: "Nine codes are pinned already; unpin one first." });
      return;
    }
    localStorage.setItem(this.store.key("pins"), JSON.stringify(ids));
    this.bus.emit("pins:change");
  }
}

export class CodebookPanel {
  constructor({ tree, search, store, bus, pins, tooltip, onChoose, onMemos }) {
    Object.assign(this, { tree, search, store, bus, pins, tooltip, onChoose, onMemos });
    this.rows = new Map();
    this.collapsed = new Set(this.loadCollapsed());
    this.hoverTimer = 0;
    search.addEventListener("input", () => this.filter());
    search.addEventListener("keydown", (e) => this.searchKey(e));
    tree.addEventListener("click", (e) => this.click(e));
    tree.addEventListener("mousedown", (e) => {
      if (e.target.closest(".code-name")) e.preventDefault(); // keep the text selection
    });
    tree.addEventListener("pointerover", (e) => this.hover(e));
    tree.addEventListener("pointerleave", () => this.unhover());
    bus.on("codes:reset", () => this.render());
    bus.on("pins:change", () => this.render());
    for (const name of ["coding:upsert", "coding:remove", "codings:reset", "view:change"]) {
      bus.on(name, () => this.updateCounts());
    }
    bus.on("stripes:columns", ({ codes }) => this.markInView(codes));
    this.render();
  }

  loadCollapsed() {
    try {
      return JSON.parse(localStorage.getItem(this.store.key("collapsed")) || "[]");
    } catch {
      return [];
    }
  }

  render() {
    const children = new Map();
    for (const id of this.store.codeOrder) {
      const code = this.store.code(id);
      const key = code.parent_id ?? 0;
      if (!children.has(key)) children.set(key, []);
      children.get(key).push(code);
    }
    const pins = this.pins.list();
    this.rows.clear();
    const build = (parentId) => (children.get(parentId) || []).map((code) => {
      const li = this.row(code, pins.indexOf(code.id), children.has(code.id));
      if (children.has(code.id)) {
        const group = document.createElement("ul");
        group.setAttribute("role", "group");
        group.append(...build(code.id));
        li.append(group);
      }
      return li;
    });
    this.tree.replaceChildren(...build(0));
    if (!this.tree.children.length) {
      const li = document.createElement("li");
      li.className = "muted empty";
      li.textContent = "The codebook is empty. Add codes on the Codebook page.";
      this.tree.append(li);
    }
    this.updateCounts();
    this.filter();
  }

  row(code, pinIndex, hasChildren) {
    const li = document.createElement("li");
    li.setAttribute("role", "treeitem");
    li.dataset.id = code.id;
    if (!code.active) li.classList.add("inactive");
    if (!code.codable) li.classList.add("heading");
    const collapsed = this.collapsed.has(code.id);
    if (hasChildren) li.setAttribute("aria-expanded", String(!collapsed));
    const row = document.createElement("div");
    row.className = "code-row";
    const twisty = document.createElement("button");
    twisty.type = "button";
    twisty.className = "twisty";
    twisty.tabIndex = -1;
    twisty.textContent = hasChildren ? (collapsed ? "▸" : "▾") : "";
    twisty.disabled = !hasChildren;
    twisty.setAttribute("aria-label", collapsed ? "Expand" : "Collapse");
    const swatch = document.createElement("span");
    swatch.className = "swatch";
    swatch.style.backgroundColor = code.color;
    const name = document.createElement("button");
    name.type = "button";
    name.className = "code-name";
    name.textContent = code.name;
    const counts = document.createElement("span");
    counts.className = "counts";
    const inDoc = document.createElement("span");
    inDoc.className = "in-doc";
    const inProject = document.createElement("span");
    inProject.className = "in-project";
    counts.append(inDoc, inProject);
    const pin = document.createElement("button");
    pin.type = "button";
    pin.className = "pin";
    pin.setAttribute("aria-pressed", String(pinIndex >= 0));
    pin.title = pinIndex >= 0 ? `Pinned to key ${pinIndex + 1}; click to unpin` : "Pin to the toolbar (keys 1–9)";
    pin.textContent = pinIndex >= 0 ? String(pinIndex + 1) : "pin";
    const info = document.createElement("button");
    info.type = "button";
    info.className = "info";
    info.title = "Definition, criteria and examples";
    info.setAttribute("aria-expanded", "false");
    info.textContent = "i";
    row.append(twisty, swatch, name, counts);
    if (code.codable) row.append(pin);
    row.append(info);
    li.append(row, this.details(code));
    this.rows.set(code.id, { li, inDoc, inProject });
    return li;
  }

  details(code) {
    const box = document.createElement("div");
    box.className = "code-info";
    box.hidden = true;
    const dl = document.createElement("dl");
    for (const [field, label] of FIELDS) {
      if (!code[field]) continue;
      const dt = document.createElement("dt");
      dt.textContent = label;
      const dd = document.createElement("dd");
      dd.textContent = code[field];
      dl.append(dt, dd);
    }
    if (!dl.children.length) {
      const p = document.createElement("p");
      p.className = "muted";
      p.textContent = "No definition yet.";
      box.append(p);
    } else box.append(dl);
    const memos = document.createElement("button");
    memos.type = "button";
    memos.className = "link code-memos";
    memos.textContent = "Memos on this code";
    box.append(memos);
    return box;
  }

  updateCounts() {
    const inView = this.store.countsInView();
    for (const [id, row] of this.rows) {
      const code = this.store.code(id);
      row.inDoc.textContent = String(inView.get(id) || 0);
      row.inProject.textContent = String(code ? code.count || 0 : 0);
      row.li.classList.toggle("used", (inView.get(id) || 0) > 0);
    }
  }

  markInView(codes) {
    const set = new Set(codes);
    for (const [id, row] of this.rows) row.li.classList.toggle("in-view", set.has(id));
  }

  filter() {
    const terms = this.search.value.toLowerCase().split(/\s+/).filter(Boolean);
    this.tree.classList.toggle("searching", terms.length > 0);
    for (const [id, row] of this.rows) {
      const match = !terms.length || matchScore(this.store.code(id), terms) >= 0;
      row.li.classList.toggle("match", match && terms.length > 0);
      row.li.classList.toggle("nomatch", !match);
    }
    if (terms.length) {
      for (const li of this.tree.querySelectorAll("li.match")) {
        for (let up = li.parentElement.closest("li"); up; up = up.parentElement.closest("li")) {
          up.classList.remove("nomatch");
        }
      }
    }
  }

  firstMatch() {
    const li = this.tree.querySelector("li.match:not(.heading):not(.inactive)")
      || (!this.search.value && this.tree.querySelector("li:not(.heading):not(.inactive)"));
    return li ? Number(li.dataset.id) : null;
  }

  searchKey(event) {
    if (event.key === "Escape") {
      this.search.value = "";
      this.filter();
      this.bus.emit("focus:text");
    } else if (event.key === "Enter") {
      event.preventDefault();
      const id = this.firstMatch();
      if (id !== null) this.onChoose(id);
    }
  }

  click(event) {
    const li = event.target.closest("li[data-id]");
    if (!li) return;
    const id = Number(li.dataset.id);
    const button = event.target.closest("button");
    if (!button) return;
    if (button.classList.contains("twisty")) this.toggleCollapsed(id);
    else if (button.classList.contains("pin")) this.pins.toggle(id);
    else if (button.classList.contains("info")) {
      const box = li.querySelector(":scope > .code-info");
      box.hidden = !box.hidden;
      button.setAttribute("aria-expanded", String(!box.hidden));
    } else if (button.classList.contains("code-memos")) this.onMemos(id);
    else if (button.classList.contains("code-name")) this.onChoose(id);
  }

  toggleCollapsed(id) {
    if (this.collapsed.has(id)) this.collapsed.delete(id);
    else this.collapsed.add(id);
    localStorage.setItem(this.store.key("collapsed"), JSON.stringify([...this.collapsed]));
    this.render();
  }

  hover(event) {
    const row = event.target.closest(".code-row");
    clearTimeout(this.hoverTimer);
    if (!row) return this.unhover();
    const id = Number(row.parentElement.dataset.id);
    this.hoverTimer = setTimeout(() => {
      const code = this.store.code(id);
      if (!code) return;
      const lines = [code.path];
      for (const [field, label] of FIELDS.slice(0, 4)) {
        if (!code[field]) continue;
        const text = code[field].length > 220 ? `${code[field].slice(0, 218)}…` : code[field];
        lines.push([label, text]);
      }
      if (lines.length === 1) lines.push("No definition yet.");
      const box = row.getBoundingClientRect();
      this.tooltip.show(lines, box.right - 40, box.top);
    }, 350);
  }

  unhover() {
    clearTimeout(this.hoverTimer);
    this.tooltip.hide();
  }
}
