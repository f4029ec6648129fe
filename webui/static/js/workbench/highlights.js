/**
 * Text highlights through the CSS Custom Highlight API: coded text, the hovered coding, the
 * span waiting for a code, and the selected coding. Nothing in the transcript's DOM changes,
 * so highlighting costs the same however long the document is. Styles: `::highlight(qc-*)`
 * in workbench.css. Browsers without the API simply show no highlight.
 */

const supported = typeof CSS !== "undefined" && "highlights" in CSS && typeof Highlight === "function";

export class Highlights {
  constructor() {
    this.sets = new Map();
  }

  /** The named highlight (created on first use); `priority` orders overlapping highlights. */
  get(name, priority = 0) {
    if (!supported) return null;
    let set = this.sets.get(name);
    if (!set) {
      set = new Highlight();
      set.priority = priority;
      CSS.highlights.set(name, set);
      this.sets.set(name, set);
    }
    return set;
  }

  /** Replace the named highlight's ranges with `ranges` (an empty list clears it). */
  show(name, ranges, priority = 0) {
    const set = this.get(name, priority);
    if (!set) return;
    set.clear();
    for (const range of ranges) set.add(range);
  }

  add(name, range) {
    const set = this.get(name);
    if (set) set.add(range);
  }

  remove(name, range) {
    const set = this.get(name);
    if (set) set.delete(range);
  }
}
