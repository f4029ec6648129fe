/**
 * fetch() for the JSON API: sends the CSRF header on writes, turns error answers into an
 * ApiError with the server's one-line message, and reports activity so the page can show
 * "Saving…" while writes are in flight and the reason when one fails.
 */

const csrfMeta = document.querySelector('meta[name="csrf-token"]');
const CSRF = csrfMeta ? csrfMeta.content : "";

export class ApiError extends Error {
  constructor(message, status) {
    super(message);
    this.status = status;
  }
}

const listeners = new Set();
let pendingWrites = 0;
let lastError = null;

/** Call `fn({pending, error})` whenever a write starts, ends or fails. */
export function onActivity(fn) {
  listeners.add(fn);
  fn({ pending: pendingWrites, error: lastError });
  return () => listeners.delete(fn);
}

function report() {
  for (const fn of listeners) fn({ pending: pendingWrites, error: lastError });
}

/** `api("POST", url, body)` → the parsed JSON answer, or throws ApiError. */
export async function api(method, url, body) {
  const write = method !== "GET";
  const headers = { Accept: "application/json" };
  if (write) {
    headers["X-CSRF-Token"] = CSRF;
    headers["Content-Type"] = "application/json";
    pendingWrites += 1;
    report();
  }
  try {
    let response;
    try {
      response = await fetch(url, {
        method,
        headers,
        credentials: "same-origin",
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (exc) {
      throw new ApiError("the server cannot be reached; check your connection", 0);
    }
    const data = await response.json().catch(() => null);
    if (!response.ok) {
      const message = (data && data.error) || `${response.status} ${response.statusText}`;
      throw new ApiError(message, response.status);
    }
    if (write) lastError = null;
    return data;
  } catch (exc) {
    if (write) lastError = exc.message;
    throw exc;
  } finally {
    if (write) {
      pendingWrites -= 1;
      report();
    }
  }
}

/** Show a message in the page's toast area (`#toasts`) for a few seconds. */
export function toast(message, kind = "info", seconds = 6) {
  const area = document.getElementById("toasts");
  if (!area) return;
  const item = document.createElement("div");
  item.className = `toast ${kind}`;
  item.setAttribute("role", kind === "error" ? "alert" : "status");
  item.textContent = message;
  area.append(item);
  setTimeout(() => item.remove(), seconds * 1000);
}

/** Run a write, showing its error as a toast instead of throwing; returns null on failure. */
export async function attempt(promise, what) {
  try {
    return await promise;
  } catch (exc) {
    toast(`${what}: ${exc.message}`, "error");
    return null;
  }
}
