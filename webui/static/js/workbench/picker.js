/**
 * The code picker: a popup beside the selection with type-ahead over the codebook's paths,
 * recent codes first, digits 1–9 for the pinned codes, Enter to apply, Shift+Enter to apply
 * and keep going (several codes on one selection), Esc to close. In recode mode it gives the
 * selected coding another code instead.
 */

const LIMIT = 60;

function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** How well a code matches the typed terms (-1: not at all); names weigh more than paths. */
export function matchScore(code, terms) {
  const name = code.name.toLowerCase();
  const path = code.path.toLowerCase();
  let total = 0;
  for (const term of terms) {
    if (name.startsWith(term)) total += 100;
    else if (new RegExp(`(^|[\\s/(-])${escapeRegExp(term)}`).test(name)) total += 60;
    else if (name.includes(term)) total += 40;
    else if (path.includes(term)) total += 15;
    else if ((code.definition || "").toLowerCase().includes(term)) total += 5;
    else return -1;
  }
  return total;
}

export class Picker {
  constructor({ el, store, actions, pins, selection, bus }) {
    Object.assign(this, { el, store, actions, pins, selection, bus });
    this.input = el.querySelector("input");
    this.list = el.querySelector("ul");
    this.title = el.querySelector(".picker-title");
    this.quote = el.querySelector(".picker-quote");
    this.results = [];
    this.cursor = 0;
    this.applied = new Set();
    this.input.addEventListener("input", () => { this.cursor = 0; this.render(); });
    this.input.addEventListener("keydown", (e) => this.key(e));
    this.list.addEventListener("mousedown", (e) => e.preventDefault());
    this.list.addEventListener("click", (e) => {
      const row = e.target.closest("li[data-id]");
      if (row) this.choose(Number(row.dataset.id), e.shiftKey || e.ctrlKey || e.metaKey);
    });
    bus.on("codes:reset", () => { if (this.isOpen()) this.render(); });
  }

  isOpen() {
    return !this.el.hidden;
  }

  /** Open for a span (`mode: "apply"`) or for recoding a coding (`mode: "recode"`). */
  open({ span, coding = null, mode = "apply", rect = null }) {
    if (!this.store.canCode) return;
    this.span = span;
    this.coding = coding;
    this.mode = mode;
    this.applied = new Set();
    this.selection.hold(span);
    this.title.textContent = mode === "recode" ? "Recode as…" : "Code the selection";
    const quote = this.selection.quoteOf(span);
    this.quote.textContent = quote.length > 90 ? `“${quote.slice(0, 88)}…”` : `“${quote}”`;
    this.input.value = "";
    this.cursor = 0;
    this.render();
    this.el.hidden = false;
    this.position(rect || this.selection.rectOf(span));
    this.input.focus({ preventScroll: true });
  }

  position(rect) {
    const box = this.el.getBoundingClientRect();
    let left = rect ? rect.left : 80;
    let top = rect ? rect.bottom + 8 : 120;
    if (left + box.width > window.innerWidth - 8) left = window.innerWidth - box.width - 8;
    if (top + box.height > window.innerHeight - 8 && rect) top = Math.max(8, rect.top - box.height - 8);
    this.el.style.left = `${Math.max(8, left)}px`;
    this.el.style.top = `${Math.max(8, top)}px`;
  }

  close({ restore = true } = {}) {
    if (!this.isOpen()) return;
    this.el.hidden = true;
    this.selection.release();
    if (restore && this.span && this.mode === "apply") this.selection.select(this.span);
    this.selection.focusText();
  }

  candidates() {
    return [...this.store.codes.values()].filter((c) => c.active && c.codable);
  }

  rank() {
    const terms = this.input.value.toLowerCase().split(/\s+/).filter(Boolean);
    const codes = this.candidates();
    if (!terms.length) {
      const byId = new Map(codes.map((c) => [c.id, c]));
      const first = [...this.actions.recent(), ...this.pins.list()]
        .map((id) => byId.get(id)).filter(Boolean);
      const seen = new Set();
      return [...first, ...codes].filter((c) => !seen.has(c.id) && seen.add(c.id)).slice(0, LIMIT);
    }
    const recent = new Map(this.actions.recent().map((id, i) => [id, 8 - i]));
    return codes
      .map((code) => ({ code, score: matchScore(code, terms) }))
      .filter((r) => r.score >= 0)
      .map((r) => ({ ...r, score: r.score + (recent.get(r.code.id) || 0) * 3 }))
      .sort((a, b) => b.score - a.score || a.code.path.localeCompare(b.code.path))
      .slice(0, LIMIT)
      .map((r) => r.code);
  }

  render() {
    this.results = this.rank();
    this.cursor = Math.min(this.cursor, Math.max(0, this.results.length - 1));
    const recent = new Set(this.actions.recent());
    const pins = this.pins.list();
    const rows = this.results.map((code, i) => {
      const li = document.createElement("li");
      li.dataset.id = code.id;
      li.setAttribute("role", "option");
      li.className = i === this.cursor ? "current" : "";
      li.setAttribute("aria-selected", String(i === this.cursor));
      const swatch = document.createElement("span");
      swatch.className = "swatch";
      swatch.style.backgroundColor = code.color;
      const name = document.createElement("span");
      name.className = "name";
      name.textContent = code.name;
      const parent = document.createElement("span");
      parent.className = "parent";
      parent.textContent = code.path.includes("/") ? code.path.slice(0, code.path.lastIndexOf("/")) : "";
      li.append(swatch, name, parent);
      const pin = pins.indexOf(code.id);
      if (pin >= 0) {
        const kbd = document.createElement("kbd");
        kbd.textContent = String(pin + 1);
        li.append(kbd);
      }
      if (recent.has(code.id) && !this.input.value) li.classList.add("recent");
      if (this.applied.has(code.id)) li.classList.add("applied");
      return li;
    });
    if (!rows.length) {
      const li = document.createElement("li");
      li.className = "empty";
      li.textContent = "No code matches.";
      rows.push(li);
    }
    this.list.replaceChildren(...rows);
    this.input.setAttribute("aria-activedescendant", "");
    const current = this.list.children[this.cursor];
    if (current && current.scrollIntoView) current.scrollIntoView({ block: "nearest" });
  }

  key(event) {
    const { key } = event;
    if (key === "ArrowDown" || key === "ArrowUp") {
      event.preventDefault();
      const n = this.results.length;
      if (n) this.cursor = (this.cursor + (key === "ArrowDown" ? 1 : n - 1)) % n;
      this.render();
    } else if (key === "Enter") {
      event.preventDefault();
      const code = this.results[this.cursor];
      if (code) this.choose(code.id, event.shiftKey);
    } else if (key === "Escape") {
      event.preventDefault();
      event.stopPropagation();
      this.close();
    } else if (/^[1-9]$/.test(key) && !this.input.value) {
      event.preventDefault();
      const id = this.pins.list()[Number(key) - 1];
      if (id !== undefined) this.choose(id, event.shiftKey);
    } else if (key === "Tab") {
      event.preventDefault();
    }
  }

  /** Apply (or recode to) a code; `keepOpen` leaves the picker up for another code. */
  async choose(codeId, keepOpen = false) {
    const code = this.store.code(codeId);
    if (!code || !code.codable || !code.active) return;
    if (this.mode === "recode") {
      this.close({ restore: false });
      await this.actions.recode(this.coding, codeId).catch((exc) => this.bus.emit("error", { what: "Recode", exc }));
      return;
    }
    const span = this.span;
    if (keepOpen) {
      this.applied.add(codeId);
      this.input.value = "";
      this.render();
      this.input.focus();
    } else {
      this.close({ restore: false });
      this.selection.collapseTo(span.end);
    }
    try {
      await this.actions.applyCode(codeId, span);
    } catch (exc) {
      this.applied.delete(codeId);
      this.bus.emit("error", { what: `Coding with ${code.name}`, exc });
    }
  }
}
