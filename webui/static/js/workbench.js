/**
 * The coding workbench: wires the page's parts together.
 *
 * The server renders the transcript (escaped, by speaker turn) and embeds the initial state
 * (codebook, codings in view, who you are) as JSON in #workbench-state; everything else is
 * requested as needed through the JSON API, one small call per action.
 *
 * Extension point (e.g. inline suggestions). Other scripts reach the workbench either by
 *   import { workbench } from "/static/js/workbench.js";
 * or by listening for the `qualcode:workbench-ready` event on `document` (its detail is the
 * same object, also at `window.qualcode.workbench`). It offers:
 *   workbench.bus.on(name, fn) / emit(name, detail)   the event bus (events: see state.js;
 *        also "selection:change" {span}, "coding:activate" {coding}, "stripes:layout")
 *   workbench.store                 codes, codings, me, view, apiUrl(path), key(name)
 *   workbench.index.rangeFor(start, end)   a DOM Range for a code-point span
 *   workbench.selection.current()   the span the reader has selected {start, end, start16, end16}
 *   workbench.selection.select(span, {scroll})      select a span (e.g. a suggestion)
 *   workbench.highlights.show(name, ranges, priority)   a text highlight; style ::highlight(name)
 *   workbench.addCoding(codingJson)  show a coding another endpoint created (e.g. an accepted
 *        suggestion): it joins the stripes, counts and live updates like any other
 *   workbench.keys.register(key, fn, description)   a single-key shortcut, listed in "?" help
 *   workbench.target                the span the address pointed at (?at=&to=, #o=), or null
 *   workbench.panels.suggestions    the empty <aside id="suggestions-panel" hidden> to fill
 * Templates extending coding/workbench.html add their scripts in {% block workbench_extensions %}.
 */
import { api, toast } from "./api.js";
import { Actions } from "./workbench/actions.js";
import { CodebookPanel, Pins } from "./workbench/codebook.js";
import { CodingCard } from "./workbench/codingcard.js";
import { Highlights } from "./workbench/highlights.js";
import { Help, Keys } from "./workbench/keys.js";
import { LiveUpdates } from "./workbench/live.js";
import { MemoPanel } from "./workbench/memos.js";
import { Picker } from "./workbench/picker.js";
import { TextSelection } from "./workbench/selection.js";
import { Bus, Store } from "./workbench/state.js";
import { Stripes } from "./workbench/stripes.js";
import { goToTarget } from "./workbench/target.js";
import { TextIndex } from "./workbench/textindex.js";
import { Toolbar } from "./workbench/toolbar.js";
import { Tooltip } from "./workbench/tooltip.js";
import { UndoStack } from "./workbench/undo.js";

const $ = (id) => document.getElementById(id);

function start() {
  const state = JSON.parse($("workbench-state").textContent);
  const bus = new Bus();
  const store = new Store(state, bus);
  const root = $("transcript");
  const pane = $("transcript-pane");
  const index = new TextIndex(root, state.textLength);
  const highlights = new Highlights();
  const tooltip = new Tooltip($("tooltip"));
  const undo = new UndoStack(bus);
  const actions = new Actions(store, undo, index);
  const pins = new Pins(store, bus);
  const selection = new TextSelection({ root, index, highlights, bus, caret: $("caret") });
  const stripes = new Stripes({ root, pane, layer: $("stripes"), index, store, bus, tooltip, highlights });
  const picker = new Picker({ el: $("code-picker"), store, actions, pins, selection, bus });
  const card = new CodingCard({ el: $("coding-card"), handles: [$("handle-start"), $("handle-end")],
    root, pane, store, bus, actions, index, selection, highlights });
  const memos = new MemoPanel({ el: $("memo-panel"), marks: $("memo-marks"), root, store, bus, selection, index });
  const codebook = new CodebookPanel({
    tree: $("code-tree"), search: $("code-search"), store, bus, pins, tooltip,
    onChoose: (codeId) => chooseCode(codeId),
    onMemos: (codeId) => memos.showCode(codeId),
  });
  const help = new Help($("help-dialog"));
  $("help-button").addEventListener("click", () => help.toggle());
  const keys = new Keys({ root, pane, store, bus, selection, picker, card, undo, memos, stripes,
    actions, pins, search: $("code-search"), help, index });
  new Toolbar({ el: $("workbench"), store, bus, undo, pins, selection, actions });
  const live = new LiveUpdates({ store, bus, actions });

  /** A code chosen in the codebook: code the selection, or go to the code's next coding. */
  function chooseCode(codeId) {
    const span = selection.current();
    if (span && store.canCode) {
      if (picker.isOpen()) picker.close({ restore: false });
      selection.collapseTo(span.end);
      actions.applyCode(codeId, span).catch((exc) => bus.emit("error", { what: "Coding", exc }));
      return;
    }
    const items = stripes.ordered().filter((item) => item.coding.code_id === codeId);
    if (!items.length) {
      bus.emit("notice", { message: "No coding of this code in view here. Select a passage to code it." });
      return;
    }
    const after = card.coding ? card.coding.start : -1;
    const next = items.find((item) => item.coding.start > after) || items[0];
    bus.emit("coding:activate", { coding: next.coding, scroll: true });
  }

  async function refreshCodebook() {
    const data = await api("GET", store.apiUrl("/codebook"));
    store.setCodes(data.codes);
  }

  async function refreshCodings() {
    const data = await api("GET", store.apiUrl(`/documents/${store.document.id}/codings`));
    store.resetCodings(data.codings, data.blind);
    await refreshCodebook();
  }

  bus.on("error", ({ what, exc }) => toast(`${what} failed: ${exc.message}`, "error"));
  bus.on("notice", ({ message }) => toast(message));
  bus.on("undo:failed", ({ label, how, message }) => toast(`Could not ${how} ${label}: ${message}`, "error"));
  bus.on("memo:new", () => memos.openEditor());
  bus.on("picker:recode", ({ coding }) => picker.open({ span: coding, coding, mode: "recode" }));
  bus.on("focus:text", () => selection.focusText());
  bus.on("codebook:stale", () => refreshCodebook().catch(() => {}));
  bus.on("assignment:refresh", () => refreshCodings().catch(() => {}));
  bus.on("assignment:change", (event) => {
    if (event.coder_id === store.me.id && store.assignment) {
      store.assignment.status = event.status;
      bus.emit("assignment:mine");
    }
    if (store.blind || event.blind) refreshCodings().catch(() => {});
  });

  // Selecting with the mouse opens the code picker beside the selection.
  root.addEventListener("mousedown", (event) => {
    if (event.shiftKey || event.target.closest(".handle")) return;
    if (card.coding) bus.emit("coding:activate", { coding: null });
  });
  root.addEventListener("mouseup", (event) => {
    if (event.shiftKey && card.coding) return;
    if (event.target.closest("#stripes, .handle, #memo-marks")) return;
    setTimeout(() => {
      const span = selection.fromDom();
      if (span && store.canCode && !picker.isOpen()) picker.open({ span });
    }, 0);
  });
  document.addEventListener("mousedown", (event) => {
    // a code chosen in the codebook while the picker is open still codes the held selection
    if (!picker.isOpen() || event.target.closest("#code-picker, #code-tree .code-name")) return;
    picker.close({ restore: false });
  });

  const workbench = {
    bus, store, index, selection, highlights, actions, stripes, memos, codebook, picker,
    keys: { register: (key, fn, description) => keys.register(key, fn, description) },
    panels: { suggestions: $("suggestions-panel") },
    addCoding: (coding) => store.upsertCoding(coding),
    refreshCodings,
  };
  stripes.rebuild();
  workbench.target = goToTarget({ location: window.location, store, bus, index, selection, highlights });
  live.start();
  window.qualcode = Object.assign(window.qualcode || {}, { workbench });
  document.body.classList.add("workbench-ready");
  performance.mark("qualcode:workbench-ready"); // time to interactive, for benchmarks
  document.dispatchEvent(new CustomEvent("qualcode:workbench-ready", { detail: workbench }));
  bus.emit("ready");
  return workbench;
}

export const workbench = start();
