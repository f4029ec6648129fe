/**
 * Opening the workbench at a place: other pages (Evidence, Chapters, Agreement) link to
 * `/p/<slug>/documents/<id>?at=<start>[&to=<end>][&coding=<id>]#o=<start>[-<end>]`, offsets
 * in code points like every span the server sends (DESIGN.md). On load the workbench scrolls
 * to that span, selects it (the coding itself when one covers exactly that span, so its card
 * offers recode and uncode) and flashes it so the eye finds it.
 */

const FLASH_MS = 2500;

/** The `{start, end, codingId}` the address asks for, or null; clamped to the text. */
export function targetFromLocation(location, textLength) {
  const query = new URLSearchParams(location.search);
  const hash = /^#o=(\d+)(?:-(\d+))?$/.exec(location.hash || "");
  const start = query.has("at") ? Number(query.get("at")) : hash ? Number(hash[1]) : NaN;
  if (!Number.isInteger(start) || start < 0 || start >= textLength) return null;
  const endText = query.get("to") ?? (hash && hash[2]);
  const end = endText == null ? null : Math.min(Number(endText), textLength);
  const codingId = query.has("coding") ? Number(query.get("coding")) : null;
  return {
    start,
    end: Number.isInteger(end) && end > start ? end : null,
    codingId: Number.isInteger(codingId) ? codingId : null,
  };
}

/** The coding the target names, or one visible coding over exactly its span. */
function codingFor(target, store) {
  const visible = store.visibleCodings();
  if (target.codingId != null) {
    const named = visible.find((c) => c.id === target.codingId);
    if (named) return named;
  }
  return visible.find((c) => c.start === target.start && (target.end == null || c.end === target.end))
    || null;
}

/** The span of the transcript row holding `cp` (used when a link gives no end). */
function rowSpan(cp, index) {
  const piece = index.pieces[index.indexAt(cp)];
  const block = piece && piece.el.closest(".blk");
  return block ? index.blockSpan(block) : { start: cp, end: Math.min(cp + 1, index.textLength) };
}

/** Scroll to, select and flash the target of the page's address; returns the span or null. */
export function goToTarget({ location, store, bus, index, selection, highlights }) {
  const target = targetFromLocation(location, index.textLength);
  if (!target) return null;
  const coding = codingFor(target, store);
  const span = coding
    ? { start: coding.start, end: coding.end }
    : { start: target.start, end: target.end ?? rowSpan(target.start, index).end };
  const range = index.rangeFor(span.start, span.end);
  if (coding) {
    bus.emit("coding:activate", { coding, scroll: true });
  } else {
    selection.select(span, { scroll: true });
  }
  highlights.show("qc-target", [range], 4);
  setTimeout(() => highlights.show("qc-target", []), FLASH_MS);
  return span;
}
