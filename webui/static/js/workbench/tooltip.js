/** One floating tooltip for the page (stripes, codes), built from text only (never HTML). */

export class Tooltip {
  constructor(el) {
    this.el = el;
  }

  /** Show `lines` (strings, or [label, value] pairs) near the viewport point (x, y). */
  show(lines, x, y) {
    this.el.replaceChildren();
    for (const line of lines) {
      const row = document.createElement("div");
      if (Array.isArray(line)) {
        const label = document.createElement("span");
        label.className = "tip-label";
        label.textContent = line[0];
        row.append(label, document.createTextNode(` ${line[1]}`));
      } else {
        row.textContent = line;
      }
      this.el.append(row);
    }
    this.el.hidden = false;
    const box = this.el.getBoundingClientRect();
    const left = Math.min(x + 14, window.innerWidth - box.width - 8);
    const top = y + 16 + box.height > window.innerHeight ? y - box.height - 10 : y + 16;
    this.el.style.left = `${Math.max(4, left)}px`;
    this.el.style.top = `${Math.max(4, top)}px`;
  }

  hide() {
    this.el.hidden = true;
  }
}

/** "3 May 2024, 14:05" in the reader's locale, from an ISO timestamp. */
export function formatDate(iso) {
  if (!iso) return "";
  return new Date(iso).toLocaleString(undefined, {
    day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit",
  });
}

export const ORIGINS = {
  manual: "coded by hand",
  suggestion: "accepted suggestion",
  import: "imported",
  adjudication: "adjudicated",
};
