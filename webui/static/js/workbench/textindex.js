/**
 * Maps between the transcript's DOM and document offsets.
 *
 * The server renders the whole canonical text as `span.t` pieces, each holding one text node
 * and carrying its absolute start in code points (`data-o`) and UTF-16 units (`data-u`, left
 * out where the two are equal, i.e. before the first astral character).
 * Speaker labels and line breaks between turns are pieces too, hidden (`span.t.h`), so the
 * page holds exactly Document.text. Lookups are binary searches over the pieces: their cost
 * does not grow with the document beyond log(pieces).
 */
import { cpLength, cpToU16, snapU16, u16ToCp } from "../offsets.js";

export class TextIndex {
  constructor(root, textLength) {
    this.root = root;
    this.textLength = textLength;
    this.byElement = new Map();
    this.pieces = Array.from(root.querySelectorAll("span.t"), (el, i) => {
      const node = el.firstChild;
      const text = node ? node.data : "";
      const piece = {
        i, el, node, text, o: Number(el.dataset.o), u: Number(el.dataset.u ?? el.dataset.o),
        hidden: el.classList.contains("h"), cpLen: cpLength(text),
      };
      this.byElement.set(el, piece);
      return piece;
    });
  }

  /** Index of the last piece starting at or before `cp` (a binary search). */
  indexAt(cp) {
    let lo = 0;
    let hi = this.pieces.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.pieces[mid].o <= cp) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** A DOM boundary point for a code-point offset; an end offset stays in the piece it ends. */
  point(cp, isEnd = false) {
    let i = this.indexAt(cp);
    if (isEnd && i > 0 && this.pieces[i].o === cp) i -= 1;
    const piece = this.pieces[i];
    if (!piece || !piece.node) return { node: this.root, offset: 0 };
    return { node: piece.node, offset: cpToU16(piece.text, cp - piece.o) };
  }

  /** A live DOM Range over the code-point span [start, end). */
  rangeFor(start, end) {
    const range = document.createRange();
    const a = this.point(start, false);
    const b = this.point(end, true);
    range.setStart(a.node, a.offset);
    range.setEnd(b.node, b.offset);
    return range;
  }

  /** Offsets `{cp, u16}` of a DOM boundary point, or null when it lies outside the text. */
  locate(node, offset, direction) {
    const el = node.nodeType === Node.TEXT_NODE ? node.parentElement : null;
    const piece = el ? this.byElement.get(el) : this.byElement.get(node);
    if (piece && piece.node) {
      const off = node === piece.node
        ? snapU16(piece.text, offset, direction)
        : (offset > 0 ? piece.text.length : 0);
      return { cp: piece.o + u16ToCp(piece.text, off), u16: piece.u + off, piece };
    }
    if (!this.root.contains(node)) return null;
    return this.afterPieceBefore(node, offset);
  }

  /** For a point between pieces (in a block or gutter): the end of the last piece before it. */
  afterPieceBefore(node, offset) {
    const probe = document.createRange();
    let lo = -1;
    let hi = this.pieces.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      probe.setStart(this.pieces[mid].el, 0);
      if (probe.comparePoint(node, offset) >= 0) lo = mid;
      else hi = mid - 1;
    }
    if (lo < 0) return { cp: 0, u16: 0, piece: this.pieces[0] };
    const piece = this.pieces[lo];
    return { cp: piece.o + piece.cpLen, u16: piece.u + piece.text.length, piece };
  }

  /** Move a located start forward out of hidden pieces, to the next visible text. */
  snapForward(loc) {
    let i = loc.piece.i;
    const atEnd = loc.cp >= loc.piece.o + loc.piece.cpLen;
    if (!loc.piece.hidden && !atEnd) return loc;
    i += 1;
    while (i < this.pieces.length && this.pieces[i].hidden) i += 1;
    if (i >= this.pieces.length) return loc;
    const piece = this.pieces[i];
    return { cp: piece.o, u16: piece.u, piece };
  }

  /** Move a located end back out of hidden pieces, to the end of the previous visible text. */
  snapBack(loc) {
    let i = loc.piece.i;
    const atStart = loc.cp <= loc.piece.o;
    if (!loc.piece.hidden && !atStart) return loc;
    i -= 1;
    while (i >= 0 && this.pieces[i].hidden) i -= 1;
    if (i < 0) return loc;
    const piece = this.pieces[i];
    return { cp: piece.o + piece.cpLen, u16: piece.u + piece.text.length, piece };
  }

  /**
   * The span a DOM Range selects: `{start, end, start16, end16}` with its ends moved off
   * hidden labels and line breaks, or null when it selects no transcript text.
   */
  spanFromRange(range) {
    if (!range || range.collapsed) return null;
    const rootRange = document.createRange();
    rootRange.selectNodeContents(this.root);
    if (range.compareBoundaryPoints(Range.END_TO_START, rootRange) >= 0) return null;
    if (range.compareBoundaryPoints(Range.START_TO_END, rootRange) <= 0) return null;
    const startInside = rootRange.comparePoint(range.startContainer, range.startOffset) === 0;
    const endInside = rootRange.comparePoint(range.endContainer, range.endOffset) === 0;
    let a = startInside ? this.locate(range.startContainer, range.startOffset, "back") : null;
    let b = endInside ? this.locate(range.endContainer, range.endOffset, "forward") : null;
    const first = this.pieces[0];
    const last = this.pieces[this.pieces.length - 1];
    if (!a) a = { cp: 0, u16: 0, piece: first };
    if (!b) b = { cp: last.o + last.cpLen, u16: last.u + last.text.length, piece: last };
    a = this.snapForward(a);
    b = this.snapBack(b);
    if (a.cp >= b.cp) return null;
    return { start: a.cp, end: b.cp, start16: a.u16, end16: b.u16 };
  }

  /** The visible text of a transcript row (`div.blk`): its turn's words, or its line. */
  blockSpan(block) {
    const shown = block.querySelectorAll("span.t:not(.h)");
    const first = this.byElement.get(shown[0] || block.querySelector("span.t"));
    const last = this.byElement.get(shown[shown.length - 1] || block.querySelector("span.t:last-child"));
    return { start: first.o, end: last.o + last.cpLen };
  }

  /** The quoted text of a span, read from the page. */
  quote(start, end) {
    return this.rangeFor(start, end).toString();
  }

  /** UTF-16 offsets of a code-point span (for sending a span the page already knows). */
  utf16(start, end) {
    const at = (cp, isEnd) => {
      let i = this.indexAt(cp);
      if (isEnd && i > 0 && this.pieces[i].o === cp) i -= 1;
      const piece = this.pieces[i];
      return piece.u + cpToU16(piece.text, cp - piece.o);
    };
    return { start16: at(start, false), end16: at(end, true) };
  }

  /** The code-point offset at a viewport position (for drag handles and shift+click). */
  cpAtPoint(x, y) {
    let node = null;
    let offset = 0;
    if (document.caretPositionFromPoint) {
      const pos = document.caretPositionFromPoint(x, y);
      if (pos) ({ offsetNode: node, offset } = pos);
    } else if (document.caretRangeFromPoint) {
      const range = document.caretRangeFromPoint(x, y);
      if (range) ({ startContainer: node, startOffset: offset } = range);
    }
    if (!node) return null;
    const loc = this.locate(node, offset, "back");
    return loc ? loc.cp : null;
  }
}
