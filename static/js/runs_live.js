// The Runs list stays current: each run.changed refetches that run's server-rendered row.
(function () {
  "use strict";

  const table = document.getElementById("runs-table");
  if (!table) return;
  const body = document.getElementById("runs-body");
  const firstPage = table.dataset.page === "1";
  const filterQuery = table.dataset.filterQuery || "";
  const latest = new Map(); // run_id -> number of the newest row request, so a slow older answer loses

  new window.LiveSocket({ path: "/ws/runs/", trackSeq: false, onEvent: apply, rebuild: rebuild });

  // The whole row opens the run (the title stays the link for keyboards and screen readers).
  body.addEventListener("click", (event) => {
    const row = event.target.closest("tr[data-href]");
    if (!row || event.target.closest("a, button, input, select") || window.getSelection().toString()) return;
    if (event.ctrlKey || event.metaKey) window.open(row.dataset.href, "_blank", "noopener");
    else location.assign(row.dataset.href);
  });

  function apply(event) {
    if (event.type === "run.changed" && event.run_id) refreshRow(event.run_id);
  }

  async function refreshRow(runId) {
    const ticket = (latest.get(runId) || 0) + 1;
    latest.set(runId, ticket);
    const url = `/runs/${encodeURIComponent(runId)}/fragments/row${filterQuery ? "?" + filterQuery : ""}`;
    const response = await fetch(url, { credentials: "same-origin" });
    if (latest.get(runId) !== ticket || !response.ok) return;
    const existing = document.getElementById("run-" + runId);
    if (response.status === 204) {
      if (existing) existing.remove();
      return;
    }
    const holder = document.createElement("tbody");
    holder.innerHTML = (await response.text()).trim();
    const row = holder.firstElementChild;
    if (window.Dashboard) window.Dashboard.localTimes(row);
    if (existing) {
      if (existing.dataset.status !== row.dataset.status) row.classList.add("row-flash");
      existing.replaceWith(row);
    } else if (firstPage) {
      row.classList.add("row-flash");
      body.prepend(row);
    }
    document.getElementById("runs-empty").hidden = body.children.length > 0;
  }

  async function rebuild() {
    const doc = await window.fetchDocument(location.href);
    const freshBody = doc.getElementById("runs-body");
    if (freshBody) body.replaceChildren(...Array.from(freshBody.children).map((row) => document.adoptNode(row)));
    document.getElementById("runs-empty").hidden = body.children.length > 0;
  }
})();
