/**
 * Everything the user can do to codings, as calls to the API that update the store and
 * record how to undo themselves. Each call sends one request and touches one coding: the
 * cost of coding does not depend on how long the document is.
 */
import { api } from "../api.js";

export class Actions {
  constructor(store, undo, index) {
    this.store = store;
    this.undo = undo;
    this.index = index;
    this.recentlyRemoved = new Set(); // ids the poll must not bring back from a stale page
  }

  codeLabel(codeId) {
    const code = this.store.code(codeId);
    return code ? code.name : `code ${codeId}`;
  }

  async post(body) {
    const url = this.store.apiUrl(`/documents/${this.store.document.id}/codings`);
    const coding = await api("POST", url, body);
    this.store.upsertCoding(coding);
    return coding;
  }

  async patch(id, body) {
    const coding = await api("PATCH", this.store.apiUrl(`/codings/${id}`), body);
    this.store.upsertCoding(coding);
    return coding;
  }

  async remove(id) {
    const removed = await api("DELETE", this.store.apiUrl(`/codings/${id}`));
    this.recentlyRemoved.add(id);
    this.store.removeCoding(id);
    return removed;
  }

  /** Apply a code to a span the user selected (`{start16, end16}` as measured). */
  async applyCode(codeId, span) {
    const existed = new Set(this.store.codings.keys());
    const coding = await this.post({ code_id: codeId, start16: span.start16, end16: span.end16 });
    this.remember(codeId);
    if (existed.has(coding.id)) return coding; // the same code on the same span: nothing new
    const ref = { id: coding.id };
    const again = { code_id: coding.code_id, start: coding.start, end: coding.end,
      origin: coding.origin };
    this.undo.push({
      label: `code “${this.codeLabel(codeId)}”`,
      undo: async () => this.remove(ref.id),
      redo: async () => { ref.id = (await this.post(again)).id; },
    });
    return coding;
  }

  /** Recode: give a coding another code. */
  async recode(coding, codeId) {
    const before = coding.code_id;
    const ref = { id: coding.id };
    const updated = await this.patch(coding.id, { code_id: codeId });
    this.remember(codeId);
    this.undo.push({
      label: `recode as “${this.codeLabel(codeId)}”`,
      undo: async () => this.patch(ref.id, { code_id: before }),
      redo: async () => this.patch(ref.id, { code_id: codeId }),
    });
    return updated;
  }

  /** Widen or narrow a coding to a new code-point span. */
  async resize(coding, start, end) {
    const before = { start: coding.start, end: coding.end };
    const updated = await this.patch(coding.id, { ...this.index.utf16(start, end) });
    const after = { start: updated.start, end: updated.end };
    this.undo.push({
      label: "change the coded span",
      undo: async () => this.patch(coding.id, before),
      redo: async () => this.patch(coding.id, after),
    });
    return updated;
  }

  /** Uncode: remove a coding (undo puts it back as it was, with a new id). */
  async uncode(coding) {
    await this.remove(coding.id);
    const ref = { id: null };
    const again = { code_id: coding.code_id, start: coding.start, end: coding.end,
      origin: coding.origin };
    this.undo.push({
      label: `uncode “${this.codeLabel(coding.code_id)}”`,
      undo: async () => { ref.id = (await this.post(again)).id; },
      redo: async () => this.remove(ref.id),
    });
  }

  /** Recent codes, most recent first (kept per project in this browser). */
  recent() {
    try {
      return JSON.parse(localStorage.getItem(this.store.key("recent")) || "[]");
    } catch {
      return [];
    }
  }

  remember(codeId) {
    const list = [codeId, ...this.recent().filter((id) => id !== codeId)].slice(0, 8);
    localStorage.setItem(this.store.key("recent"), JSON.stringify(list));
  }
}
