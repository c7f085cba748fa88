// Small progressive enhancements shared by the dashboard pages. Everything works without it except copying.
(function () {
  "use strict";

  // ---- Copy buttons: data-copy-target="<element id>" or data-copy-text="<text>" ----
  async function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return;
    }
    // Plain-http hosts have no clipboard API: fall back to a hidden textarea.
    const area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    document.execCommand("copy");
    area.remove();
  }

  function flashLabel(button, label) {
    const original = button.dataset.label || button.textContent;
    button.dataset.label = original;
    button.textContent = label;
    setTimeout(() => { button.textContent = original; }, 1500);
  }

  document.addEventListener("click", async (event) => {
    const button = event.target.closest("[data-copy-target], [data-copy-text]");
    if (!button) return;
    const target = button.dataset.copyTarget && document.getElementById(button.dataset.copyTarget);
    const text = target ? target.textContent : button.dataset.copyText || "";
    try {
      await copyText(text);
      flashLabel(button, "Copied");
    } catch (err) {
      flashLabel(button, "Copy failed");
    }
  });

  // ---- JSON editors: validate as you type ----
  const SHAPE_NAMES = { object: "a JSON object", array: "a JSON array" };

  function jsonProblem(text, shapes) {
    if (!text.trim()) return null;
    let value;
    try {
      value = JSON.parse(text);
    } catch (err) {
      return "Not valid JSON: " + err.message;
    }
    const shape = Array.isArray(value) ? "array" : value !== null && typeof value === "object" ? "object" : "other";
    if (!shapes.includes(shape)) return "Expected " + shapes.map((s) => SHAPE_NAMES[s]).join(" or ");
    return null;
  }

  // The JSON Schema mistakes the server refuses, caught while typing: unknown types, malformed keywords.
  const SCHEMA_TYPES = ["object", "array", "string", "number", "integer", "boolean", "null"];

  function schemaProblem(node, where) {
    if (node === null || typeof node !== "object" || Array.isArray(node)) return null;
    const types = Array.isArray(node.type) ? node.type : node.type === undefined ? [] : [node.type];
    const bad = types.find((t) => !SCHEMA_TYPES.includes(t));
    if (bad !== undefined) return `Not a valid JSON Schema: ${where}"type" is ${JSON.stringify(bad)} (use one of ${SCHEMA_TYPES.join(", ")})`;
    if (node.properties !== undefined && (typeof node.properties !== "object" || Array.isArray(node.properties) || node.properties === null)) {
      return `Not a valid JSON Schema: ${where}"properties" must be an object`;
    }
    if (node.required !== undefined && !(Array.isArray(node.required) && node.required.every((r) => typeof r === "string"))) {
      return `Not a valid JSON Schema: ${where}"required" must be a list of names`;
    }
    for (const [name, child] of Object.entries(node.properties || {})) {
      const problem = schemaProblem(child, `${where}property "${name}": `);
      if (problem) return problem;
    }
    return node.items ? schemaProblem(node.items, where + "items: ") : null;
  }

  function validateJson(editor) {
    const status = document.getElementById(editor.id + "_json_status");
    const shapes = (editor.dataset.jsonShapes || "object").split(",");
    let problem = jsonProblem(editor.value, shapes);
    if (!problem && editor.dataset.jsonSchema && editor.value.trim()) problem = schemaProblem(JSON.parse(editor.value), "");
    editor.setAttribute("aria-invalid", problem ? "true" : "false");
    editor.setCustomValidity(problem || "");
    if (!status) return;
    if (!editor.value.trim()) {
      status.textContent = "Empty: leave blank to skip.";
      status.dataset.state = "empty";
    } else {
      status.textContent = problem || (editor.dataset.jsonSchema ? "Valid JSON Schema." : "Valid JSON.");
      status.dataset.state = problem ? "error" : "ok";
    }
  }

  function addFormatButton(editor) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "btn btn-quiet btn-small";
    button.textContent = "Format JSON";
    button.setAttribute("aria-label", "Format " + (editor.labels[0] ? editor.labels[0].textContent : "JSON"));
    button.addEventListener("click", () => {
      try {
        editor.value = JSON.stringify(JSON.parse(editor.value), null, 2);
      } catch (err) { /* the status line already says what is wrong */ }
      validateJson(editor);
    });
    const tools = document.createElement("div");
    tools.className = "json-tools";
    tools.appendChild(button);
    editor.insertAdjacentElement("afterend", tools);
  }

  document.querySelectorAll("textarea[data-json]").forEach((editor) => {
    addFormatButton(editor);
    editor.addEventListener("input", () => validateJson(editor));
    if (editor.value.trim()) validateJson(editor);
  });

  // ---- Discover form: example pills, proxy fields, Ctrl+Enter ----
  const form = document.getElementById("discover-form");
  if (form) {
    const advanced = document.getElementById("advanced");
    const geo = document.getElementById("proxy-geo");
    const proxySelect = form.elements.proxy_location;

    const syncGeo = () => {
      const geoValues = ["proxy_country", "proxy_subdivision", "proxy_city"].some((n) => form.elements[n].value);
      geo.hidden = !(proxySelect.value === "geo" || geoValues);
    };
    proxySelect.addEventListener("change", syncGeo);
    syncGeo();

    // The start URL, checked as you type (the server's rules still decide: private hosts, allow-lists).
    const url = form.elements.url;
    const urlStatus = document.createElement("p");
    urlStatus.className = "json-status";
    urlStatus.id = url.id + "_status";
    urlStatus.setAttribute("aria-live", "polite");
    url.insertAdjacentElement("afterend", urlStatus);
    url.setAttribute("aria-describedby", ((url.getAttribute("aria-describedby") || "") + " " + urlStatus.id).trim());
    const checkUrl = () => {
      const value = url.value.trim();
      let problem = "";
      if (value) {
        try {
          const parsed = new URL(value);
          if (!["http:", "https:"].includes(parsed.protocol)) problem = "Start URL must begin with http:// or https://";
          else if (!parsed.hostname.includes(".") && parsed.hostname !== "localhost" && !/^[\d.]+$/.test(parsed.hostname)) problem = "Start URL needs a full host name, like example.com";
        } catch (err) {
          problem = "Start URL is not a web address: write it like https://example.com";
        }
      }
      url.setAttribute("aria-invalid", problem ? "true" : "false");
      urlStatus.textContent = problem;
      urlStatus.dataset.state = problem ? "error" : "";
    };
    url.addEventListener("input", checkUrl);
    if (url.value) checkUrl();

    form.querySelectorAll("[data-example]").forEach((pill) => {
      pill.addEventListener("click", () => {
        const values = JSON.parse(pill.dataset.example);
        // Never replace what someone typed without asking.
        const typed = form.elements.prompt.value.trim();
        const fromExample = Array.from(form.querySelectorAll("[data-example]")).some(
          (other) => JSON.parse(other.dataset.example).prompt === typed
        );
        if (typed && !fromExample && !window.confirm("Replace what you typed with this example?")) return;
        let advancedUsed = false;
        Object.entries(values).forEach(([name, value]) => {
          const field = form.elements[name];
          if (!field) return;
          field.value = value === null ? "" : typeof value === "object" ? JSON.stringify(value, null, 2) : value;
          if (field.closest("#advanced") && field.value) advancedUsed = true;
          if (field.matches("textarea[data-json]")) validateJson(field);
        });
        if (advancedUsed) advanced.open = true;
        form.elements.prompt.focus();
      });
    });

    // After a refused submit, start the keyboard where the first problem is.
    const firstError = form.querySelector(".has-error input, .has-error textarea, .has-error select");
    if (firstError) {
      if (firstError.closest("#advanced")) advanced.open = true;
      firstError.focus();
    }

    form.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        form.requestSubmit();
      }
    });
    form.addEventListener("submit", (event) => {
      const invalid = form.querySelector("textarea[data-json][aria-invalid='true']");
      if (invalid) {
        event.preventDefault();
        advanced.open = true;
        invalid.focus();
        return;
      }
      const button = document.getElementById("run-button");
      button.disabled = true;
      button.textContent = "Starting…";
    });
  }

  // ---- Runs filters: a changed select applies at once ----
  document.querySelectorAll("select[data-autosubmit]").forEach((select) => {
    select.addEventListener("change", () => select.form.requestSubmit());
  });

  // ---- Screenshots open full size in a dialog (Esc or Close returns) ----
  const lightbox = document.getElementById("lightbox");
  document.addEventListener("click", (event) => {
    const link = event.target.closest("a.thumb");
    if (!link || !lightbox || !lightbox.showModal || event.ctrlKey || event.metaKey || event.shiftKey) return;
    event.preventDefault();
    const img = document.getElementById("lightbox-img");
    img.src = link.href;
    img.alt = (link.querySelector("img") || {}).alt || "Screenshot";
    lightbox.showModal();
  });

  // ---- Diagnostics: load an artifact into the page on demand ----
  document.addEventListener("click", async (event) => {
    const button = event.target.closest("[data-load]");
    if (!button) return;
    const target = document.getElementById(button.getAttribute("aria-controls"));
    const expanded = button.getAttribute("aria-expanded") === "true";
    button.setAttribute("aria-expanded", expanded ? "false" : "true");
    target.hidden = expanded;
    if (expanded || target.dataset.loaded) return;
    target.dataset.loaded = "1";
    if (button.dataset.loadKind === "image") {
      const img = document.createElement("img");
      img.src = button.dataset.load;
      img.alt = "Screenshot the model saw";
      target.appendChild(img);
      return;
    }
    const pre = document.createElement("pre");
    pre.className = "code";
    pre.tabIndex = 0;
    pre.textContent = "Loading…";
    target.appendChild(pre);
    try {
      // Same-origin path: PUBLIC_BASE_URL may name this server differently from the address in the tab.
      const url = new URL(button.dataset.load, location.href);
      const response = await fetch(url.pathname + url.search, { credentials: "same-origin" });
      if (!response.ok) throw new Error("HTTP " + response.status);
      const text = await response.text();
      pre.textContent = prettyIfJson(text);
    } catch (err) {
      pre.textContent = "Could not load: " + err.message;
    }
  });

  function prettyIfJson(text) {
    try {
      return JSON.stringify(JSON.parse(text), null, 2);
    } catch (err) {
      return text;
    }
  }

  // ---- Times in the reader's own time zone: <time data-local datetime="..."> (the server writes UTC) ----
  function localTimes(root) {
    (root || document).querySelectorAll("time[data-local]").forEach((time) => {
      const when = new Date(time.getAttribute("datetime"));
      if (Number.isNaN(when.getTime())) return;
      time.title = time.title || time.textContent;
      time.textContent = when.toLocaleString([], {
        month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", timeZoneName: "short",
      });
    });
  }
  localTimes(document);

  // ---- Date filters are days in the reader's time zone: tell the server which one ----
  document.querySelectorAll("input[data-reader-time-zone]").forEach((input) => {
    try {
      input.value = Intl.DateTimeFormat().resolvedOptions().timeZone || input.value;
    } catch (error) { /* keep the server's UTC */ }
  });

  // ---- Phones: the header's nav and account fold into a menu behind #nav-toggle (CSS shows the button) ----
  const topbar = document.querySelector(".topbar");
  const menuButton = document.getElementById("nav-toggle");
  if (topbar && menuButton) {
    const setMenu = (open) => {
      menuButton.setAttribute("aria-expanded", String(open));
      topbar.classList.toggle("menu-open", open);
    };
    topbar.classList.add("has-menu");
    menuButton.addEventListener("click", () => setMenu(menuButton.getAttribute("aria-expanded") !== "true"));
    document.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && menuButton.getAttribute("aria-expanded") === "true") {
        setMenu(false);
        menuButton.focus();
      }
    });
  }

  window.Dashboard = { validateJson: validateJson, localTimes: localTimes };
})();
