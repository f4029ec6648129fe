/**
 * Suggestions inline in the workbench: the side panel lists the suggested codes of each
 * passage (score, confidence, why), the transcript shows them underlined with a mark in the
 * margin, and the keyboard triages them: ↓/↑ move between suggestions (selecting the passage,
 * which Shift+arrows then widen or narrow), A accepts (on the adjusted selection, if any),
 * R rejects. Accepting creates the coding server-side with origin "suggestion"; it joins the
 * stripes through workbench.addCoding().
 */
import { api, toast } from "../api.js";
import { ModelWatch } from "./model.js";
import { confidenceBadge, renderRationale, rationaleSummary } from "./rationale.js";

const FILTERS = [
  ["best", "Best code per passage"],
  ["top3", "Top 3 per passage"],
  ["likely", "Likely only (at or above the threshold)"],
];

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = text;
  return node;
}

const overlaps = (a, b) => a.start < b.end && b.start < a.end;

export class SuggestionPanel {
  constructor(workbench) {
    this.wb = workbench;
    this.store = workbench.store;
    this.el = workbench.panels.suggestions;
    this.items = [];          // every open suggestion, text order
    this.shown = [];          // those the filter lets through
    this.activeId = null;
    this.threshold = 0.5;
    this.busy = false;
    this.filter = localStorage.getItem(this.store.key("suggestions:filter")) || "best";
    this.model = new ModelWatch(this.store.apiUrl("/suggestions/model"), (s, prev) => this.modelChanged(s, prev));
  }

  start() {
    this.build();
    this.el.hidden = false;
    const keys = this.wb.keys;
    keys.register("a", () => this.accept(), "accept the suggestion (on the selection, if you widened or narrowed it)");
    keys.register("r", () => this.reject(), "reject the suggestion (when no coding is selected)");
    keys.register("ArrowDown", () => this.move(1), "next suggestion (↑: previous), when the text has no focus");
    keys.register("ArrowUp", () => this.move(-1));
    this.wb.bus.on("coding:upsert", ({ coding }) => this.codedElsewhere(coding));
    this.wb.bus.on("stripes:layout", () => this.placeMarks());
    window.addEventListener("resize", () => this.placeMarks());
    this.load();
  }

  build() {
    const head = el("div", "panel-head");
    head.append(el("h2", null, "Suggestions"));
    this.count = el("span", "muted sugg-count");
    head.append(this.count);
    this.filterSelect = el("select", "sugg-filter");
    this.filterSelect.setAttribute("aria-label", "Which suggestions to show");
    for (const [value, label] of FILTERS) {
      const option = el("option", null, label);
      option.value = value;
      option.selected = value === this.filter;
      this.filterSelect.append(option);
    }
    this.filterSelect.addEventListener("change", () => {
      this.filter = this.filterSelect.value;
      localStorage.setItem(this.store.key("suggestions:filter"), this.filter);
      this.render();
    });
    this.status = el("div", "sugg-status muted");
    this.status.setAttribute("role", "status");
    this.notice = el("div", "sugg-notice");
    this.notice.hidden = true;
    this.list = el("ul", "sugg-list");
    this.list.setAttribute("role", "listbox");
    this.list.setAttribute("aria-label", "Suggested codes");
    this.list.tabIndex = 0;
    this.list.addEventListener("click", (event) => this.click(event));
    this.detail = el("div", "sugg-detail");
    this.detail.setAttribute("aria-live", "polite");
    this.el.replaceChildren(head, this.filterSelect, this.status, this.notice, this.list, this.detail);
    this.marks = el("div", "sugg-marks");
    this.marks.setAttribute("aria-hidden", "true");
    this.marks.addEventListener("click", (event) => {
      const mark = event.target.closest(".sugg-mark");
      if (mark) this.activate(Number(mark.dataset.id), { focus: true });
    });
    document.getElementById("transcript").append(this.marks);
  }

  url() {
    return this.store.apiUrl(`/documents/${this.store.document.id}/suggestions`);
  }

  async load(method = "GET") {
    this.status.textContent = "Looking for suggestions…";
    try {
      const data = await api(method, this.url());
      this.threshold = data.threshold;
      this.setItems(data.suggestions);
      this.model.settle(data.model);
      this.status.textContent = data.pending
        ? "The suggestion model is being trained; suggestions will appear here shortly."
        : data.model.summary;
    } catch (exc) {
      this.status.textContent = `Suggestions are not available: ${exc.message}`;
    }
  }

  /** A new model: show its suggestions if none are shown yet, else offer to. */
  modelChanged(status, previous) {
    this.status.textContent = status.summary || "";
    if (!previous || !status.version || previous.version === status.version) return;
    if (!this.items.length) {
      this.load();
      return;
    }
    this.notice.replaceChildren("The model has retrained. ");
    const button = el("button", "link", "Show its suggestions");
    button.type = "button";
    button.addEventListener("click", () => {
      this.notice.hidden = true;
      this.load("POST");
    });
    this.notice.append(button);
    this.notice.hidden = false;
  }

  setItems(items) {
    this.items = items.slice().sort((a, b) => a.start - b.start || a.end - b.end || b.score - a.score);
    if (!this.items.some((s) => s.id === this.activeId)) this.activeId = null;
    this.render();
    const linked = /^#suggestion-(\d+)$/.exec(window.location.hash);
    if (linked && !this.linkedShown) {
      this.linkedShown = true;
      const id = Number(linked[1]);
      if (this.items.some((s) => s.id === id)) {
        if (!this.shown.some((s) => s.id === id)) this.filterSelect.value = this.filter = "top3";
        this.render();
        this.activate(id);
      }
    }
  }

  /** The suggestions the chosen filter shows, in text order. */
  filtered() {
    if (this.filter === "likely") return this.items.filter((s) => s.score >= this.threshold);
    if (this.filter === "top3") return this.items;
    const seen = new Set();
    return this.items.filter((s) => {
      const key = `${s.start}:${s.end}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  }

  render() {
    this.shown = this.filtered();
    this.count.textContent = this.items.length ? `${this.shown.length} of ${this.items.length}` : "";
    let previous = null;
    const rows = this.shown.map((s) => {
      const same = previous && previous.start === s.start && previous.end === s.end;
      previous = s;
      return this.row(s, same);
    });
    if (!rows.length) {
      const empty = el("li", "muted empty", this.items.length
        ? "None at this setting; choose another above."
        : "No open suggestions for this document.");
      rows.push(empty);
    }
    this.list.replaceChildren(...rows);
    const ranges = this.shown.map((s) => this.wb.index.rangeFor(s.start, s.end));
    this.wb.highlights.show("qc-suggestion", ranges, 0);
    this.placeMarks();
    if (this.activeId !== null) this.activate(this.activeId, { focus: false, select: false });
    else this.showDetail(null);
  }

  row(s, sameUnit) {
    const li = el("li", `sugg${sameUnit ? " same-unit" : ""}`);
    li.dataset.id = s.id;
    li.id = `suggestion-${s.id}`;
    li.tabIndex = -1;
    li.setAttribute("role", "option");
    li.setAttribute("aria-selected", "false");
    if (!sameUnit) li.append(el("div", "sugg-text", s.text.length > 110 ? `${s.text.slice(0, 109)}…` : s.text));
    const line = el("div", "sugg-line");
    const swatch = el("span", "swatch");
    swatch.style.backgroundColor = s.color;
    const name = el("span", "sugg-code", s.code_name || s.code);
    name.title = s.code;
    const score = confidenceBadge(s);
    score.title = `score ${s.score.toFixed(2)}, mostly from ${s.method}; likely from ${this.threshold.toFixed(2)}`;
    const accept = el("button", "sugg-accept", "✓");
    accept.type = "button";
    accept.title = "Accept (A)";
    accept.dataset.act = "accept";
    const reject = el("button", "sugg-reject", "✗");
    reject.type = "button";
    reject.title = "Reject (R)";
    reject.dataset.act = "reject";
    line.append(swatch, name, score, accept, reject);
    li.append(line);
    const why = rationaleSummary(s.rationale);
    if (why) li.append(el("div", "sugg-why muted", why));
    return li;
  }

  placeMarks() {
    if (!this.marks) return;
    const rootTop = document.getElementById("transcript").getBoundingClientRect().top;
    const seen = new Set();
    const marks = [];
    for (const s of this.shown) {
      const key = `${s.start}:${s.end}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const rect = this.wb.index.rangeFor(s.start, s.end).getClientRects()[0];
      if (!rect) continue;
      const mark = el("button", "sugg-mark");
      mark.type = "button";
      mark.tabIndex = -1;
      mark.dataset.id = s.id;
      mark.title = `Suggested: ${s.code} (${Math.round(s.score * 100)}%)`;
      mark.style.top = `${rect.top - rootTop}px`;
      mark.style.backgroundColor = s.color;
      if (s.id === this.activeId) mark.classList.add("active");
      marks.push(mark);
    }
    this.marks.replaceChildren(...marks);
  }

  get active() {
    return this.items.find((s) => s.id === this.activeId) || null;
  }

  activate(id, { focus = true, select = true, scroll = true } = {}) {
    const s = this.items.find((item) => item.id === id);
    if (!s) return;
    this.activeId = id;
    for (const li of this.list.querySelectorAll("li.sugg")) {
      const on = Number(li.dataset.id) === id;
      li.classList.toggle("active", on);
      li.setAttribute("aria-selected", on ? "true" : "false");
      if (on) {
        li.scrollIntoView({ block: "nearest" });
        if (focus) li.focus({ preventScroll: true });
      }
    }
    for (const mark of this.marks.querySelectorAll(".sugg-mark")) {
      mark.classList.toggle("active", Number(mark.dataset.id) === id);
    }
    if (select) {
      this.wb.bus.emit("coding:activate", { coding: null });
      this.wb.selection.select({ start: s.start, end: s.end }, { scroll });
      if (focus) {
        const li = this.list.querySelector(`li[data-id="${id}"]`);
        if (li) li.focus({ preventScroll: true });
      }
    }
    this.wb.highlights.show("qc-suggestion-active", [this.wb.index.rangeFor(s.start, s.end)], 1);
    this.showDetail(s);
  }

  showDetail(s) {
    if (!s) {
      this.detail.replaceChildren(el("p", "muted small", this.shown.length
        ? "↓ / ↑ move between suggestions · A accept · R reject · Shift+arrows widen or narrow first"
        : ""));
      this.wb.highlights.show("qc-suggestion-active", []);
      return;
    }
    const head = el("div", "sugg-detail-head");
    head.append(el("strong", null, s.code), el("span", "muted", ` · ${s.method} · model ${s.model_version}`));
    this.detail.replaceChildren(head, renderRationale(s.rationale));
  }

  move(step) {
    if (!this.shown.length) return;
    const i = this.shown.findIndex((s) => s.id === this.activeId);
    let next;
    if (i < 0) {
      const span = this.wb.selection.current();
      const from = span ? span.start : -1;
      next = step > 0 ? this.shown.find((s) => s.start >= from) || this.shown[0]
        : [...this.shown].reverse().find((s) => s.start < from) || this.shown[this.shown.length - 1];
    } else {
      next = this.shown[(i + step + this.shown.length) % this.shown.length];
    }
    this.activate(next.id);
  }

  click(event) {
    const li = event.target.closest("li.sugg");
    if (!li) return;
    const id = Number(li.dataset.id);
    const act = event.target.closest("button") && event.target.closest("button").dataset.act;
    if (act === "accept" || act === "reject") {
      this.activeId = id;
      if (act === "accept") this.accept({ useSelection: false });
      else this.reject();
      return;
    }
    this.activate(id);
  }

  /** The span to accept: the reader's selection when it overlaps the suggestion, else its own. */
  spanFor(s, useSelection) {
    const span = useSelection ? this.wb.selection.current() : null;
    if (span && overlaps(span, s) && (span.start !== s.start || span.end !== s.end)) {
      return { start16: span.start16, end16: span.end16 };
    }
    return undefined;
  }

  async accept({ useSelection = true } = {}) {
    const s = this.active;
    if (!s || this.busy) return;
    this.busy = true;
    try {
      const data = await api("POST", this.store.apiUrl(`/suggestions/${s.id}/accept`), this.spanFor(s, useSelection));
      this.wb.addCoding(data.coding);
      this.decided(s, data);
    } catch (exc) {
      toast(`Accepting the suggestion failed: ${exc.message}`, "error");
      if (exc.status === 404 || exc.status === 409) this.drop(s);
    } finally {
      this.busy = false;
    }
  }

  async reject() {
    const s = this.active;
    if (!s || this.busy) return;
    this.busy = true;
    try {
      const data = await api("POST", this.store.apiUrl(`/suggestions/${s.id}/reject`));
      this.decided(s, data);
    } catch (exc) {
      toast(`Rejecting the suggestion failed: ${exc.message}`, "error");
      if (exc.status === 404 || exc.status === 409) this.drop(s);
    } finally {
      this.busy = false;
    }
  }

  decided(s, data) {
    this.wb.bus.emit("notice", { message: `${data.status === "accepted" ? "Accepted" : "Rejected"}: ${s.code}` });
    this.drop(s);
    if (data.retraining) this.model.watch();
  }

  /** Remove a suggestion from the panel and move on to the next one. */
  drop(s) {
    const i = this.shown.findIndex((item) => item.id === s.id);
    this.items = this.items.filter((item) => item.id !== s.id);
    this.activeId = null;
    this.render();
    const next = this.shown[Math.min(Math.max(i, 0), this.shown.length - 1)];
    if (next) this.activate(next.id, { focus: true });
    else {
      window.getSelection().removeAllRanges();
      this.list.focus();
    }
  }

  /** A coding of mine made some other way covers a suggestion of the same code: hide it. */
  codedElsewhere(coding) {
    if (coding.coder_id !== this.store.me.id || coding.suggestion_id) return;
    const before = this.items.length;
    this.items = this.items.filter((s) => !(s.code_id === coding.code_id && overlaps(s, coding)));
    if (this.items.length !== before) this.render();
  }
}
