"""After an action, wait until the page settles, from the page's own events instead of a fixed sleep.

1. Watch the page's DOM in the page itself (a MutationObserver): settled once nothing has changed for
   QUIET_MS (inline style changes, i.e. scripted animations, do not count), or after QUIET_CAP_MS however busy
   it stays (a ticker never goes quiet). A static page costs one round trip and one quiet window.
2. A document or fetch request the action started (run_action listens from before the handler runs, see
   watching_requests) that is still running is waited for (at most NETWORK_CAP_S), then the DOM gets another
   quiet window to show what came back.
3. A navigation (the action's, or one that began meanwhile) is waited for until the new document's DOM is
   loaded.

What it cannot see: a navigation a script starts after the quiet window (a timer set for later) is judged by
the next observation, as any later change is.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from typing import Any
from weakref import WeakKeyDictionary

from playwright.async_api import Page, Request

QUIET_MS = 40
QUIET_CAP_MS = 400
NETWORK_CAP_S = 2.0
HOVER_QUIET_MS = 350
HOVER_CAP_MS = 1500
# The requests that can change what the page shows; images, fonts and the like do not hold a step back.
WATCHED_TYPES = frozenset({"document", "fetch", "xhr"})

_QUIET = """([quietMs, capMs]) => new Promise(resolve => {
  const start = performance.now();
  let last = start;
  // Inline styles change on every frame of a scripted animation (a carousel): they do not make a page busy.
  const observer = new MutationObserver(records => {
    if (records.some(r => r.type !== "attributes" || r.attributeName !== "style")) last = performance.now();
  });
  observer.observe(document, {subtree: true, childList: true, attributes: true, characterData: true});
  const check = () => {
    const now = performance.now();
    if (now - last >= quietMs || now - start >= capMs) { observer.disconnect(); resolve(now - start); }
    else setTimeout(check, Math.max(5, quietMs - (now - last)));
  };
  setTimeout(check, quietMs);
})"""


class _Requests:
    """The watched requests a page started since the listening began that are still running."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.in_flight: set[Request] = set()
        self.changed = asyncio.Event()
        self.listeners: dict[str, Any] = {
            "request": self._started,
            "requestfinished": self._ended,
            "requestfailed": self._ended,
        }
        for event, listener in self.listeners.items():
            page.on(event, listener)

    def _started(self, request: Request) -> None:
        if request.resource_type in WATCHED_TYPES:
            self.in_flight.add(request)

    def _ended(self, request: Request) -> None:
        self.in_flight.discard(request)
        self.changed.set()

    def close(self) -> None:
        for event, listener in self.listeners.items():
            self.page.remove_listener(event, listener)

    async def drained(self, seconds: float) -> None:
        """Wait until no watched request is in flight, at most `seconds`."""
        deadline = asyncio.get_running_loop().time() + seconds
        while self.in_flight:
            left = deadline - asyncio.get_running_loop().time()
            if left <= 0:
                return
            self.changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.changed.wait(), min(left, 0.1))


_listening: WeakKeyDictionary[Page, _Requests] = WeakKeyDictionary()


@contextlib.contextmanager
def watching_requests(page: Page | None) -> Iterator[None]:
    """Listen to `page`'s requests while an action runs, so that its settle knows the ones the action
    started (a keypress's fetch is sent before settle begins). No page, nothing to listen to."""
    if page is None or page in _listening:
        yield
        return
    _listening[page] = _Requests(page)
    try:
        yield
    finally:
        with contextlib.suppress(Exception):
            _listening.pop(page).close()


async def _quiet(page: Page, quiet_ms: int = QUIET_MS, cap_ms: int = QUIET_CAP_MS) -> None:
    """One quiet window; a navigation that replaces the document ends it early (the evaluate fails)."""
    with contextlib.suppress(Exception):
        await asyncio.wait_for(page.evaluate(_QUIET, [quiet_ms, cap_ms]), cap_ms / 1000 + 2)


async def rest_after_hover(page: Page) -> None:
    """A menu or tooltip shown on hover often waits until the pointer rests (jQuery UI's menus 300 ms):
    wait until the DOM has been still for HOVER_QUIET_MS, so the next page read shows what opened."""
    await _quiet(page, HOVER_QUIET_MS, HOVER_CAP_MS)


async def settle_page(page: Page, timeout_ms: int = 10_000) -> None:
    """Return once the page is settled (see the module's docstring); never raises for a slow or closed page:
    the next observation judges it."""
    own = None if page in _listening else _Requests(page)
    requests = own or _listening[page]
    try:
        await _quiet(page)
        if requests.in_flight:
            await requests.drained(NETWORK_CAP_S)
            await _quiet(page)
        # A navigation the action started may have replaced the document meanwhile: wait for its DOM.
        with contextlib.suppress(Exception):
            await page.wait_for_load_state("domcontentloaded", timeout=timeout_ms)
    finally:
        if own is not None:
            with contextlib.suppress(Exception):
                own.close()
