/**
 * Coding stripes in the margin: one stripe per coding in view, one column per code in view
 * (columns follow the codebook's order and are re-dealt as the reader scrolls), coloured by
 * code. Hover shows code, coder, date and origin; a click selects the coding.
 *
 * Adding, changing or removing a coding measures and draws that one stripe; only a resize of
 * the page measures them all again.
 */
import { formatDate, ORIGINS } from "./tooltip.js";

const MARGIN = 112; // px available for stripe columns
const MAX_WIDTH = 10;
const MIN_WIDTH = 3;

/** Top and bottom of a range relative to `root`'s top edge (ignoring empty line-end boxes). */
export function geometry(range, rootTop) {
  let top = Infinity;
  let bottom = -Infinity;
  for (const rect of range.getClientRects()) {
    if (rect.width < 0.5 && rect.height > 0 && top !== Infinity) continue;
    top = Math.min(top, rect.top);
    bottom = Math.max(bottom, rect.bottom);
  }
  if (top === Infinity) return null;
  return { top: top - rootTop, bottom: bottom - rootTop };
}

export class Stripes {
  constructor({ root, pane, layer, index, store, bus, tooltip, highlights }) {
    Object.assign(this, { root, pane, layer, index, store, bus, tooltip, highlights });
    this.items = new Map(); // coding id → {coding, el, range, top, bottom}
    this.activeId = null;
    this.frame = 0;
    layer.addEventListener("pointerover", (e) => this.hover(e));
    layer.addEventListener("pointermove", (e) => this.hover(e));
    layer.addEventListener("pointerout", () => this.unhover());
    layer.addEventListener("click", (e) => this.click(e));
    pane.addEventListener("scroll", () => this.schedule(), { passive: true });
    let resizeTimer = 0;
    new ResizeObserver(() => {
      clearTimeout(resizeTimer);
      resizeTimer = setTimeout(() => this.layoutAll(), 80);
    }).observe(root);
    bus.on("coding:upsert", ({ coding }) => this.upsert(coding));
    bus.on("coding:remove", ({ coding }) => this.remove(coding.id));
    bus.on("codings:reset", () => this.rebuild());
    bus.on("view:change", () => this.rebuild());
    bus.on("codes:reset", () => this.recolour());
    bus.on("coding:activate", ({ coding }) => this.activate(coding ? coding.id : null));
  }

  rootTop() {
    return this.root.getBoundingClientRect().top;
  }

  rebuild() {
    for (const item of this.items.values()) item.el.remove();
    this.items.clear();
    this.highlights.show("qc-coded", []);
    const fragment = document.createDocumentFragment();
    for (const coding of this.store.visibleCodings()) fragment.append(this.create(coding).el);
    this.layer.append(fragment);
    this.layoutAll();
  }

  create(coding) {
    const el = document.createElement("div");
    el.className = "stripe";
    el.dataset.id = coding.id;
    const range = this.index.rangeFor(coding.start, coding.end);
    const item = { coding, el, range, top: 0, bottom: 0 };
    this.style(item);
    this.items.set(coding.id, item);
    this.highlights.add("qc-coded", range);
    return item;
  }

  style(item) {
    const code = this.store.code(item.coding.code_id);
    item.el.style.backgroundColor = code ? code.color : "#888888";
    item.el.classList.toggle("other", item.coding.coder_id !== this.store.me.id);
    item.el.classList.toggle("active", item.coding.id === this.activeId);
  }

  recolour() {
    for (const item of this.items.values()) this.style(item);
    this.assignColumns();
  }

  /** Read a stripe's extent from the layout (no writes, so measuring many stays cheap). */
  measure(item, rootTop) {
    const box = geometry(item.range, rootTop);
    item.top = box ? box.top : 0;
    item.bottom = box ? Math.max(box.bottom, box.top + 4) : 0;
  }

  place(item) {
    item.el.style.top = `${item.top}px`;
    item.el.style.height = `${item.bottom - item.top}px`;
  }

  layoutAll() {
    const rootTop = this.rootTop();
    const items = [...this.items.values()];
    for (const item of items) this.measure(item, rootTop);
    for (const item of items) this.place(item);
    this.assignColumns();
    this.bus.emit("stripes:layout");
  }

  upsert(coding) {
    const existing = this.items.get(coding.id);
    if (!this.store.isVisible(coding)) {
      if (existing) this.remove(coding.id);
      return;
    }
    let item = existing;
    if (item) {
      if (item.coding.start !== coding.start || item.coding.end !== coding.end) {
        this.highlights.remove("qc-coded", item.range);
        item.range = this.index.rangeFor(coding.start, coding.end);
        this.highlights.add("qc-coded", item.range);
      }
      item.coding = coding;
      this.style(item);
    } else {
      item = this.create(coding);
      this.layer.append(item.el);
    }
    this.measure(item, this.rootTop());
    this.place(item);
    this.assignColumns();
  }

  remove(id) {
    const item = this.items.get(id);
    if (!item) return;
    item.el.remove();
    this.highlights.remove("qc-coded", item.range);
    this.items.delete(id);
    if (this.activeId === id) this.bus.emit("coding:activate", { coding: null });
    this.assignColumns();
  }

  schedule() {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.assignColumns();
    });
  }

  /** Deal one column to each code with a stripe in the viewport, in codebook order. */
  assignColumns() {
    const rootTop = this.rootTop();
    const paneBox = this.pane.getBoundingClientRect();
    const viewTop = paneBox.top - rootTop;
    const viewBottom = viewTop + this.pane.clientHeight;
    const order = new Map(this.store.codeOrder.map((id, i) => [id, i]));
    const inView = new Set();
    for (const item of this.items.values()) {
      if (item.bottom >= viewTop && item.top <= viewBottom) inView.add(item.coding.code_id);
    }
    const codes = [...inView].sort((a, b) => (order.get(a) ?? 1e9) - (order.get(b) ?? 1e9));
    const column = new Map(codes.map((id, i) => [id, i]));
    const width = Math.max(MIN_WIDTH, Math.min(MAX_WIDTH, Math.floor(MARGIN / Math.max(1, codes.length))));
    for (const item of this.items.values()) {
      const col = column.get(item.coding.code_id);
      if (col === undefined) continue;
      item.el.style.left = `${col * width}px`;
      item.el.style.width = `${width - 2}px`;
    }
    this.bus.emit("stripes:columns", { codes });
  }

  itemFor(event) {
    const el = event.target.closest(".stripe");
    return el ? this.items.get(Number(el.dataset.id)) : null;
  }

  hover(event) {
    const item = this.itemFor(event);
    if (!item) return this.unhover();
    const { coding } = item;
    const code = this.store.code(coding.code_id);
    this.tooltip.show([
      code ? code.path : `code ${coding.code_id}`,
      ["coder", this.store.coderName(coding)],
      ["date", formatDate(coding.created)],
      ["origin", ORIGINS[coding.origin] || coding.origin],
      "click to select · drag its handles to change",
    ], event.clientX, event.clientY);
    if (this.hovered !== item) {
      this.hovered = item;
      this.highlights.show("qc-hover", [item.range], 1);
    }
  }

  unhover() {
    this.hovered = null;
    this.tooltip.hide();
    this.highlights.show("qc-hover", []);
  }

  click(event) {
    const item = this.itemFor(event);
    if (!item) return;
    event.stopPropagation();
    this.bus.emit("coding:activate", { coding: item.coding, x: event.clientX, y: event.clientY });
  }

  activate(id) {
    const previous = this.items.get(this.activeId);
    this.activeId = id;
    if (previous) this.style(previous);
    const item = this.items.get(id);
    if (item) this.style(item);
  }

  /** Stripes in document order (for next/previous coding). */
  ordered() {
    return [...this.items.values()].sort((a, b) => a.coding.start - b.coding.start
      || a.coding.end - b.coding.end || a.coding.id - b.coding.id);
  }
}
