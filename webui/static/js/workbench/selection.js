/**
 * The reader's selection in the transcript, in document offsets.
 *
 * The browser's own Selection is the source of truth while the reader selects (mouse, or
 * Shift+arrows handled in keys.js). When a popup takes the focus, the span is "held": shown
 * with the qc-pending highlight and returned by current() until released. A drawn caret shows
 * where keyboard selection starts, since browsers draw none in read-only text.
 */

export class TextSelection {
  constructor({ root, index, highlights, bus, caret }) {
    Object.assign(this, { root, index, highlights, bus, caret });
    this.held = null;
    this.frame = 0;
    document.addEventListener("selectionchange", () => this.schedule());
    root.addEventListener("focus", () => this.schedule());
    root.addEventListener("blur", () => { this.caret.hidden = true; });
  }

  schedule() {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.drawCaret();
      if (!this.held) this.bus.emit("selection:change", { span: this.fromDom() });
    });
  }

  /** The span the DOM selection covers in the transcript, or null. */
  fromDom() {
    const sel = window.getSelection();
    if (!sel || sel.rangeCount === 0 || sel.isCollapsed) return null;
    return this.index.spanFromRange(sel.getRangeAt(0));
  }

  /** The span to act on: the held one while a popup is open, else the DOM selection. */
  current() {
    return this.held || this.fromDom();
  }

  hold(span) {
    this.held = span;
    this.highlights.show("qc-pending", [this.index.rangeFor(span.start, span.end)], 2);
  }

  release() {
    this.held = null;
    this.highlights.show("qc-pending", []);
  }

  /** Make `span` the DOM selection (scrolling it into view if asked). */
  select(span, { scroll = false } = {}) {
    const range = this.index.rangeFor(span.start, span.end);
    const sel = window.getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
    if (scroll) this.scrollTo(range);
  }

  collapseTo(cp) {
    const { node, offset } = this.index.point(cp, true);
    window.getSelection().collapse(node, offset);
  }

  scrollTo(range) {
    const rect = range.getBoundingClientRect();
    const el = range.startContainer.parentElement;
    if (rect.top < 80 || rect.bottom > window.innerHeight - 40) {
      el.scrollIntoView({ block: "center" });
    }
  }

  focusText() {
    this.root.focus({ preventScroll: true });
  }

  quoteOf(span) {
    return this.index.quote(span.start, span.end);
  }

  /** The last line box of a span, to place a popup beside its end. */
  rectOf(span) {
    const rects = [...this.index.rangeFor(span.start, span.end).getClientRects()]
      .filter((r) => r.width > 0);
    return rects.length ? rects[rects.length - 1] : null;
  }

  /** A span with UTF-16 offsets too (for spans built from code points, e.g. a whole turn). */
  withUtf16(start, end) {
    return { start, end, ...this.index.utf16(start, end) };
  }

  drawCaret() {
    const sel = window.getSelection();
    const show = document.activeElement === this.root && sel && sel.rangeCount > 0
      && sel.isCollapsed && this.root.contains(sel.anchorNode);
    if (!show) {
      this.caret.hidden = true;
      return;
    }
    const rect = sel.getRangeAt(0).getClientRects()[0];
    if (!rect) {
      this.caret.hidden = true;
      return;
    }
    const rootBox = this.root.getBoundingClientRect();
    this.caret.hidden = false;
    this.caret.style.left = `${rect.left - rootBox.left}px`;
    this.caret.style.top = `${rect.top - rootBox.top}px`;
    this.caret.style.height = `${rect.height || 18}px`;
  }
}
