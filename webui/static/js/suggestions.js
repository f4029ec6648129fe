/**
 * NLP code suggestions: inline in the coding workbench (a panel of suggested codes per passage,
 * margin marks, A accepts, R rejects, arrows move) and the project's review queue page.
 *
 * In the workbench this plugs into the extension point workbench.js offers (see its header):
 * the ready workbench object, its bus, keys, selection, highlights and #suggestions-panel.
 */
import { QueuePage } from "./suggestions/queue.js";
import { SuggestionPanel } from "./suggestions/panel.js";

function onWorkbench(fn) {
  const ready = window.qualcode && window.qualcode.workbench;
  if (ready) fn(ready);
  else document.addEventListener("qualcode:workbench-ready", (event) => fn(event.detail), { once: true });
}

const queueState = document.getElementById("suggestions-state");
if (queueState) {
  new QueuePage(JSON.parse(queueState.textContent)).start();
} else if (document.getElementById("suggestions-panel")) {
  onWorkbench((workbench) => {
    const panel = new SuggestionPanel(workbench);
    panel.start();
    window.qualcode.suggestions = panel;
  });
}
