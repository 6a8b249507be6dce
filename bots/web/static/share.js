// The Mini App sharing form: rounds add/remove, fill from a pasted write-up, submit with Telegram's initData.
(function () {
  "use strict";
  const app = window.Telegram && window.Telegram.WebApp ? window.Telegram.WebApp : null;
  const initData = app ? app.initData || "" : "";
  const form = document.getElementById("share");
  const base = "/c/" + encodeURIComponent(form.dataset.college) + "/share";
  const rounds = document.getElementById("rounds");
  const template = document.getElementById("round-template");
  const maxRounds = parseInt(rounds.dataset.max, 10) || 10;

  if (app) { app.ready(); app.expand(); }
  if (!initData) { document.getElementById("outside-telegram").hidden = false; }

  function addRound(values) {
    if (rounds.children.length >= maxRounds) { return; }
    const item = template.content.firstElementChild.cloneNode(true);
    item.querySelector(".remove-round").addEventListener("click", function () { item.remove(); });
    for (const [part, value] of Object.entries(values || {})) {
      const input = item.querySelector('[data-part="' + part + '"]');
      if (input) { input.value = value; }
    }
    rounds.appendChild(item);
  }

  function clearErrors() {
    document.querySelectorAll(".error").forEach(function (el) { el.textContent = ""; });
    document.querySelectorAll("[aria-invalid]").forEach(function (el) { el.removeAttribute("aria-invalid"); });
  }

  function showErrors(errors) {
    let first = null;
    for (const [key, message] of Object.entries(errors)) {
      const parts = key.split(".");
      let target = null;
      if (parts[0] === "rounds" && parts.length === 3) {
        const item = rounds.children[parseInt(parts[1], 10)];
        target = item ? item.querySelector('[data-part-error="' + parts[2] + '"]') : null;
        const input = item ? item.querySelector('[data-part="' + parts[2] + '"]') : null;
        if (input) { input.setAttribute("aria-invalid", "true"); }
      } else {
        target = document.querySelector('[data-error-for="' + key + '"]');
        const input = form.elements.namedItem(key);
        if (input && input.setAttribute) { input.setAttribute("aria-invalid", "true"); }
      }
      (target || document.querySelector('[data-error-for="_form"]')).textContent = message;
      first = first || target;
    }
    if (first) { first.scrollIntoView({ block: "center" }); }
  }

  function values() {
    const fields = {};
    for (const el of form.elements) {
      if (!el.name) { continue; }
      fields[el.name] = el.type === "checkbox" ? el.checked : el.value;
    }
    fields.rounds = Array.from(rounds.children).map(function (item) {
      const round = {};
      item.querySelectorAll("[data-part]").forEach(function (el) { round[el.dataset.part] = el.value; });
      return round;
    });
    return fields;
  }

  async function post(path, body) {
    const response = await fetch(base + path, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(Object.assign({ initData: initData }, body)),
    });
    let data = {};
    try { data = await response.json(); } catch (e) { data = {}; }
    return { status: response.status, data: data };
  }

  document.getElementById("add-round").addEventListener("click", function () { addRound(); });

  document.getElementById("fill").addEventListener("click", async function () {
    clearErrors();
    const note = document.getElementById("fill-note");
    const answer = await post("/extract", { text: document.getElementById("writeup").value });
    if (answer.status !== 200) {
      showErrors(answer.data.errors || { writeup: answer.data.error || "That did not work; please try again." });
      return;
    }
    for (const [name, value] of Object.entries(answer.data.fields)) {
      const input = form.elements.namedItem(name);
      if (input) { input.value = value; }
    }
    if (answer.data.rounds.length) {
      rounds.replaceChildren();
      answer.data.rounds.forEach(addRound);
    }
    const filled = Object.keys(answer.data.fields).length + (answer.data.rounds.length ? 1 : 0);
    let text = "Filled " + filled + " answers from your write-up; please check them and add the rest.";
    if (answer.data.personal.length) {
      text += " It mentions personal data (" + answer.data.personal.join(", ") + "): remove it if you do not want it published.";
    }
    note.textContent = text;
  });

  form.addEventListener("submit", async function (event) {
    event.preventDefault();
    clearErrors();
    const button = document.getElementById("submit");
    button.disabled = true;
    const result = document.getElementById("result");
    try {
      const answer = await post("/submit", { fields: values() });
      if (answer.status === 201) {
        result.textContent = answer.data.message;
        result.hidden = false;
        form.querySelectorAll("fieldset").forEach(function (el) { el.disabled = true; });
        if (app && app.HapticFeedback) { app.HapticFeedback.notificationOccurred("success"); }
        return;
      }
      if (answer.data.errors) { showErrors(answer.data.errors); } else {
        showErrors({ _form: answer.data.error || "That did not work; please try again." });
      }
    } finally {
      if (result.hidden) { button.disabled = false; }
    }
  });

  addRound();
})();
