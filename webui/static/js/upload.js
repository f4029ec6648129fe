/**
 * Transcript upload: send the chosen files (or a folder's transcripts) one at a time, each
 * with its own progress bar, and show per file what `qualcode import` shows: status, turns,
 * speakers, words, warnings or the reason it failed; then a summary, then the attribute sheet.
 */

const form = document.getElementById("upload-form");
const filesInput = document.getElementById("upload-files");
const folderInput = document.getElementById("upload-folder");
const sheetInput = document.getElementById("upload-sheet");
const caseInput = document.getElementById("upload-case");
const startButton = document.getElementById("upload-start");
const statusLine = document.getElementById("upload-status");
const table = document.getElementById("upload-results");
const summaryLine = document.getElementById("upload-summary");
const sheetReport = document.getElementById("sheet-report");

const CSRF = document.querySelector('meta[name="csrf-token"]').content;
const MAX_BYTES = Number(form.dataset.maxBytes);
const SUFFIXES = form.dataset.suffixes.split(",");
let busy = false;

function suffixOf(name) {
  const dot = name.lastIndexOf(".");
  return dot > 0 ? name.slice(dot).toLowerCase() : "";
}

function sizeLabel(bytes) {
  if (bytes >= 100 * 1024) return `${(bytes / 1048576).toFixed(1).replace(/\.0$/, "")} MB`;
  return `${(bytes / 1024).toFixed(1).replace(/\.0$/, "")} KB`;
}

const naturalOrder = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });

/** The files to send: every file chosen by name, and a folder's transcripts in name order. */
function chosenFiles() {
  const picked = Array.from(filesInput.files).map((file) => ({ file, path: file.name }));
  const inFolder = Array.from(folderInput.files)
    .map((file) => ({ file, path: file.webkitRelativePath || file.name }))
    .filter(({ path }) => !path.split("/").some((part) => part.startsWith(".") || part.startsWith("~$")))
    .filter(({ file }) => SUFFIXES.includes(suffixOf(file.name)))
    .sort((a, b) => naturalOrder.compare(a.path, b.path));
  return [...picked, ...inFolder];
}

function cell(row, text, className) {
  const td = row.insertCell();
  if (className) td.className = className;
  if (text !== undefined) td.textContent = text;
  return td;
}

function addRow(path) {
  const row = table.tBodies[0].insertRow();
  const name = cell(row, undefined, "upload-file");
  name.append(path);
  const bar = document.createElement("progress");
  bar.max = 100;
  bar.value = 0;
  bar.setAttribute("aria-label", `upload of ${path}`);
  name.append(bar);
  cell(row, "waiting", "upload-status");
  cell(row, "", "num upload-turns");
  cell(row, "", "num upload-speakers");
  cell(row, "", "num upload-words");
  cell(row, "", "upload-notes");
  return row;
}

/** The notes column, as the CLI writes it: version and re-anchoring, encoding, warnings. */
function notesOf(result) {
  const notes = [];
  if (result.version && result.version > 1) {
    notes.push(`version ${result.version}: ${result.reanchored} codings re-anchored, `
      + `${result.not_reanchored.length} not`);
  }
  if (result.encoding && result.encoding !== "utf-8") notes.push(`encoding ${result.encoding}`);
  if (result.reason) notes.push(result.reason);
  notes.push(...(result.warnings || []));
  return notes;
}

function showResult(row, result) {
  row.dataset.status = result.status;
  if (result.document_id) row.dataset.documentId = result.document_id;
  row.querySelector("progress").value = 100;
  row.cells[1].textContent = result.status;
  row.cells[2].textContent = result.status === "imported" ? result.turns : "";
  const speakers = result.speakers || [];
  row.cells[3].textContent = result.status === "imported" ? speakers.length : "";
  row.cells[3].title = speakers.join(", ");
  row.cells[4].textContent = result.status === "imported" ? result.words : "";
  const notes = row.cells[5];
  notes.textContent = notesOf(result).join("; ");
  if (result.link) {
    notes.append(" ");
    const link = document.createElement("a");
    link.href = result.link;
    link.textContent = "Go to Import / export";
    notes.append(link);
  }
  if (result.not_reanchored && result.not_reanchored.length) {
    const list = document.createElement("ul");
    list.className = "lost-codings";
    for (const lost of result.not_reanchored) {
      const item = document.createElement("li");
      item.textContent = `${lost.code} (${lost.coder}): “${lost.quote}” — ${lost.reason}`;
      list.append(item);
    }
    notes.append(list);
  }
}

function failure(path, reason, extra = {}) {
  return { path, status: "failed", reason, warnings: [], speakers: [], ...extra };
}

/** POST one file; resolves with its result (a failure is a result too). */
function send(path, file, row) {
  return new Promise((resolve) => {
    const data = new FormData();
    data.append("file", file, file.name);
    data.append("path", path);
    data.append("case", caseInput.value.trim());
    const xhr = new XMLHttpRequest();
    xhr.open("POST", `${form.dataset.endpoint}?name=${encodeURIComponent(path)}`);
    xhr.setRequestHeader("X-CSRF-Token", CSRF);
    xhr.setRequestHeader("Accept", "application/json");
    const bar = row.querySelector("progress");
    xhr.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable) bar.value = Math.round((100 * event.loaded) / event.total);
    });
    xhr.upload.addEventListener("load", () => {
      row.cells[1].textContent = "reading…";
    });
    xhr.addEventListener("load", () => {
      let body = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch (exc) {
        body = null;
      }
      if (body && body.result) resolve(body.result);
      else resolve(failure(path, (body && body.error) || `${xhr.status} ${xhr.statusText}`));
    });
    xhr.addEventListener("error", () => resolve(failure(path, "the server cannot be reached")));
    row.cells[1].textContent = "uploading";
    xhr.send(data);
  });
}

function precheck(path, file) {
  if (suffixOf(file.name) === ".qdpx") {
    return failure(path, "a .qdpx file is a whole project: import it on the Import / export page",
      form.dataset.exchange ? { link: form.dataset.exchange } : {});
  }
  if (file.size > MAX_BYTES) {
    return failure(path, `the file is ${sizeLabel(file.size)}, over the ${sizeLabel(MAX_BYTES)} limit`);
  }
  if (file.size === 0) return failure(path, "the file is empty");
  return null;
}

function summarise(results) {
  const count = (status) => results.filter((r) => r.status === status).length;
  const words = results.reduce((sum, r) => sum + (r.status === "imported" ? r.words : 0), 0);
  summaryLine.textContent = `${count("imported")} imported, ${count("skipped")} skipped, `
    + `${count("failed")} failed · ${words.toLocaleString()} words imported`;
  summaryLine.hidden = false;
}

async function importSheet(file) {
  const list = sheetReport.querySelector("ul");
  list.replaceChildren();
  sheetReport.hidden = false;
  const data = new FormData();
  data.append("file", file, file.name);
  let lines;
  try {
    const response = await fetch(form.dataset.sheetEndpoint, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-CSRF-Token": CSRF, Accept: "application/json" },
    });
    const body = await response.json().catch(() => null);
    if (response.ok && body) lines = body.lines;
    else lines = [`Not imported: ${(body && body.error) || response.statusText}`];
  } catch (exc) {
    lines = ["Not imported: the server cannot be reached"];
  }
  for (const line of lines) {
    const item = document.createElement("li");
    item.textContent = line;
    list.append(item);
  }
}

async function run(event) {
  event.preventDefault();
  if (busy) return;
  const files = chosenFiles();
  const sheet = sheetInput && sheetInput.files[0];
  if (!files.length && !sheet) {
    statusLine.textContent = "Choose transcript files, a folder or an attribute sheet first.";
    return;
  }
  busy = true;
  startButton.disabled = true;
  table.tBodies[0].replaceChildren();
  table.hidden = files.length === 0;
  summaryLine.hidden = true;
  const rows = files.map(({ path }) => addRow(path));
  const results = [];
  for (const [index, { file, path }] of files.entries()) {
    statusLine.textContent = `Importing ${index + 1} of ${files.length}: ${path}`;
    const result = precheck(path, file) || (await send(path, file, rows[index]));
    showResult(rows[index], result);
    results.push(result);
  }
  if (files.length) summarise(results);
  if (sheet) {
    statusLine.textContent = `Importing the attribute sheet ${sheet.name}`;
    await importSheet(sheet);
  }
  statusLine.textContent = "Done.";
  busy = false;
  startButton.disabled = false;
}

form.addEventListener("submit", run);
window.addEventListener("beforeunload", (event) => {
  if (busy) event.preventDefault();
});
