// A finished run's page in tabs: Overview, Actions, Recording, Diagnostics, Code. Without this script every
// section shows, one under the other; the tab in the address (#actions) is the one that opens.
(function () {
  "use strict";

  const list = document.getElementById("run-tabs");
  if (!list) return;
  const tabs = Array.from(list.querySelectorAll("[data-tab]"));
  const panels = Array.from(document.querySelectorAll("[data-tab-panel]"));

  list.setAttribute("role", "tablist");
  panels.forEach((panel, i) => {
    panel.id = panel.id || "panel-" + panel.dataset.tabPanel + "-" + i;
    panel.setAttribute("role", "tabpanel");
    panel.setAttribute("aria-labelledby", "tab-" + panel.dataset.tabPanel);
  });
  tabs.forEach((tab) => {
    tab.setAttribute("role", "tab");
    const owned = panels.filter((p) => p.dataset.tabPanel === tab.dataset.tab).map((p) => p.id);
    tab.setAttribute("aria-controls", owned.join(" "));
  });

  function select(name, focus) {
    const tab = tabs.find((t) => t.dataset.tab === name) || tabs[0];
    tabs.forEach((t) => {
      const on = t === tab;
      t.setAttribute("aria-selected", on ? "true" : "false");
      t.tabIndex = on ? 0 : -1;
    });
    panels.forEach((panel) => {
      panel.hidden = panel.dataset.tabPanel !== tab.dataset.tab;
    });
    document.body.dataset.runTab = tab.dataset.tab;
    if (focus) tab.focus();
    return tab.dataset.tab;
  }

  list.addEventListener("click", (event) => {
    const tab = event.target.closest("[data-tab]");
    if (!tab) return;
    history.replaceState(null, "", "#" + select(tab.dataset.tab));
  });

  list.addEventListener("keydown", (event) => {
    const moves = { ArrowRight: 1, ArrowLeft: -1, Home: -Infinity, End: Infinity };
    if (!(event.key in moves)) return;
    event.preventDefault();
    const at = tabs.indexOf(document.activeElement);
    const step = moves[event.key];
    const next = Number.isFinite(step) ? (at + step + tabs.length) % tabs.length : step < 0 ? 0 : tabs.length - 1;
    history.replaceState(null, "", "#" + select(tabs[next].dataset.tab, true));
  });

  const named = () => tabs.some((t) => t.dataset.tab === location.hash.slice(1)); // not #main (the skip link)
  window.addEventListener("hashchange", () => named() && select(location.hash.slice(1)));
  list.hidden = false;
  select(named() ? location.hash.slice(1) : "overview");
  window.RunTabs = { select: select };
})();
