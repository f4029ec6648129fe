/**
 * The keyboard: selecting text with Shift+arrows (the browser draws no caret in read-only
 * text, so selection.js draws one), moving by turn, coding with Enter or a digit, the card's
 * keys, undo and redo, and the help dialog (?). Extensions add keys with `register()`.
 */

const EDITABLE = "input, textarea, select, [contenteditable=''], [contenteditable='true']";
const ARROWS = { ArrowLeft: ["backward", "character"], ArrowRight: ["forward", "character"],
  ArrowUp: ["backward", "line"], ArrowDown: ["forward", "line"],
  Home: ["backward", "lineboundary"], End: ["forward", "lineboundary"] };

export class Keys {
  constructor(parts) {
    Object.assign(this, parts); // root, pane, store, bus, selection, picker, card, undo, memos,
    //                             stripes, actions, pins, search, help, index
    this.extra = new Map();
    document.addEventListener("keydown", (e) => this.keydown(e));
  }

  /** Bind a single key (e.g. "a") to `fn(event)` while no text field has the focus. */
  register(key, fn, description) {
    this.extra.set(key, { fn, description });
    if (description) this.help.addRow(key, description);
  }

  keydown(event) {
    if (event.defaultPrevented || this.picker.isOpen()) return;
    const target = event.target;
    if (target.closest && (target.closest(EDITABLE) || target.closest("dialog[open]"))) return;
    const { key } = event;
    if ((key === "Enter" || key === " ") && target.closest && target.closest("button, a")) return;
    const mod = event.ctrlKey || event.metaKey;
    if (mod && !event.altKey && key.toLowerCase() === "z") {
      event.preventDefault();
      if (event.shiftKey) this.undo.redo();
      else this.undo.undo();
      return;
    }
    if (mod && !event.altKey && key.toLowerCase() === "y") {
      event.preventDefault();
      this.undo.redo();
      return;
    }
    if (ARROWS[key] && this.arrow(event)) {
      event.preventDefault();
      return;
    }
    if (mod || event.altKey) return;
    const handled = this.command(event);
    if (handled) event.preventDefault();
  }

  /** Arrow keys: nudge the selected coding's ends, or move/extend the text selection. */
  arrow(event) {
    const { key } = event;
    if (event.altKey && this.card.coding && (key === "ArrowLeft" || key === "ArrowRight")) {
      this.card.nudge(event.shiftKey ? "end" : "start", key === "ArrowRight" ? 1 : -1);
      return true;
    }
    if (event.altKey) return false;
    const sel = window.getSelection();
    const inText = sel.rangeCount > 0 && this.root.contains(sel.anchorNode);
    if (!event.shiftKey && !(inText && document.activeElement === this.root)) return false;
    if (!inText) this.placeCaret();
    const [direction, unit] = ARROWS[key];
    const granularity = (event.ctrlKey || event.metaKey) && unit === "character" ? "word" : unit;
    sel.modify(event.shiftKey ? "extend" : "move", direction, granularity);
    if (document.activeElement !== this.root) this.selection.focusText();
    const focus = sel.focusNode && sel.focusNode.parentElement;
    if (focus) focus.scrollIntoView({ block: "nearest" });
    return true;
  }

  /** Put the caret at the start of the first turn in view. */
  placeCaret() {
    const paneBox = this.pane.getBoundingClientRect();
    const blocks = [...this.root.querySelectorAll(".blk")];
    const first = blocks.find((b) => b.getBoundingClientRect().bottom > paneBox.top + 4) || blocks[0];
    if (first) this.caretToBlock(first);
  }

  blockOfSelection() {
    const sel = window.getSelection();
    const node = sel.rangeCount ? sel.focusNode : null;
    const el = node && (node.nodeType === Node.TEXT_NODE ? node.parentElement : node);
    return el && this.root.contains(el) ? el.closest(".blk") : null;
  }

  caretToBlock(block) {
    for (const b of this.root.querySelectorAll(".blk.current")) b.classList.remove("current");
    block.classList.add("current");
    this.selection.collapseTo(this.index.blockSpan(block).start);
    this.selection.focusText();
    block.scrollIntoView({ block: "nearest" });
  }

  /** Single-key commands; true when the key was used. */
  command(event) {
    const { key } = event;
    const span = this.selection.current();
    const active = this.card.coding;
    if (key === "?") {
      this.help.toggle();
    } else if (key === "Escape") {
      if (active) this.bus.emit("coding:activate", { coding: null });
      else window.getSelection().removeAllRanges();
    } else if ((key === "Enter" || key === "c") && span && this.store.canCode) {
      this.picker.open({ span });
    } else if (/^[1-9]$/.test(key) && span && this.store.canCode) {
      const codeId = this.pins.list()[Number(key) - 1];
      if (codeId === undefined) return false;
      this.selection.collapseTo(span.end);
      this.actions.applyCode(codeId, span).catch((exc) => this.bus.emit("error", { what: "Coding", exc }));
    } else if ((key === "Delete" || key === "Backspace") && active) {
      this.card.act("uncode");
    } else if (key === "r" && active) {
      this.card.act("recode");
    } else if (key === "m" && this.store.canCode) {
      this.memos.openEditor();
    } else if (key === "/") {
      this.search.focus();
    } else if (key === "v") {
      this.store.setView(this.store.view === "mine" ? "everyone" : "mine");
    } else if (key === "j" || key === "k") {
      this.moveTurn(key === "j" ? 1 : -1);
    } else if (key === "t") {
      const block = this.blockOfSelection();
      if (!block) return false;
      const { start, end } = this.index.blockSpan(block);
      this.selection.select(this.selection.withUtf16(start, end));
    } else if (key === "n" || key === "p") {
      this.moveCoding(key === "n" ? 1 : -1);
    } else if (this.extra.has(key)) {
      this.extra.get(key).fn(event);
    } else {
      return false;
    }
    return true;
  }

  moveTurn(step) {
    const blocks = [...this.root.querySelectorAll(".blk")];
    const current = this.blockOfSelection();
    const i = current ? blocks.indexOf(current) : -1;
    const next = blocks[Math.max(0, Math.min(blocks.length - 1, i + step))];
    if (next) this.caretToBlock(next);
  }

  moveCoding(step) {
    const items = this.stripes.ordered();
    if (!items.length) return;
    const active = this.card.coding;
    let i = active ? items.findIndex((item) => item.coding.id === active.id) : -1;
    if (i < 0) {
      const span = this.selection.current();
      const from = span ? span.start : 0;
      i = step > 0 ? items.findIndex((item) => item.coding.start >= from) - 1 : items.length;
      if (i < -1) i = -1;
    }
    const item = items[(i + step + items.length) % items.length];
    this.bus.emit("coding:activate", { coding: item.coding, scroll: true });
  }
}

/** The keyboard help dialog (?), listing the built-in keys and those extensions add. */
export class Help {
  constructor(dialog) {
    this.dialog = dialog;
    this.table = dialog.querySelector("tbody");
    dialog.addEventListener("click", (e) => {
      if (e.target === dialog || e.target.closest(".close")) dialog.close();
    });
  }

  toggle() {
    if (this.dialog.open) this.dialog.close();
    else this.dialog.showModal();
  }

  addRow(key, description) {
    const tr = document.createElement("tr");
    const th = document.createElement("th");
    const kbd = document.createElement("kbd");
    kbd.textContent = key.length === 1 ? key.toUpperCase() : key;
    th.append(kbd);
    const td = document.createElement("td");
    td.textContent = description;
    tr.append(th, td);
    this.table.append(tr);
  }
}
