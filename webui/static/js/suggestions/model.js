/**
 * The suggestion model's status (version, examples, training in the background), polled while
 * a fit runs so the page can say "retraining…" and pick up the new model when it is ready.
 */
import { api } from "../api.js";

const POLL_MS = 2500;

export class ModelWatch {
  /** `onChange(status, previous)` runs whenever the status answer changes. */
  constructor(url, onChange) {
    this.url = url;
    this.onChange = onChange;
    this.status = null;
    this.timer = 0;
  }

  async refresh() {
    const previous = this.status;
    const status = await api("GET", this.url);
    this.status = status;
    if (!previous || previous.summary !== status.summary || previous.version !== status.version) {
      this.onChange(status, previous);
    }
    return status;
  }

  /** Keep polling while the model is training (or missing); stop once it is settled. */
  watch() {
    clearTimeout(this.timer);
    this.timer = setTimeout(async () => {
      try {
        const status = await this.refresh();
        if (status.training || !status.version) this.watch();
      } catch (exc) {
        this.watch();
      }
    }, POLL_MS);
  }

  settle(status) {
    const previous = this.status;
    this.status = status;
    if (!previous || previous.summary !== status.summary) this.onChange(status, previous);
    if (status.training || !status.version) this.watch();
  }
}
