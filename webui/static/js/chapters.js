// The Chapters page: drag pinned quotes to reorder them, confirm deletions, and download the
// evidence packs with a progress indicator. Everything else is plain forms, so the page also
// works without this script (webui/views/chapters.py answers forms with a redirect).

import { api, toast } from "./api.js";

const root = document.getElementById("chapters");
const CAN_EDIT = root && root.dataset.canEdit === "true";

// ---------------------------------------------------------------- confirmations

for (const form of document.querySelectorAll("form.confirm")) {
  form.addEventListener("submit", (event) => {
    if (!window.confirm(form.dataset.confirm)) event.preventDefault();
  });
}

// ---------------------------------------------------------------- downloads

const perCase = document.getElementById("pack-per-case");
const pseudonymise = document.getElementById("pack-pseudonymise");
const status = document.getElementById("pack-status");
const links = [...document.querySelectorAll("a.download-pack")];
for (const link of links) link.dataset.base = link.getAttribute("href");

function packUrl(base) {
  const url = new URL(base, window.location.href);
  const value = Number.parseInt(perCase.value, 10);
  if (Number.isInteger(value) && value >= 0) url.searchParams.set("per_case", String(value));
  if (pseudonymise.checked) url.searchParams.set("pseudonymise", "1");
  return url.pathname + url.search;
}

function refreshLinks() {
  for (const link of links) link.setAttribute("href", packUrl(link.dataset.base));
}

perCase.addEventListener("change", refreshLinks);
pseudonymise.addEventListener("change", refreshLinks);
refreshLinks();

function filenameOf(response, fallback) {
  const header = response.headers.get("Content-Disposition") || "";
  const match = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(header);
  return match ? decodeURIComponent(match[1]) : fallback;
}

let busy = false;

async function download(link) {
  busy = true;
  for (const other of links) other.classList.add("disabled");
  const started = Date.now();
  const spinner = document.createElement("span");
  spinner.className = "spinner";
  const text = document.createElement("span");
  status.replaceChildren(spinner, " ", text);
  const tick = () => {
    const seconds = Math.round((Date.now() - started) / 1000);
    text.textContent = `Generating ${link.textContent.trim()}… ${seconds} s`;
  };
  tick();
  const timer = window.setInterval(tick, 500);
  try {
    const response = await fetch(link.getAttribute("href"), { credentials: "same-origin" });
    if (!response.ok) {
      const data = await response.json().catch(() => null);
      throw new Error((data && data.error) || `${response.status} ${response.statusText}`);
    }
    const blob = await response.blob();
    const url = URL.createObjectURL(blob);
    const save = document.createElement("a");
    save.href = url;
    save.download = filenameOf(response, "evidence-pack.docx");
    document.body.append(save);
    save.click();
    save.remove();
    window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    status.textContent = `${save.download} ready (${Math.round(blob.size / 1024)} KB, ${seconds} s).`;
  } catch (exc) {
    status.textContent = "";
    toast(`The pack could not be made: ${exc.message}`, "error");
  } finally {
    window.clearInterval(timer);
    for (const other of links) other.classList.remove("disabled");
    busy = false;
  }
}

for (const link of links) {
  link.addEventListener("click", (event) => {
    event.preventDefault();
    if (!busy) download(link);
  });
}

// ---------------------------------------------------------------- reordering pins

let dragged = null;

function pinOrder(list) {
  return [...list.querySelectorAll("li.pin")].map((li) => Number(li.dataset.pinId));
}

async function saveOrder(list, before) {
  try {
    await api("POST", list.dataset.orderUrl, { pin_ids: pinOrder(list) });
    toast("Order saved", "info", 2);
  } catch (exc) {
    for (const id of before) list.append(list.querySelector(`li.pin[data-pin-id="${id}"]`));
    toast(`The new order could not be saved: ${exc.message}`, "error");
  }
}

if (CAN_EDIT) {
  for (const list of document.querySelectorAll("ol.pins")) {
    let before = null;
    list.addEventListener("dragstart", (event) => {
      const item = event.target.closest("li.pin");
      if (!item) return;
      dragged = item;
      before = pinOrder(list);
      item.classList.add("dragging");
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", item.dataset.pinId);
    });
    list.addEventListener("dragover", (event) => {
      if (!dragged || dragged.parentElement !== list) return;
      event.preventDefault();
      const over = event.target.closest("li.pin");
      if (!over || over === dragged) return;
      const box = over.getBoundingClientRect();
      const after = event.clientY > box.top + box.height / 2;
      over.parentElement.insertBefore(dragged, after ? over.nextSibling : over);
    });
    list.addEventListener("drop", (event) => event.preventDefault());
    list.addEventListener("dragend", () => {
      if (!dragged) return;
      dragged.classList.remove("dragging");
      const moved = pinOrder(list).join() !== before.join();
      dragged = null;
      if (moved) saveOrder(list, before);
    });
  }
}
