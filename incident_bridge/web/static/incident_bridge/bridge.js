// The bridge's one script, loaded from the bridge's own origin: the Content-Security-Policy
// allows no inline script and no on…="" handlers. Each feature finds its elements by a data-*
// attribute, and everything it needs (a URL, a question, a limit) is in that attribute: the
// server writes them escaped, so nothing of a page's text is ever run as code.
"use strict";

// A form with data-confirm asks first (e.g. «В словарь: …» names the word it adds).
function confirmBeforeSubmit() {
  document.addEventListener("submit", (event) => {
    const form = event.target.closest("form[data-confirm]");
    if (form && !window.confirm(form.dataset.confirm)) event.preventDefault();
  });
}

// A textarea with data-limit shows its length live in its .char-count[data-for=id] note:
// nothing is ever cut, the person sees how much to cut.
function countCharacters() {
  document.querySelectorAll("textarea[data-limit]").forEach((area) => {
    const note = document.querySelector(`.char-count[data-for="${area.id}"]`);
    if (!note) return;
    const limit = Number(area.dataset.limit);
    const show = () => {
      const length = [...area.value].length;
      const over = length - limit;
      note.textContent = over > 0
        ? `Знаков: ${length} из ${limit} — на ${over} больше, чем примет система Инцидент для этой площадки.`
        : `Знаков: ${length} из ${limit}.`;
      note.classList.toggle("overdue", over > 0);
    };
    area.addEventListener("input", show);
    show();
  });
}

// A form with data-check-url checks its draft without saving it: its [data-live-check] button
// posts the form there and shows the report in its [data-live-checks] element. The report is an
// HTML fragment rendered (and escaped) by the server.
function liveChecks() {
  document.querySelectorAll("form[data-check-url]").forEach((form) => {
    const button = form.querySelector("[data-live-check]");
    const output = form.querySelector("[data-live-checks]");
    if (!button || !output) return;
    button.addEventListener("click", async () => {
      let response = null;
      try {
        response = await fetch(form.dataset.checkUrl, {method: "POST", body: new FormData(form)});
      } catch (error) {
        response = null;
      }
      if (response && response.ok) {
        output.innerHTML = await response.text();
        return;
      }
      const failed = document.createElement("p");
      failed.className = "check-fail";
      failed.textContent = "Проверка не выполнена: обновите страницу.";
      output.replaceChildren(failed);
    });
  });
}

// A form with data-fix-url fixes the spaces and marks of its draft: the [data-fix-typography]
// button (the live check shows it when the typography check found something) posts the form
// there, puts the fixed text the server returns into the form's textarea, and checks again.
// Nothing is saved: the executor sees the change and saves or submits it.
function fixTypography() {
  document.addEventListener("click", async (event) => {
    const button = event.target.closest("[data-fix-typography]");
    const form = button && button.closest("form[data-fix-url]");
    const area = form && form.querySelector("textarea[name=text]");
    if (!area) return;
    button.disabled = true;
    let fixed = null;
    try {
      const response = await fetch(form.dataset.fixUrl, {method: "POST", body: new FormData(form)});
      if (response.ok) fixed = (await response.json()).text;
    } catch (error) {
      fixed = null;
    }
    button.disabled = false;
    if (typeof fixed !== "string") {
      const failed = document.createElement("p");
      failed.className = "check-fail";
      failed.textContent = "Исправить не удалось: обновите страницу.";
      button.replaceWith(failed);
      return;
    }
    area.value = fixed;
    area.dispatchEvent(new Event("input"));  // the length note counts the new text
    const check = form.querySelector("[data-live-check]");
    if (check) check.click();
  });
}

// A link with data-insert-phrase (an approved phrase beside the draft form) puts its text into
// the textarea named by data-insert-into at the cursor, replacing a selection; a textarea never
// touched gets it at the end. Without JS the link's href adds the phrase on the server instead.
// Nothing is saved: the executor sees the text and saves or submits it.
function insertPhrases() {
  const touched = new WeakSet();
  document.addEventListener("focusin", (event) => {
    if (event.target instanceof HTMLTextAreaElement) touched.add(event.target);
  });
  document.addEventListener("click", (event) => {
    const link = event.target.closest("[data-insert-phrase]");
    const area = link && document.getElementById(link.dataset.insertInto);
    if (!(area instanceof HTMLTextAreaElement)) return;
    event.preventDefault();
    const text = link.dataset.insertPhrase;
    const start = touched.has(area) ? area.selectionStart : area.value.length;
    const end = touched.has(area) ? area.selectionEnd : area.value.length;
    area.focus();
    area.setRangeText(text, start, end, "end");
    area.dispatchEvent(new Event("input"));  // the length note counts the new text
  });
}

confirmBeforeSubmit();
countCharacters();
liveChecks();
fixTypography();
insertPhrases();
