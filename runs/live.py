"""Live browser frames for watched runs: a CDP screencast that runs only while someone is looking.

The run page's consumer counts viewers in Redis (runs.events); this loop checks the count about once a
second, starts `Page.startScreencast` on the session's current page when the first viewer arrives, moves
to a new tab when the agent switches, and stops when the last viewer leaves. Chromium sends a frame only
when the page repaints; each one is acknowledged at once (or Chromium stops sending) and forwarded at most
MAX_FPS times a second, always ending with the newest picture.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import Any

from runs import events

log = logging.getLogger(__name__)

POLL_SECONDS = 1.0
MAX_FPS = 4
JPEG_QUALITY = 60


class LiveView:
    def __init__(self, run_id: str, session: Any) -> None:
        self.run_id = run_id
        self.session = session
        self._task: asyncio.Task | None = None
        self._cdp: Any = None
        self._page: Any = None
        self._latest: str | None = None
        self._last_sent = 0.0
        self._flush: asyncio.Task | None = None
        self.frames_sent = 0

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._watch())

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
        await self._stop()

    async def _watch(self) -> None:
        while True:
            try:
                await self._adjust(await events.aviewer_count(self.run_id) > 0)
            except asyncio.CancelledError:
                raise
            except Exception:  # a closing page or context: try again on the next tick
                log.debug("screencast adjust failed for %s", self.run_id, exc_info=True)
            await asyncio.sleep(POLL_SECONDS)

    def _current_page(self) -> Any:
        try:
            return self.session.page
        except Exception:
            return None

    async def _adjust(self, watched: bool) -> None:
        page = self._current_page() if watched else None
        if page is self._page and (page is None or self._cdp is not None):
            return
        if self._cdp is not None and page is None:
            log.info("screencast of %s stopped: no viewers", self.run_id)
        await self._stop()
        if page is not None:
            await self._start(page)
            log.info("screencast of %s started for its viewers", self.run_id)

    async def _start(self, page: Any) -> None:
        cdp = await self.session.context.new_cdp_session(page)
        cdp.on("Page.screencastFrame", self._on_frame)
        self._cdp, self._page = cdp, page
        viewport = page.viewport_size or {"width": 1280, "height": 720}
        await cdp.send(
            "Page.startScreencast",
            {
                "format": "jpeg",
                "quality": JPEG_QUALITY,
                "maxWidth": viewport["width"],
                "maxHeight": viewport["height"],
            },
        )

    async def _stop(self) -> None:
        cdp, self._cdp, self._page = self._cdp, None, None
        if cdp is None:
            return
        with contextlib.suppress(Exception):
            await cdp.send("Page.stopScreencast")
        with contextlib.suppress(Exception):
            await cdp.detach()

    def _on_frame(self, params: dict[str, Any]) -> None:
        cdp = self._cdp
        if cdp is not None:
            asyncio.get_running_loop().create_task(self._ack(cdp, params["sessionId"]))
        self._latest = params["data"]
        if self._flush is None or self._flush.done():
            self._flush = asyncio.get_running_loop().create_task(self._send_latest())

    async def _ack(self, cdp: Any, session_id: int) -> None:
        with contextlib.suppress(Exception):
            await cdp.send("Page.screencastFrameAck", {"sessionId": session_id})

    async def _send_latest(self) -> None:
        wait = self._last_sent + 1 / MAX_FPS - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)
        image, self._latest = self._latest, None
        if image is None:
            return
        self._last_sent = time.monotonic()
        self.frames_sent += 1
        await events.apublish_frame(self.run_id, image)
