/**
 * The workbench's state (codes, codings, view) and its event bus.
 *
 * Modules never call each other to say "something changed": they change the store, and the
 * store emits on the bus. Events:
 *   coding:upsert {coding, previous}   coding:remove {coding}   codings:reset {}
 *   codes:reset {}   view:change {view}   selection:change {span|null}
 *   coding:activate {coding|null}      memos:change {}          ready {}
 */

export class Bus {
  constructor() {
    this.target = new EventTarget();
  }

  on(name, fn) {
    const handler = (event) => fn(event.detail);
    this.target.addEventListener(name, handler);
    return () => this.target.removeEventListener(name, handler);
  }

  emit(name, detail = {}) {
    this.target.dispatchEvent(new CustomEvent(name, { detail }));
  }
}

export class Store {
  constructor(initial, bus) {
    this.bus = bus;
    this.project = initial.project;
    this.document = initial.document;
    this.me = initial.me;
    this.role = initial.role;
    this.canCode = initial.canCode;
    this.isLead = initial.isLead;
    this.blind = initial.blind;
    this.assignment = initial.assignment;
    this.textLength = initial.textLength;
    this.lastEventId = initial.lastEventId;
    this.coders = new Map(initial.coders.map((u) => [u.id, u]));
    this.codes = new Map();
    this.codeOrder = [];
    this.setCodes(initial.codes, false);
    this.codings = new Map(initial.codings.map((c) => [c.id, c]));
    const saved = localStorage.getItem(this.key("view"));
    this.view = this.blind ? "mine" : saved === "mine" ? "mine" : "everyone";
  }

  /** A localStorage key private to this project. */
  key(name) {
    return `qualcode:${this.project}:${name}`;
  }

  apiUrl(path) {
    return `/api/p/${encodeURIComponent(this.project)}${path}`;
  }

  setCodes(codes, emit = true) {
    this.codes = new Map(codes.map((c) => [c.id, c]));
    this.codeOrder = codes.map((c) => c.id);
    if (emit) this.bus.emit("codes:reset");
  }

  code(id) {
    return this.codes.get(id);
  }

  coderName(coding) {
    if (coding.coder) return coding.coder;
    const user = this.coders.get(coding.coder_id);
    return user ? user.name : `user ${coding.coder_id}`;
  }

  /** Codings shown in the current view ("mine" or "everyone"). */
  visibleCodings() {
    const all = [...this.codings.values()];
    return this.view === "mine" ? all.filter((c) => c.coder_id === this.me.id) : all;
  }

  isVisible(coding) {
    return this.view !== "mine" || coding.coder_id === this.me.id;
  }

  upsertCoding(coding) {
    const previous = this.codings.get(coding.id) || null;
    if (!this.coders.has(coding.coder_id) && coding.coder) {
      this.coders.set(coding.coder_id, { id: coding.coder_id, name: coding.coder });
    }
    this.codings.set(coding.id, coding);
    if (!previous) this.bumpCount(coding.code_id, 1);
    else if (previous.code_id !== coding.code_id) {
      this.bumpCount(previous.code_id, -1);
      this.bumpCount(coding.code_id, 1);
    }
    this.bus.emit("coding:upsert", { coding, previous });
  }

  removeCoding(id) {
    const coding = this.codings.get(id);
    if (!coding) return;
    this.codings.delete(id);
    this.bumpCount(coding.code_id, -1);
    this.bus.emit("coding:remove", { coding });
  }

  /** Replace every coding (after the blind lifts or falls, say), keeping the view sensible. */
  resetCodings(codings, blind) {
    this.codings = new Map(codings.map((c) => [c.id, c]));
    const lifted = this.blind && blind === false;
    if (blind !== undefined) this.blind = blind;
    if (this.blind) this.view = "mine";
    else if (lifted) this.view = localStorage.getItem(this.key("view")) === "mine" ? "mine" : "everyone";
    this.bus.emit("codings:reset");
  }

  bumpCount(codeId, delta) {
    const code = this.codes.get(codeId);
    if (code) code.count = Math.max(0, (code.count || 0) + delta);
  }

  setView(view) {
    if (this.blind && view !== "mine") return;
    this.view = view;
    if (!this.blind) localStorage.setItem(this.key("view"), view);
    this.bus.emit("view:change", { view });
  }

  /** Codings in view per code id (for the codebook's "in this document" counts). */
  countsInView() {
    const counts = new Map();
    for (const c of this.visibleCodings()) counts.set(c.code_id, (counts.get(c.code_id) || 0) + 1);
    return counts;
  }
}
