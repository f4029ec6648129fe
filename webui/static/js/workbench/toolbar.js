/**
 * The toolbar: pinned codes (digits 1–9), Mine / Everyone (and the blind badge), undo and
 * redo, the saving indicator, how much of the text the user has coded, mark done, and a
 * line telling who else just changed something.
 */
import { api, onActivity } from "../api.js";

export class Toolbar {
  constructor({ el, store, bus, undo, pins, selection, actions }) {
    Object.assign(this, { el, store, bus, undo, pins, selection, actions });
    this.$ = (sel) => el.querySelector(sel);
    this.pinBar = this.$(".pinned");
    this.status = this.$(".save-status");
    this.doneButton = this.$(".done-button");
    this.views = el.querySelectorAll("button[data-view]");
    for (const button of this.views) {
      button.addEventListener("click", () => store.setView(button.dataset.view));
    }
    this.$(".undo-button").addEventListener("click", () => undo.undo());
    this.$(".redo-button").addEventListener("click", () => undo.redo());
    this.doneButton.addEventListener("click", () => this.toggleDone());
    this.pinBar.addEventListener("mousedown", (e) => e.preventDefault()); // keep the selection
    this.pinBar.addEventListener("click", (e) => this.pinClick(e));
    bus.on("undo:change", (state) => this.undoState(state));
    bus.on("view:change", () => this.viewState());
    bus.on("codings:reset", () => { this.viewState(); this.coverage(); });
    bus.on("pins:change", () => this.renderPins());
    bus.on("codes:reset", () => this.renderPins());
    bus.on("coding:upsert", () => { this.coverage(); this.doneState(); });
    bus.on("coding:remove", () => { this.coverage(); this.doneState(); });
    bus.on("activity", ({ event }) => this.activity(event));
    bus.on("live:error", () => this.$(".live-status").classList.add("offline"));
    bus.on("live:ok", () => this.$(".live-status").classList.remove("offline"));
    bus.on("assignment:mine", () => this.doneState());
    onActivity((state) => this.saving(state));
    this.undoState({ undo: null, redo: null });
    this.viewState();
    this.renderPins();
    this.coverage();
    this.doneState();
  }

  saving({ pending, error }) {
    this.status.classList.toggle("busy", pending > 0);
    this.status.classList.toggle("failed", !pending && Boolean(error));
    this.status.textContent = pending ? "Saving…" : error ? `Not saved: ${error}` : "All changes saved";
  }

  undoState({ undo, redo }) {
    const u = this.$(".undo-button");
    const r = this.$(".redo-button");
    u.disabled = !undo;
    r.disabled = !redo;
    u.title = undo ? `Undo ${undo} (Ctrl+Z)` : "Nothing to undo";
    r.title = redo ? `Redo ${redo} (Ctrl+Shift+Z)` : "Nothing to redo";
  }

  viewState() {
    for (const button of this.views) {
      const on = button.dataset.view === this.store.view;
      button.setAttribute("aria-pressed", String(on));
      button.disabled = this.store.blind && button.dataset.view !== "mine";
    }
    this.$(".blind-badge").hidden = !this.store.blind;
  }

  renderPins() {
    const buttons = this.pins.list().map((id, i) => {
      const code = this.store.code(id);
      const b = document.createElement("button");
      b.type = "button";
      b.dataset.id = id;
      b.title = `${code.path} (key ${i + 1})`;
      const kbd = document.createElement("kbd");
      kbd.textContent = String(i + 1);
      const swatch = document.createElement("span");
      swatch.className = "swatch";
      swatch.style.backgroundColor = code.color;
      b.append(kbd, swatch, code.name);
      return b;
    });
    if (!buttons.length) {
      const hint = document.createElement("span");
      hint.className = "muted";
      hint.textContent = "Pin codes in the codebook to use keys 1–9";
      buttons.push(hint);
    }
    this.pinBar.replaceChildren(...buttons);
  }

  pinClick(event) {
    const button = event.target.closest("button[data-id]");
    if (!button || !this.store.canCode) return;
    const span = this.selection.current();
    if (!span) {
      this.bus.emit("notice", { message: "Select a passage first, then press the code's key." });
      return;
    }
    this.selection.collapseTo(span.end);
    this.actions.applyCode(Number(button.dataset.id), span)
      .catch((exc) => this.bus.emit("error", { what: "Coding", exc }));
  }

  /** The share of the text the user has coded (their codings merged). */
  coverage() {
    const spans = [...this.store.codings.values()]
      .filter((c) => c.coder_id === this.store.me.id)
      .map((c) => [c.start, c.end])
      .sort((a, b) => a[0] - b[0]);
    let covered = 0;
    let reach = -1;
    for (const [start, end] of spans) {
      if (end <= reach) continue;
      covered += end - Math.max(start, reach);
      reach = end;
    }
    const share = this.store.textLength ? Math.round((100 * covered) / this.store.textLength) : 0;
    this.$(".coverage-bar").style.width = `${share}%`;
    this.$(".coverage-label").textContent = `${share}% coded by you`;
  }

  doneState() {
    const a = this.store.assignment;
    const done = a && a.status === "done";
    this.doneButton.textContent = done ? "Done ✓ (reopen)" : "Mark done";
    this.doneButton.classList.toggle("is-done", Boolean(done));
    this.doneButton.setAttribute("aria-pressed", String(Boolean(done)));
    this.doneButton.disabled = !this.store.canCode;
    const mine = [...this.store.codings.values()].some((c) => c.coder_id === this.store.me.id);
    const status = a && a.status !== "not_started" ? a.status : mine ? "in_progress" : "not_started";
    this.$(".assignment-status").textContent = status.replace("_", " ");
  }

  async toggleDone() {
    const done = !(this.store.assignment && this.store.assignment.status === "done");
    try {
      this.store.assignment = await api("POST",
        this.store.apiUrl(`/documents/${this.store.document.id}/done`), { done });
      this.doneState();
      this.bus.emit("notice", { message: done ? "Marked done. Thank you!" : "Reopened." });
      this.bus.emit("assignment:refresh");
    } catch (exc) {
      this.bus.emit("error", { what: "Marking the document", exc });
    }
  }

  activity(event) {
    const code = event.coding ? this.store.code(event.coding.code_id) : null;
    const verb = {
      "coding.added": `coded ${code ? code.name : "a passage"}`,
      "coding.changed": `changed a coding${code ? ` of ${code.name}` : ""}`,
      "coding.removed": "removed a coding",
      "memo.created": "wrote a memo", "memo.changed": "edited a memo", "memo.deleted": "deleted a memo",
    }[event.action] || event.action.replace(".", " ");
    const line = this.$(".activity");
    line.textContent = `${event.user} ${verb} · ${new Date(event.at).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })}`;
    line.classList.remove("fresh");
    void line.offsetWidth; // restart the fade-in
    line.classList.add("fresh");
  }
}
