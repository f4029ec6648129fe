/**
 * Undo and redo of the user's own last actions. Each entry knows how to undo and redo itself
 * (on the server that is just the inverse call); entries run one at a time, in order.
 */

const LIMIT = 100;

export class UndoStack {
  constructor(bus) {
    this.bus = bus;
    this.done = [];
    this.undone = [];
    this.busy = Promise.resolve();
  }

  /** Record an action already carried out: `{label, undo: async fn, redo: async fn}`. */
  push(entry) {
    this.done.push(entry);
    if (this.done.length > LIMIT) this.done.shift();
    this.undone = [];
    this.changed();
  }

  undo() {
    return this.step(this.done, this.undone, "undo");
  }

  redo() {
    return this.step(this.undone, this.done, "redo");
  }

  step(from, to, how) {
    this.busy = this.busy.then(async () => {
      const entry = from.pop();
      if (!entry) return;
      this.changed();
      try {
        await entry[how]();
        to.push(entry);
      } catch (exc) {
        this.bus.emit("undo:failed", { label: entry.label, how, message: exc.message });
      }
      this.changed();
    });
    return this.busy;
  }

  changed() {
    const last = (list) => (list.length ? list[list.length - 1].label : null);
    this.bus.emit("undo:change", { undo: last(this.done), redo: last(this.undone) });
  }
}
