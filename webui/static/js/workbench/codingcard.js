/**
 * The selected coding: its span highlighted, a card with code, coder, date and origin and the
 * actions on it (recode, uncode, memo), and two handles to drag its ends. Shift+click in the
 * text moves the nearer end to the click (widen or narrow); Alt+arrows move the start and
 * Alt+Shift+arrows the end by a word, saved once the keys rest.
 */
import { formatDate, ORIGINS } from "./tooltip.js";

export class CodingCard {
  constructor({ el, handles, root, pane, store, bus, actions, index, selection, highlights }) {
    Object.assign(this, { el, handles, root, store, bus, actions, index, selection, highlights });
    this.coding = null;
    this.preview = null;
    this.saveTimer = 0;
    let frame = 0;
    pane.addEventListener("scroll", () => { // the card follows its coding as the text scrolls
      if (frame || !this.coding) return;
      frame = requestAnimationFrame(() => {
        frame = 0;
        if (!this.coding) return;
        const rect = this.selection.rectOf(this.preview || this.coding);
        const view = pane.getBoundingClientRect();
        this.el.hidden = !rect || rect.bottom < view.top || rect.top > view.bottom;
        if (!this.el.hidden) this.place(rect);
      });
    }, { passive: true });
    el.addEventListener("click", (e) => this.click(e));
    bus.on("coding:activate", (detail) => this.show(detail));
    bus.on("coding:upsert", ({ coding }) => {
      if (this.coding && coding.id === this.coding.id) this.show({ coding, keepPlace: true });
    });
    bus.on("stripes:layout", () => this.placeHandles());
    for (const handle of handles) this.dragHandle(handle);
    root.addEventListener("mousedown", (e) => this.shiftClick(e));
  }

  editable() {
    return this.coding && this.store.canCode
      && (this.coding.coder_id === this.store.me.id || this.store.isLead);
  }

  show({ coding, x, y, keepPlace = false, scroll = false }) {
    clearTimeout(this.saveTimer);
    this.coding = coding;
    this.preview = null;
    if (!coding) {
      this.el.hidden = true;
      this.highlights.show("qc-active", []);
      for (const h of this.handles) h.hidden = true;
      return;
    }
    const range = this.index.rangeFor(coding.start, coding.end);
    this.highlights.show("qc-active", [range], 3);
    if (scroll) this.selection.scrollTo(range);
    this.fill();
    this.el.hidden = false;
    if (!keepPlace) {
      // below the coding's last line (never over the text around it), and beside the stripe
      // when that is what was clicked
      const rect = this.selection.rectOf(coding) || { left: 100, top: y || 100, bottom: y || 100 };
      this.place(x === undefined ? rect : { left: x - 350, top: rect.top, bottom: rect.bottom });
    }
    this.placeHandles();
  }

  fill() {
    const { coding } = this;
    const code = this.store.code(coding.code_id);
    const head = this.el.querySelector(".card-code");
    head.replaceChildren();
    const swatch = document.createElement("span");
    swatch.className = "swatch";
    swatch.style.backgroundColor = code ? code.color : "#888888";
    head.append(swatch, code ? code.path : `code ${coding.code_id}`);
    this.el.querySelector(".card-meta").textContent = [
      this.store.coderName(coding), formatDate(coding.created), ORIGINS[coding.origin] || coding.origin,
    ].join(" · ");
    for (const button of this.el.querySelectorAll("button[data-act]")) {
      button.disabled = button.dataset.act !== "close" && button.dataset.act !== "memo" && !this.editable();
      if (button.dataset.act === "memo") button.disabled = !this.store.canCode;
    }
    this.el.querySelector(".card-hint").hidden = !this.editable();
  }

  place(rect) {
    const box = this.el.getBoundingClientRect();
    let left = rect ? rect.left : 100;
    let top = rect ? rect.bottom + 8 : 100;
    left = Math.min(Math.max(8, left), window.innerWidth - box.width - 8);
    if (top + box.height > window.innerHeight - 8) top = Math.max(8, (rect ? rect.top : 100) - box.height - 8);
    this.el.style.left = `${left}px`;
    this.el.style.top = `${top}px`;
  }

  placeHandles() {
    const span = this.preview || this.coding;
    if (!span || !this.editable()) {
      for (const h of this.handles) h.hidden = true;
      return;
    }
    const rects = [...this.index.rangeFor(span.start, span.end).getClientRects()].filter((r) => r.width > 0);
    if (!rects.length) return;
    const rootBox = this.root.getBoundingClientRect();
    const [startHandle, endHandle] = this.handles;
    const first = rects[0];
    const last = rects[rects.length - 1];
    startHandle.hidden = false;
    endHandle.hidden = false;
    startHandle.style.left = `${first.left - rootBox.left - 5}px`;
    startHandle.style.top = `${first.top - rootBox.top}px`;
    startHandle.style.height = `${first.height}px`;
    endHandle.style.left = `${last.right - rootBox.left - 1}px`;
    endHandle.style.top = `${last.top - rootBox.top}px`;
    endHandle.style.height = `${last.height}px`;
  }

  click(event) {
    const button = event.target.closest("button[data-act]");
    if (!button || button.disabled) return;
    this.act(button.dataset.act);
  }

  /** Run a card action: recode, uncode, memo or close (also bound to keys R, Delete, M, Esc). */
  act(name) {
    const { coding } = this;
    if (!coding) return;
    if (name === "close") this.bus.emit("coding:activate", { coding: null });
    else if (name === "memo") this.bus.emit("memo:new");
    else if (!this.editable()) return;
    else if (name === "recode") {
      this.bus.emit("picker:recode", { coding });
    } else if (name === "uncode") {
      this.bus.emit("coding:activate", { coding: null });
      this.actions.uncode(coding).catch((exc) => this.bus.emit("error", { what: "Uncode", exc }));
    }
  }

  /** Preview a new span for the selected coding; saved by commit(). */
  setPreview(start, end) {
    if (end - start < 1) return;
    this.preview = { start, end };
    this.highlights.show("qc-active", [this.index.rangeFor(start, end)], 3);
    this.placeHandles();
  }

  commit() {
    const { coding, preview } = this;
    if (!coding || !preview || (preview.start === coding.start && preview.end === coding.end)) {
      this.preview = null;
      return;
    }
    this.actions.resize(coding, preview.start, preview.end).catch((exc) => {
      this.bus.emit("error", { what: "Changing the span", exc });
      this.show({ coding, keepPlace: true });
    });
  }

  dragHandle(handle) {
    const isStart = handle.classList.contains("start");
    handle.addEventListener("pointerdown", (event) => {
      if (!this.editable()) return;
      event.preventDefault();
      handle.setPointerCapture(event.pointerId);
      const move = (e) => {
        const cp = this.index.cpAtPoint(e.clientX, e.clientY);
        if (cp === null) return;
        const span = this.preview || this.coding;
        if (isStart) this.setPreview(Math.min(cp, span.end - 1), span.end);
        else this.setPreview(span.start, Math.max(cp, span.start + 1));
      };
      const up = () => {
        handle.removeEventListener("pointermove", move);
        handle.removeEventListener("pointerup", up);
        this.commit();
      };
      handle.addEventListener("pointermove", move);
      handle.addEventListener("pointerup", up);
    });
  }

  shiftClick(event) {
    if (!event.shiftKey || !this.editable() || event.button !== 0) return;
    const cp = this.index.cpAtPoint(event.clientX, event.clientY);
    if (cp === null) return;
    event.preventDefault();
    const { start, end } = this.coding;
    if (cp < start) this.setPreview(cp, end);
    else if (cp > end) this.setPreview(start, cp);
    else if (cp - start < end - cp) this.setPreview(cp, end);
    else this.setPreview(start, cp);
    this.commit();
  }

  /** Move one end of the selected coding by a word (`edge` "start"|"end", `dir` ±1). */
  nudge(edge, dir) {
    if (!this.editable()) return;
    const span = this.preview || this.coding;
    const cp = edge === "start" ? span.start : span.end;
    const { node, offset } = this.index.point(cp, edge === "end");
    const sel = window.getSelection();
    sel.collapse(node, offset);
    sel.modify("move", dir > 0 ? "forward" : "backward", "word");
    const loc = this.index.locate(sel.focusNode, sel.focusOffset, "back");
    sel.removeAllRanges();
    if (!loc) return;
    if (edge === "start") this.setPreview(Math.min(loc.cp, span.end - 1), span.end);
    else this.setPreview(span.start, Math.max(loc.cp, span.start + 1));
    clearTimeout(this.saveTimer);
    this.saveTimer = setTimeout(() => this.commit(), 700);
  }
}
