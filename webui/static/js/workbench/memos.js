/**
 * Memos: on the selected span, the selected coding, a code, or the whole document; listed
 * for this document, for a code, or found by searching the project's memos. Span memos get
 * a mark in the margin; clicking a memo shows its span.
 */
import { api } from "../api.js";
import { geometry } from "./stripes.js";
import { formatDate } from "./tooltip.js";

const PREVIEW = 400;

export class MemoPanel {
  constructor({ el, marks, root, store, bus, selection, index }) {
    Object.assign(this, { el, marks, root, store, bus, selection, index });
    this.list = el.querySelector(".memo-list");
    this.search = el.querySelector(".memo-search");
    this.scope = el.querySelector(".memo-scope");
    this.editor = el.querySelector("form.memo-editor");
    this.memos = new Map();
    this.mode = { kind: "document" };
    this.editing = null;
    this.activeCoding = null;
    let timer = 0;
    this.search.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(() => this.load(this.search.value.trim()
        ? { kind: "search", q: this.search.value.trim() } : { kind: "document" }), 250);
    });
    el.querySelector(".memo-new").addEventListener("click", () => this.openEditor());
    this.editor.addEventListener("submit", (e) => { e.preventDefault(); this.save(); });
    this.editor.querySelector(".cancel").addEventListener("click", () => this.closeEditor());
    this.editor.addEventListener("keydown", (e) => {
      if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); this.save(); }
      if (e.key === "Escape") { e.preventDefault(); e.stopPropagation(); this.closeEditor(); }
    });
    this.list.addEventListener("click", (e) => this.click(e));
    this.scope.addEventListener("click", (e) => {
      if (e.target.closest("button")) this.load({ kind: "document" });
    });
    marks.addEventListener("click", (e) => {
      const mark = e.target.closest(".memo-mark");
      if (mark) this.reveal(Number(mark.dataset.id));
    });
    bus.on("coding:activate", ({ coding }) => { this.activeCoding = coding; });
    bus.on("stripes:layout", () => this.placeMarks());
    bus.on("memo:upsert", ({ memo }) => this.upsert(memo));
    bus.on("memo:remove", ({ id }) => this.drop(id));
    this.load({ kind: "document" });
  }

  url(params) {
    const query = new URLSearchParams(params).toString();
    return this.store.apiUrl(`/memos${query ? `?${query}` : ""}`);
  }

  async load(mode) {
    this.mode = mode;
    const params = mode.kind === "document" ? { document_id: this.store.document.id }
      : mode.kind === "code" ? { code_id: mode.codeId } : { q: mode.q };
    const data = await api("GET", this.url(params));
    this.memos = new Map(data.memos.map((m) => [m.id, m]));
    this.renderScope();
    this.render();
  }

  showCode(codeId) {
    this.search.value = "";
    this.load({ kind: "code", codeId });
  }

  renderScope() {
    this.scope.replaceChildren();
    const label = document.createElement("span");
    if (this.mode.kind === "document") label.textContent = "Memos on this document";
    else if (this.mode.kind === "code") {
      const code = this.store.code(this.mode.codeId);
      label.textContent = `Memos on the code ${code ? code.path : this.mode.codeId}`;
    } else label.textContent = `Memos in the project matching “${this.mode.q}”`;
    this.scope.append(label);
    if (this.mode.kind !== "document") {
      const back = document.createElement("button");
      back.type = "button";
      back.className = "link";
      back.textContent = "back to this document";
      this.scope.append(" · ", back);
    }
  }

  belongs(memo) {
    if (this.mode.kind === "document") return memo.document_id === this.store.document.id;
    if (this.mode.kind === "code") return memo.code_id === this.mode.codeId;
    return false;
  }

  upsert(memo) {
    if (this.belongs(memo) || this.memos.has(memo.id)) {
      this.memos.set(memo.id, memo);
      this.render();
    }
  }

  drop(id) {
    if (this.memos.delete(id)) this.render();
  }

  anchorText(memo) {
    if (memo.quote) {
      const q = memo.quote.length > 70 ? `${memo.quote.slice(0, 68)}…` : memo.quote;
      return `on “${q}”`;
    }
    if (memo.code_id) {
      const code = this.store.code(memo.code_id);
      return `on the code ${code ? code.path : memo.code_id}`;
    }
    if (memo.coding_id) return "on a coding";
    if (memo.document_id === this.store.document.id) return "on this document";
    if (memo.document_id) return `on document ${memo.document_id}`;
    return "on the project";
  }

  render() {
    const memos = [...this.memos.values()].sort((a, b) => (b.created || "").localeCompare(a.created || ""));
    const items = memos.map((memo) => {
      const li = document.createElement("li");
      li.dataset.id = memo.id;
      if (memo.start !== null && memo.document_id === this.store.document.id) li.classList.add("has-span");
      const meta = document.createElement("div");
      meta.className = "memo-meta";
      const title = document.createElement("strong");
      title.textContent = memo.title || "Memo";
      meta.append(title, ` · ${memo.author || "unknown"} · ${formatDate(memo.created)}`);
      const anchor = document.createElement("div");
      anchor.className = "memo-anchor muted";
      anchor.textContent = this.anchorText(memo);
      const text = document.createElement("p");
      text.className = "memo-text";
      text.textContent = memo.text.length > PREVIEW ? `${memo.text.slice(0, PREVIEW)}…` : memo.text;
      li.append(meta, anchor, text);
      if (this.store.canCode && (memo.author_id === this.store.me.id || this.store.isLead)) {
        const actions = document.createElement("div");
        actions.className = "memo-actions";
        for (const [cls, label] of [["edit", "Edit"], ["delete", "Delete"]]) {
          const b = document.createElement("button");
          b.type = "button";
          b.className = `link ${cls}`;
          b.textContent = label;
          actions.append(b);
        }
        li.append(actions);
      }
      return li;
    });
    if (!items.length) {
      const li = document.createElement("li");
      li.className = "muted empty";
      li.textContent = this.mode.kind === "search" ? "No memo matches." : "No memos yet. Press M to write one.";
      items.push(li);
    }
    this.list.replaceChildren(...items);
    this.placeMarks();
  }

  placeMarks() {
    const rootTop = this.root.getBoundingClientRect().top;
    const marks = [];
    for (const memo of this.memos.values()) {
      if (memo.start === null || memo.document_id !== this.store.document.id) continue;
      const box = geometry(this.index.rangeFor(memo.start, memo.end), rootTop);
      if (!box) continue;
      const mark = document.createElement("button");
      mark.type = "button";
      mark.className = "memo-mark";
      mark.dataset.id = memo.id;
      mark.title = `Memo: ${memo.title || memo.text.slice(0, 60)}`;
      mark.textContent = "✎";
      mark.style.top = `${box.top}px`;
      marks.push(mark);
    }
    this.marks.replaceChildren(...marks);
  }

  click(event) {
    const li = event.target.closest("li[data-id]");
    if (!li) return;
    const memo = this.memos.get(Number(li.dataset.id));
    if (event.target.closest("button.edit")) this.openEditor(memo);
    else if (event.target.closest("button.delete")) this.remove(memo);
    else this.reveal(memo.id);
  }

  reveal(id) {
    const memo = this.memos.get(id);
    if (!memo) return;
    if (memo.start !== null && memo.document_id === this.store.document.id) {
      this.selection.select({ start: memo.start, end: memo.end }, { scroll: true });
    }
    const li = this.list.querySelector(`li[data-id="${id}"]`);
    if (li) {
      li.classList.add("flash-item");
      li.scrollIntoView({ block: "nearest" });
      setTimeout(() => li.classList.remove("flash-item"), 1200);
    }
  }

  /** Open the editor for a new memo (anchored to what is selected) or to edit `memo`. */
  openEditor(memo = null, { codeId = null } = {}) {
    if (!this.store.canCode) return;
    this.editing = memo;
    const anchor = this.editor.querySelector(".memo-anchor");
    const form = this.editor.elements;
    if (memo) {
      this.target = null;
      anchor.textContent = `Editing the memo ${this.anchorText(memo)}`;
      form.title.value = memo.title;
      form.text.value = memo.text;
    } else {
      const span = this.selection.current();
      if (codeId !== null) this.target = { code_id: codeId };
      else if (span) this.target = { document_id: this.store.document.id, start16: span.start16, end16: span.end16, quote: this.selection.quoteOf(span), span };
      else if (this.activeCoding) this.target = { coding_id: this.activeCoding.id };
      else this.target = { document_id: this.store.document.id };
      if (this.target.span) this.selection.hold(this.target.span);
      anchor.textContent = this.target.quote ? `New memo on “${this.target.quote.slice(0, 70)}${this.target.quote.length > 70 ? "…" : ""}”`
        : this.target.code_id ? `New memo on the code ${this.store.code(codeId).path}`
        : this.target.coding_id ? "New memo on the selected coding" : "New memo on this document";
      form.title.value = "";
      form.text.value = "";
    }
    this.editor.hidden = false;
    form.text.focus();
  }

  closeEditor() {
    this.editor.hidden = true;
    this.editing = null;
    this.selection.release();
    this.bus.emit("focus:text");
  }

  async save() {
    const form = this.editor.elements;
    const text = form.text.value;
    const title = form.title.value;
    if (!text.trim() && !title.trim()) {
      form.text.focus();
      return;
    }
    try {
      let memo;
      if (this.editing) {
        memo = await api("PATCH", this.store.apiUrl(`/memos/${this.editing.id}`), { text, title });
      } else {
        const { quote, span, ...target } = this.target;
        memo = await api("POST", this.store.apiUrl("/memos"), { ...target, text, title });
      }
      this.memos.set(memo.id, memo);
      this.closeEditor();
      this.render();
    } catch (exc) {
      this.bus.emit("error", { what: "Saving the memo", exc });
    }
  }

  async remove(memo) {
    if (!window.confirm(`Delete the memo “${memo.title || memo.text.slice(0, 40)}”?`)) return;
    try {
      await api("DELETE", this.store.apiUrl(`/memos/${memo.id}`));
      this.drop(memo.id);
    } catch (exc) {
      this.bus.emit("error", { what: "Deleting the memo", exc });
    }
  }
}
