"""Pictures a page is still loading. A control drawn only as a picture (CSS `content: url()`, an <img> sized
by its file) has no size until the picture arrives, so a page read a moment too early misses it: a feed built
on load lists its posts without their Reply and Like buttons. A person sees them a blink later; the agent
waits that blink before it reads the page, and no longer.
"""

from __future__ import annotations

import asyncio
import contextlib

from playwright.async_api import Page, Request

# Long enough for pictures from the page's own server, short enough that a slow third-party image (an
# advert, a tracking pixel) costs a step little.
WAIT_CAP_S = 0.5


class ImageLoads:
    """The image requests of one page that have started and not yet ended."""

    def __init__(self, page: Page) -> None:
        self.in_flight: set[Request] = set()
        self.changed = asyncio.Event()
        page.on("request", self._started)
        page.on("requestfinished", self._ended)
        page.on("requestfailed", self._ended)

    def _started(self, request: Request) -> None:
        if request.resource_type == "image":
            self.in_flight.add(request)

    def _ended(self, request: Request) -> None:
        if request in self.in_flight:
            self.in_flight.discard(request)
            self.changed.set()

    async def loaded(self, cap_s: float = WAIT_CAP_S) -> None:
        """Return once no image is loading, or after `cap_s`."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + cap_s
        while self.in_flight and (left := deadline - loop.time()) > 0:
            self.changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.changed.wait(), min(left, 0.1))
