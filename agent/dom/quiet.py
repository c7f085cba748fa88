"""Wait until the page stops changing before it is read: a closing menu or calendar still covers what it
leaves behind while it fades out (jQuery UI's datepicker fades for 400 ms after a day is picked), and a
snapshot taken then hides the button the next action needs.

The first call in a document installs a MutationObserver and returns at once (what the page did before
nobody knows, and the load itself was waited for); later calls return at once when nothing changed for
QUIET_MS, otherwise they wait for such a pause, at most CAP_MS (a page that never stops, such as a ticker,
costs at most that). An animation done by the browser alone (CSS) changes no DOM and is not waited for, nor
are the agent's own `data-sk-*` marks (a snapshot writes them).
"""

from __future__ import annotations

import contextlib

from playwright.async_api import Page

QUIET_MS = 50  # jQuery animates a style every ~13 ms: a fade never leaves 50 ms still
CAP_MS = 1_000

_WAIT = """([quietMs, capMs]) => new Promise((resolve) => {
  let state = window.__skQuiet;
  if (!state) {
    state = window.__skQuiet = { last: -Infinity };
    // The agent's own marks (data-sk-* ids a snapshot writes) are not the page changing.
    const theirs = (r) => !(r.type === "attributes" && (r.attributeName || "").startsWith("data-sk"));
    new MutationObserver((records) => {
      if (records.some(theirs)) state.last = performance.now();
    }).observe(document.documentElement,
      { subtree: true, childList: true, attributes: true, characterData: true });
  }
  const start = performance.now();
  const check = () => {
    const now = performance.now();
    const calm = now - state.last;
    if (calm >= quietMs || now - start >= capMs) resolve(Math.round(now - start));
    else setTimeout(check, Math.max(10, Math.min(quietMs - calm + 1, 50)));
  };
  check();
})"""


async def wait_for_quiet(page: Page, quiet_ms: int = QUIET_MS, cap_ms: int = CAP_MS) -> int:
    """Milliseconds waited for the main frame's DOM to be still for `quiet_ms` (0 when it already was)."""
    with contextlib.suppress(Exception):  # a page mid-navigation is read as it is
        return int(await page.evaluate(_WAIT, [quiet_ms, cap_ms]))
    return 0
