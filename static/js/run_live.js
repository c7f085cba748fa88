// The run page's live part: steps and actions stream into the timeline, frames into the live view, and any
// status change rebuilds the server-rendered regions (so output, video and files come from the server).
(function () {
  "use strict";

  const page = document.getElementById("run-page");
  if (!page || (page.dataset.active !== "1" && page.dataset.settling !== "1")) return;
  const runId = page.dataset.runId;
  // After the status turns final the worker still saves (steps' last state, tokens, the recording): read the
  // page again at these delays (ms) before letting go of the socket.
  const SETTLE_READS_MS = [1500, 4000, 9000, 20000];
  let settleTimer = null;

  const socket = new window.LiveSocket({ path: page.dataset.wsPath, trackSeq: true, onEvent: apply, rebuild: rebuild });

  function apply(event) {
    if (event.run_id && event.run_id !== runId) return;
    const data = event.data || {};
    if (event.type === "frame") showFrame(data.image);
    else if (event.type === "step.started" || event.type === "step.finished") upsertStep(data);
    else if (event.type === "action") upsertAction(data);
    else if (event.type === "thought") upsertThought(data);
    else if (event.type === "run.status") socket.rebuild();
    else if (event.type === "block.started" || event.type === "block.finished") socket.rebuild(); // workflow blocks
  }

  // ---- Rebuild from HTTP: swap every [data-live-region] with the server's current rendering ----
  async function rebuild() {
    const doc = await window.fetchDocument(location.pathname);
    const lastFrame = document.getElementById("live-frame");
    document.querySelectorAll("[data-live-region]").forEach((region) => {
      const fresh = doc.getElementById(region.id);
      if (!fresh) return;
      region.querySelectorAll("details[id]").forEach((details) => {
        const twin = fresh.querySelector("#" + CSS.escape(details.id));
        if (twin) twin.open = details.open; // keep what the reader opened
      });
      region.querySelectorAll(".diag-body[data-loaded]").forEach((body) => keepLoaded(body, fresh));
      region.replaceWith(document.adoptNode(fresh));
    });
    if (lastFrame && !lastFrame.hidden) showFrame(null, lastFrame.src);
    if (window.ClickMarks) window.ClickMarks.place(document);
    const freshPage = doc.getElementById("run-page");
    if (freshPage && freshPage.dataset.active !== "1") settle();
  }

  function settle() {
    if (page.dataset.active === "1") announce("Run " + statusText() + ".");
    page.dataset.active = "0";
    if (settleTimer !== null) return;
    let read = 0;
    const next = () => {
      if (read >= SETTLE_READS_MS.length) {
        socket.stop();
        return;
      }
      settleTimer = setTimeout(() => {
        read += 1;
        socket.rebuild().finally(next);
      }, SETTLE_READS_MS[read] - (read ? SETTLE_READS_MS[read - 1] : 0));
    };
    next();
  }

  function statusText() {
    const badge = document.querySelector("#run-status .badge");
    return badge ? badge.textContent.trim() : "finished";
  }

  // ---- Screen readers: one polite region that stays on the page (never swapped by a rebuild) ----
  function announce(text) {
    const region = document.getElementById("run-announcer");
    if (region) region.textContent = text;
  }

  // ---- The duration ticks while the run works (the server renders it; this only keeps it current) ----
  function human(seconds) {
    if (seconds < 60) return seconds + "s";
    const minutes = Math.floor(seconds / 60);
    if (minutes < 60) return minutes + "m " + String(seconds % 60).padStart(2, "0") + "s";
    return Math.floor(minutes / 60) + "h " + String(minutes % 60).padStart(2, "0") + "m";
  }

  // A queued run says so when no worker is online to take it: the server's answer (queue/status.json, which
  // asks the workers), read every QUEUE_POLL_MS while the run waits.
  const QUEUE_POLL_MS = 5000;
  const queueNote = document.getElementById("queue-wait");
  if (queueNote && queueNote.dataset.statusUrl) {
    const readQueue = () => {
      if (!document.getElementById("queue-wait")) return;
      fetch(queueNote.dataset.statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then((response) => (response.ok ? response.json() : null))
        .then((health) => {
          const note = document.getElementById("queue-wait");
          if (note && health) note.hidden = health.workers_online !== 0;
        })
        .catch(() => {});
    };
    setInterval(readQueue, QUEUE_POLL_MS);
  }

  setInterval(() => {
    const cell = document.getElementById("fact-duration");
    if (!cell || !cell.dataset.started || page.dataset.active !== "1") return;
    const seconds = Math.max(0, Math.floor((Date.now() - Date.parse(cell.dataset.started)) / 1000));
    cell.textContent = human(seconds) + " so far";
  }, 1000);

  // A diagnostic the reader loaded ("Show here") survives the rebuild, open or closed as they left it.
  function keepLoaded(body, fresh) {
    const twin = fresh.querySelector("#" + CSS.escape(body.id));
    if (!twin) return;
    twin.replaceWith(body);
    const button = fresh.querySelector('[aria-controls="' + CSS.escape(body.id) + '"]');
    if (button) button.setAttribute("aria-expanded", body.hidden ? "false" : "true");
  }

  function showFrame(base64, src) {
    const img = document.getElementById("live-frame");
    if (!img || (!base64 && !src)) return;
    img.src = src || "data:image/jpeg;base64," + base64;
    img.hidden = false;
    const placeholder = document.getElementById("live-placeholder");
    if (placeholder) placeholder.hidden = true;
  }

  // ---- Steps ----
  function slot(root, name) {
    return root.querySelector('[data-slot="' + name + '"]');
  }

  function badge(status) {
    const span = document.createElement("span");
    span.className = "badge badge-" + status;
    span.dataset.status = status;
    const dot = document.createElement("span");
    dot.className = "badge-dot";
    dot.setAttribute("aria-hidden", "true");
    span.append(dot, document.createTextNode(String(status).replace("_", " ")));
    return span;
  }

  function money(value) {
    if (!value) return "$0.00";
    return "$" + (value < 0.01 ? value.toFixed(4) : value.toFixed(2));
  }

  function upsertStep(data) {
    let step = document.getElementById("step-" + data.step_id);
    if (!step) {
      step = document.getElementById("tpl-step").content.firstElementChild.cloneNode(true);
      step.id = "step-" + data.step_id;
      step.dataset.stepId = data.step_id;
      insertInOrder(stepList(data), step, stepKey(data.order, data.retry_index));
      announce("Step " + (Number(data.order) + 1) + (data.retry_index ? ", retry " + data.retry_index : "") + " started.");
    }
    step.dataset.order = data.order;
    step.dataset.retry = data.retry_index || 0;
    const retry = data.retry_index ? " · retry " + data.retry_index : "";
    slot(step, "title").textContent = "Step " + (Number(data.order) + 1) + retry;
    if (data.status) slot(step, "status").replaceChildren(badge(data.status));
    if (data.input_token_count !== undefined) {
      step.dataset.inputTokens = data.input_token_count || 0;
      step.dataset.outputTokens = data.output_token_count || 0;
      step.dataset.cost = data.step_cost || 0;
      slot(step, "usage").textContent =
        `${data.input_token_count} in${data.cached_token_count ? ` (${data.cached_token_count} cached)` : ""}` +
        ` / ${data.output_token_count} out tokens · ${money(data.step_cost)}`;
    }
    if (data.screenshots_sent !== undefined && data.screenshots_sent !== null) {
      // Same words as templates/runs/_step_vision.html.
      const sent = Number(data.screenshots_sent);
      const head = sent ? `Screenshot sent to the model (${sent} image${sent === 1 ? "" : "s"})` : "No screenshot sent to the model";
      slot(step, "vision").textContent = head + (data.screenshot_note ? ": " + data.screenshot_note : "");
      slot(step, "vision").hidden = false;
    }
    document.getElementById("timeline-empty").hidden = true;
    updateTotals();
    return step;
  }

  function stepKey(order, retry) {
    return Number(order) * 1000 + Number(retry || 0);
  }

  function insertInOrder(list, item, key) {
    item.dataset.sortKey = key;
    const after = Array.from(list.children).find((child) => Number(child.dataset.sortKey ?? sortKeyOf(child)) > key);
    list.insertBefore(item, after || null);
  }

  function sortKeyOf(child) {
    if (child.dataset.index !== undefined) return Number(child.dataset.index);
    return stepKey(child.dataset.order, child.dataset.retry);
  }

  function updateTotals() {
    const steps = Array.from(document.querySelectorAll("#timeline .step"));
    const charged = Array.from(document.querySelectorAll("#timeline .step, #timeline .thought"));
    const sum = (name) => charged.reduce((total, s) => total + Number(s.dataset[name] || 0), 0);
    const count = document.querySelector("#fact-steps [data-slot=count]");
    if (count) count.textContent = new Set(steps.map((s) => s.dataset.order)).size;
    const tokens = document.getElementById("fact-tokens");
    if (tokens) tokens.textContent = `${sum("inputTokens")} in / ${sum("outputTokens")} out`;
    const cost = document.getElementById("fact-cost");
    if (cost) cost.textContent = money(sum("cost"));
  }

  // ---- skyvern-2.0: steps under their mini-goal, thoughts between them (in arrival order) ----
  function stepList(data) {
    const timeline = document.getElementById("timeline");
    if (data.block_index === null || data.block_index === undefined) return timeline;
    let group = document.getElementById("mini-goal-" + data.block_index);
    if (!group) {
      group = document.getElementById("tpl-mini-goal").content.firstElementChild.cloneNode(true);
      group.id = "mini-goal-" + data.block_index;
      group.dataset.blockIndex = data.block_index;
      const number = Number(data.block_index) + 1;
      slot(group, "title").textContent = "Mini-goal " + number;
      slot(group, "goal").textContent = data.block_goal || "";
      slot(group, "steps").setAttribute("aria-label", "Steps of mini-goal " + number);
      timeline.appendChild(group);
    }
    return slot(group, "steps");
  }

  // Mirror runs/dashboard/run_detail.py (THOUGHT_TITLES, thought_decision).
  const THOUGHT_TITLES = {
    generate_plan: "Planning",
    user_goal_check: "Goal check",
    summarization: "Summary",
    generate_metadata: "Choosing where to start",
  };

  function thoughtTitle(data) {
    const name = data.thought_scenario || data.thought_type || "thought";
    if (THOUGHT_TITLES[name]) return THOUGHT_TITLES[name];
    const words = name.replace(/_/g, " ");
    return words.charAt(0).toUpperCase() + words.slice(1);
  }

  function thoughtDecision(data) {
    const output = data.output && typeof data.output === "object" ? data.output : {};
    if (data.thought_scenario === "generate_plan") {
      if (output.should_terminate) return "Stop the run: " + (output.termination_reason || "no reason given");
      if (output.user_goal_achieved) return "The goal looks achieved";
      const values = output.loop_values || [];
      const rounds = output.task_type === "loop" ? ", once for each of " + values.length + " values" : "";
      return "Next mini-goal (" + output.task_type + rounds + "): " + (output.plan || "");
    }
    if (data.thought_scenario === "user_goal_check" && "user_goal_achieved" in output) {
      return output.user_goal_achieved ? "The goal is achieved" : "Not achieved yet";
    }
    if (data.thought_scenario === "summarization" && Object.keys(output).length) return "Wrote the run's output";
    return "";
  }

  function upsertThought(data) {
    let item = document.getElementById("thought-" + data.thought_id);
    if (!item) {
      item = document.getElementById("tpl-thought").content.firstElementChild.cloneNode(true);
      item.id = "thought-" + data.thought_id;
      item.dataset.thoughtId = data.thought_id;
      document.getElementById("timeline").appendChild(item);
    }
    item.dataset.order = data.order;
    item.dataset.inputTokens = data.input_token_count || 0;
    item.dataset.outputTokens = data.output_token_count || 0;
    item.dataset.cost = data.thought_cost || 0;
    slot(item, "title").textContent = thoughtTitle(data);
    slot(item, "usage").textContent =
      `${data.input_token_count || 0} in / ${data.output_token_count || 0} out tokens · ${money(data.thought_cost)}`;
    slot(item, "decision").textContent = thoughtDecision(data);
    slot(item, "thought").textContent = data.thought || "";
    slot(item, "answer").textContent = data.answer || "";
    slot(item, "prompt").textContent = data.observation || "";
    document.getElementById("timeline-empty").hidden = true;
    updateTotals();
  }

  // ---- Actions ----
  function inputOf(data) {
    if (data.text) return data.text;
    const option = data.option;
    if (option && typeof option === "object") return String(option.label || option.value || JSON.stringify(option));
    return option ? String(option) : data.file_url || "";
  }

  // Mirrors the result_summary template filter.
  function resultSummary(result) {
    if (result === null || result === undefined) return "";
    if (typeof result !== "object") return String(result);
    const parts = [];
    if ("success" in result) parts.push(result.success ? "Succeeded" : "Failed");
    const key = ["exception_message", "error_message", "message", "error", "exception_type", "error_type"].find((k) => result[k]);
    if (key) parts.push(String(result[key]));
    if (result.download_triggered) parts.push("download started");
    const data = result.data;
    if (data !== null && data !== undefined && data !== "" && !(typeof data === "object" && Object.keys(data).length === 0)) {
      parts.push(JSON.stringify(data).slice(0, 300));
    }
    return parts.join(" · ");
  }

  function upsertAction(data) {
    let step = document.getElementById("step-" + data.step_id);
    if (!step) step = upsertStep({ step_id: data.step_id, order: data.step_order, retry_index: 0, status: "running" });
    let action = document.getElementById("action-" + data.action_id);
    if (!action) {
      action = document.getElementById("tpl-action").content.firstElementChild.cloneNode(true);
      action.id = "action-" + data.action_id;
      action.dataset.actionId = data.action_id;
      action.dataset.index = data.index;
      insertInOrder(slot(step, "actions"), action, Number(data.index));
    }
    slot(action, "type").textContent = data.action_type;
    const status = slot(action, "status");
    status.textContent = data.status;
    status.className = "action-status action-" + data.status;
    slot(action, "element").textContent = data.element_id ? "element " + data.element_id : "";
    slot(action, "reasoning").textContent = data.reasoning || "";
    const input = inputOf(data);
    slot(action, "input").textContent = input;
    slot(action, "input-row").hidden = !input;
    const result = resultSummary(data.result);
    slot(action, "result").textContent = result;
    slot(action, "result-row").hidden = !result;
    if (data.screenshot_url) slot(action, "thumb").replaceChildren(thumbnail(data));
  }

  function thumbnail(data) {
    const link = document.createElement("a");
    link.className = "thumb";
    link.href = data.screenshot_url;
    link.target = "_blank";
    link.rel = "noopener";
    const img = document.createElement("img");
    img.src = data.screenshot_url;
    const landed = typeof data.x === "number" && typeof data.y === "number";
    const where = landed ? " at " + Math.round(data.x) + ", " + Math.round(data.y) : "";
    img.alt = "Screenshot after " + data.action_type + where + " (opens full size)";
    link.appendChild(img);
    if (landed) {
      // Where a coordinate action landed (static/js/click_marks.js places it over the image).
      const mark = document.createElement("span");
      mark.className = "click-mark";
      mark.dataset.x = data.x;
      mark.dataset.y = data.y;
      mark.setAttribute("aria-hidden", "true");
      mark.hidden = true;
      link.appendChild(mark);
      if (window.ClickMarks) window.ClickMarks.place(link);
    }
    return link;
  }

  window.RunLive = { apply: apply, socket: socket };
})();
