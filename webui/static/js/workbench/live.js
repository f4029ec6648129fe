/**
 * Other coders' changes without a reload: poll the project's event log every few seconds
 * (only while the tab is visible) and apply what concerns this document.
 */
import { api } from "../api.js";

const INTERVAL = 4000;

export class LiveUpdates {
  constructor({ store, bus, actions }) {
    Object.assign(this, { store, bus, actions });
    this.timer = 0;
    this.running = false;
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible") this.poll();
    });
  }

  start() {
    this.schedule(INTERVAL);
  }

  schedule(delay) {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.poll(), delay);
  }

  async poll() {
    if (this.running) return;
    if (document.visibilityState !== "visible") {
      this.schedule(INTERVAL);
      return;
    }
    this.running = true;
    let more = false;
    try {
      const url = this.store.apiUrl(`/events?after=${this.store.lastEventId}&document_id=${this.store.document.id}`);
      const data = await api("GET", url);
      for (const event of data.events) this.apply(event);
      this.store.lastEventId = data.last_id;
      more = data.more;
      this.bus.emit("live:ok");
    } catch (exc) {
      this.bus.emit("live:error", { message: exc.message });
    } finally {
      this.running = false;
      this.schedule(more ? 50 : INTERVAL);
    }
  }

  apply(event) {
    const mine = event.user_id === this.store.me.id;
    switch (event.type) {
      case "coding":
        if (!this.actions.recentlyRemoved.has(event.coding.id)) this.store.upsertCoding(event.coding);
        break;
      case "coding_removed":
        this.store.removeCoding(event.coding_id);
        break;
      case "memo":
        this.bus.emit("memo:upsert", { memo: event.memo });
        break;
      case "memo_removed":
        this.bus.emit("memo:remove", { id: event.memo_id });
        break;
      case "codebook":
        this.bus.emit("codebook:stale");
        break;
      case "assignment":
        this.bus.emit("assignment:change", event);
        break;
      default:
        return;
    }
    if (!mine && event.user) this.bus.emit("activity", { event });
  }
}
