// "Pin to section": any page of a project can include this script; every
// <button class="pin" data-coding-id="..."> then opens a picker of the chapter outline's
// sections with a note field, and pins the coded passage to the chosen section
// (POST chapters.pin, JSON {coding_id, section_id, note}). Works as a classic script or a
// module; needs no other script. URLs come from the project's path (/p/<slug>/...) unless the
// button or an ancestor carries data-outline-url.

(() => {
  const csrfMeta = document.querySelector('meta[name="csrf-token"]');
  const CSRF = csrfMeta ? csrfMeta.content : "";
  const slug = (window.location.pathname.match(/^\/p\/([^/]+)/) || [])[1];
  let outline = null;     // {pin_url, can_pin, chapters: [...]}, fetched once
  let dialog = null;
  let current = null;     // the button being pinned
  let lastSection = null; // the section chosen last time, preselected next time

  function outlineUrl(button) {
    const holder = button.closest("[data-outline-url]");
    return holder ? holder.dataset.outlineUrl : `/api/p/${slug}/chapters`;
  }

  async function request(method, url, body) {
    const options = { method, credentials: "same-origin", headers: { Accept: "application/json" } };
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.headers["X-CSRF-Token"] = CSRF;
      options.body = JSON.stringify(body);
    }
    const response = await fetch(url, options);
    const data = await response.json().catch(() => null);
    if (!response.ok) throw new Error((data && data.error) || `${response.status} ${response.statusText}`);
    return data;
  }

  function el(tag, props = {}, ...children) {
    const node = document.createElement(tag);
    Object.assign(node, props);
    node.append(...children);
    return node;
  }

  function build() {
    const select = el("select", { id: "pin-section", required: true });
    const note = el("textarea", { id: "pin-note", rows: 3, maxLength: 5000 });
    const message = el("p", { id: "pin-message", className: "error-message", hidden: true });
    message.setAttribute("role", "alert");
    const submit = el("button", { type: "submit", className: "primary", textContent: "Pin" });
    const cancel = el("button", { type: "button", textContent: "Cancel" });
    cancel.addEventListener("click", () => dialog.close());
    const form = el("form", { method: "dialog", className: "stack pin-form" },
      el("h2", { textContent: "Pin to a report section" }),
      el("p", { id: "pin-quote", className: "pin-quote muted" }),
      el("label", {}, "Section", select),
      el("label", {}, "Note (optional)", note),
      message,
      el("div", { className: "row" }, submit, cancel));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      pin(select.value, note.value, message, submit);
    });
    dialog = el("dialog", { id: "pin-dialog", className: "pin-dialog" }, form);
    dialog.setAttribute("aria-labelledby", "pin-dialog-title");
    form.querySelector("h2").id = "pin-dialog-title";
    document.body.append(dialog);
  }

  function fillSections() {
    const select = document.getElementById("pin-section");
    select.replaceChildren();
    for (const chapter of outline.chapters) {
      const group = el("optgroup", { label: `${chapter.number} ${chapter.title}` });
      for (const section of chapter.sections) {
        group.append(el("option", { value: String(section.id),
          textContent: `${section.number} ${section.title}` }));
      }
      select.append(group);
    }
    if (lastSection) select.value = lastSection;
  }

  async function open(button) {
    current = button;
    try {
      if (!outline) outline = await request("GET", outlineUrl(button));
    } catch (exc) {
      window.alert(`The chapter outline could not be loaded: ${exc.message}`);
      return;
    }
    if (!outline.chapters.some((c) => c.sections.length)) {
      window.alert("The project has no chapter outline yet: add chapters and sections first.");
      return;
    }
    if (!dialog) build();
    fillSections();
    document.getElementById("pin-note").value = "";
    const message = document.getElementById("pin-message");
    message.textContent = "";
    message.hidden = true;
    const holder = button.closest("[data-quote-text], .quote, li, article, tr");
    const text = button.dataset.quoteText
      || (holder && holder.querySelector(".text, blockquote")
        ? holder.querySelector(".text, blockquote").textContent : "");
    document.getElementById("pin-quote").textContent = text.trim().slice(0, 300);
    dialog.showModal();
    document.getElementById("pin-section").focus();
  }

  async function pin(sectionId, note, message, submit) {
    submit.disabled = true;
    message.textContent = "";
    message.hidden = true;
    try {
      const data = await request("POST", outline.pin_url, {
        coding_id: Number(current.dataset.codingId), section_id: Number(sectionId), note,
      });
      lastSection = sectionId;
      current.classList.add("pinned");
      current.textContent = `Pinned to ${data.section.split(" ")[0]}`;
      current.setAttribute("aria-pressed", "true");
      current.dispatchEvent(new CustomEvent("qualcode:pinned", { bubbles: true, detail: data }));
      dialog.close();
    } catch (exc) {
      message.textContent = exc.message;
      message.hidden = false;
    } finally {
      submit.disabled = false;
    }
  }

  document.addEventListener("click", (event) => {
    const button = event.target.closest("button.pin[data-coding-id]");
    if (!button) return;
    event.preventDefault();
    open(button);
  });
})();
