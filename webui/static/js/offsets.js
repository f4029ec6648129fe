/**
 * THE one place in the browser that converts between UTF-16 code units (what the DOM,
 * Selection and Range measure) and Unicode code points (what the server stores: DESIGN.md,
 * "The text and offset model"). The server's counterpart is qualcode.text.spans.Utf16Index.
 *
 * Offsets are always relative to one string (a piece of the transcript); callers add the
 * piece's absolute start, which the page carries in both units (data-o and data-u).
 */

const SURROGATE = /[\uD800-\uDFFF]/;

const isHigh = (code) => code >= 0xd800 && code <= 0xdbff;
const isLow = (code) => code >= 0xdc00 && code <= 0xdfff;

/** True when the string holds an astral character (so the two units differ). */
export function hasAstral(str) {
  return SURROGATE.test(str);
}

/** The number of code points in a string. */
export function cpLength(str) {
  if (!hasAstral(str)) return str.length;
  let n = 0;
  for (let u = 0; u < str.length; u += 1) {
    if (!(isLow(str.charCodeAt(u)) && u > 0 && isHigh(str.charCodeAt(u - 1)))) n += 1;
  }
  return n;
}

/** The UTF-16 offset of code-point offset `cp` in `str` (clamped to the string). */
export function cpToU16(str, cp) {
  if (!hasAstral(str)) return Math.max(0, Math.min(cp, str.length));
  let u = 0;
  for (let n = 0; n < cp && u < str.length; n += 1) {
    u += isHigh(str.charCodeAt(u)) && isLow(str.charCodeAt(u + 1)) ? 2 : 1;
  }
  return u;
}

/**
 * Move a UTF-16 offset that falls between the two halves of a surrogate pair to the pair's
 * start ("back") or end ("forward"); other offsets are returned as they are.
 */
export function snapU16(str, u, direction = "back") {
  if (u > 0 && u < str.length && isLow(str.charCodeAt(u)) && isHigh(str.charCodeAt(u - 1))) {
    return direction === "forward" ? u + 1 : u - 1;
  }
  return u;
}

/** The code-point offset of UTF-16 offset `u` in `str` (a split pair counts as its start). */
export function u16ToCp(str, u) {
  if (!hasAstral(str)) return Math.max(0, Math.min(u, str.length));
  const end = snapU16(str, Math.min(u, str.length), "back");
  let n = 0;
  for (let i = 0; i < end; i += 1) {
    if (!(isLow(str.charCodeAt(i)) && i > 0 && isHigh(str.charCodeAt(i - 1)))) n += 1;
  }
  return n;
}
