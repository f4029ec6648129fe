/**
 * The review queue page: triage the open suggestions of the whole project with the keyboard
 * (↓/↑ or J/K move, A accepts, R rejects, Enter opens the passage in the workbench), compute
 * suggestions for every document with a progress bar, and retrain on demand.
 */
import { api, toast } from "../api.js";
import { ModelWatch } from "./model.js";
import { confidenceBadge, renderRationale } from "./rationale.js";

const EDITABLE = "input, textarea, select, [contenteditable=''], [contenteditable='true']";

export class QueuePage {
  constructor(state) {
    this.state = state;
    this.list = document.getElementById("queue");
    this.statusEl = document.getElementById("model-status");
    this.model = new ModelWatch(this.apiUrl("/suggestions/model"), (status) => {
      this.statusEl.textContent = status.summary;
    });
    this.busy = false;
  }

  apiUrl(path) {
    return `/api/p/${encodeURIComponent(this.state.project)}${path}`;
  }

  start() {
    for (const swatch of document.querySelectorAll(".swatch[data-color]")) {
      swatch.style.backgroundColor = swatch.dataset.color;
    }
    for (const li of this.list.querySelectorAll("li.queue-item")) {
      const rationale = JSON.parse(li.querySelector(".qi-why").dataset.rationale);
      li.querySelector(".qi-why").append(renderRationale(rationale));
      const badge = li.querySelector(".qi-score");
      const shown = confidenceBadge({ confidence: badge.dataset.confidence, score: Number(badge.dataset.score), rationale });
      shown.title = badge.title;
      badge.replaceWith(shown);
    }
    this.list.addEventListener("click", (event) => this.click(event));
    document.addEventListener("keydown", (event) => this.keydown(event));
    for (const id of ["queue-order", "queue-code"]) {
      document.getElementById(id).addEventListener("change", (event) => event.target.form.submit());
    }
    document.getElementById("suggest-all").addEventListener("click", () => this.suggestAll());
    document.getElementById("retrain").addEventListener("click", () => this.retrain());
    this.model.refresh().then((status) => this.model.settle(status)).catch(() => {});
    const first = this.rows()[0];
    if (first) this.activate(first, false);
  }

  rows() {
    return [...this.list.querySelectorAll("li.queue-item:not(.decided)")];
  }

  get active() {
    return this.list.querySelector("li.queue-item.active");
  }

  activate(li, focus = true) {
    for (const row of this.list.querySelectorAll("li.queue-item.active")) {
      row.classList.remove("active");
      row.setAttribute("aria-selected", "false");
    }
    li.classList.add("active");
    li.setAttribute("aria-selected", "true");
    li.scrollIntoView({ block: "nearest" });
    if (focus) li.focus({ preventScroll: true });
  }

  move(step) {
    const rows = this.rows();
    if (!rows.length) return;
    const i = rows.indexOf(this.active);
    const next = rows[i < 0 ? 0 : Math.max(0, Math.min(rows.length - 1, i + step))];
    this.activate(next);
  }

  keydown(event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.target.closest && event.target.closest(EDITABLE)) return;
    const key = event.key;
    if (key === "ArrowDown" || key === "j") this.move(1);
    else if (key === "ArrowUp" || key === "k") this.move(-1);
    else if (key === "a" || key === "A") this.decide(this.active, "accept");
    else if (key === "r" || key === "R") this.decide(this.active, "reject");
    else if (key === "Enter" && this.active && !event.target.closest("button, a")) {
      this.active.querySelector("a.qi-doc").click();
    } else return;
    event.preventDefault();
  }

  click(event) {
    const li = event.target.closest("li.queue-item");
    if (!li) return;
    const button = event.target.closest("button[data-act]");
    if (button) this.decide(li, button.dataset.act);
    else if (!event.target.closest("a")) this.activate(li);
  }

  async decide(li, act) {
    if (!li || this.busy || li.classList.contains("decided")) return;
    this.busy = true;
    const rows = this.rows();
    const i = rows.indexOf(li);
    try {
      const data = await api("POST", this.apiUrl(`/suggestions/${li.dataset.id}/${act}`));
      this.mark(li, data.status === "accepted" ? "Accepted — coded" : "Rejected");
      if (data.retraining) this.model.watch();
    } catch (exc) {
      if (exc.status === 409 || exc.status === 404) this.mark(li, exc.message);
      else toast(`Could not ${act}: ${exc.message}`, "error");
    } finally {
      this.busy = false;
    }
    const left = this.rows();
    if (left.length) this.activate(left[Math.min(Math.max(i, 0), left.length - 1)]);
  }

  mark(li, text) {
    li.classList.add("decided");
    li.classList.remove("active");
    li.setAttribute("aria-selected", "false");
    li.querySelector(".qi-result").textContent = text;
    for (const button of li.querySelectorAll("button")) button.disabled = true;
  }

  async suggestAll() {
    const docs = this.state.documents;
    const box = document.getElementById("suggest-progress");
    const bar = document.getElementById("suggest-bar");
    const label = document.getElementById("suggest-label");
    const button = document.getElementById("suggest-all");
    button.disabled = true;
    box.hidden = false;
    let found = 0;
    for (let n = 0; n < docs.length; n += 1) {
      label.textContent = `${n + 1} of ${docs.length}: ${docs[n].title}`;
      bar.style.width = `${Math.round((100 * n) / docs.length)}%`;
      try {
        let data = await api("POST", this.apiUrl(`/documents/${docs[n].id}/suggestions`));
        while (data.pending) {
          label.textContent = "Training the model first…";
          await new Promise((resolve) => setTimeout(resolve, 2000));
          data = await api("POST", this.apiUrl(`/documents/${docs[n].id}/suggestions`));
        }
        found += data.suggestions.length;
        this.statusEl.textContent = data.model.summary;
      } catch (exc) {
        toast(`${docs[n].title}: ${exc.message}`, "error");
      }
    }
    bar.style.width = "100%";
    label.textContent = `${found} suggestions in ${docs.length} documents. Reloading…`;
    window.location.reload();
  }

  async retrain() {
    try {
      const status = await api("POST", this.apiUrl("/suggestions/model/retrain"));
      this.model.settle(status);
      this.model.watch();
    } catch (exc) {
      toast(`Retraining failed: ${exc.message}`, "error");
    }
  }
}
