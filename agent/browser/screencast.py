"""Live frames of the agent's browser, sent only while somebody is watching.

The host says whether anybody watches (`wanted`) and where a frame goes (`send`); the agent owns the browser,
so it owns the CDP screencast too. Once a tick (about a second) the screencast:

1. asks `wanted()`; an error there counts as "nobody";
2. when wanted, makes sure `Page.startScreencast` runs on the session's current page, moving to a new tab
   when the agent switches; a failed start is logged and tried again on the next tick;
3. when not wanted (or no page is open), stops and detaches.

Chromium sends a frame only when the page repaints. Each frame is acknowledged at once (unacknowledged,
Chromium stops sending) and forwarded at most `max_fps` times a second, always ending with the newest one.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

log = logging.getLogger(__name__)

POLL_SECONDS = 1.0
MAX_FPS = 4
JPEG_QUALITY = 60
DEFAULT_VIEWPORT = {"width": 1280, "height": 720}

Wanted = Callable[[], Awaitable[bool]]
Send = Callable[[str], Awaitable[None]]


class Screencast:
    """`Screencast(session, wanted=..., send=...)`, then `start()`; `await close()` before the session closes.

    `send` gets each frame as base64 JPEG text. `frames_sent` counts the frames handed to it.
    """

    def __init__(
        self,
        session: Any,
        *,
        wanted: Wanted,
        send: Send,
        poll_seconds: float = POLL_SECONDS,
        max_fps: float = MAX_FPS,
    ) -> None:
        self.session = session
        self.wanted = wanted
        self.send = send
        self.poll_seconds = poll_seconds
        self.min_interval = 1 / max_fps
        self.frames_sent = 0
        self._watcher: asyncio.Task[None] | None = None
        self._flusher: asyncio.Task[None] | None = None
        self._acks: set[asyncio.Task[None]] = set()
        self._cdp: Any = None
        self._page: Any = None
        self._latest: str | None = None
        self._last_sent = float("-inf")
        self._send_failing = False
        self._wanted_failing = False

    @property
    def active(self) -> bool:
        """True while a CDP screencast is running."""
        return self._cdp is not None

    def start(self) -> None:
        if self._watcher is None:
            self._watcher = asyncio.get_running_loop().create_task(self._watch(), name="screencast")

    async def close(self) -> None:
        """Stop watching and detach; safe to call twice, and from a cancelled task's cleanup."""
        tasks = [t for t in (self._watcher, self._flusher, *self._acks) if t is not None and not t.done()]
        for task in tasks:
            task.cancel()
        if tasks:  # asyncio.wait, unlike awaiting a task, lets a cancellation of our caller through
            await asyncio.wait(tasks)
        await self._stop()

    # --- the watch loop ---------------------------------------------------------------------------

    async def _watch(self) -> None:
        while True:
            try:
                await self._tick()
            except Exception:  # a bug here must not end the live view for the rest of the run
                log.warning("screencast tick failed", exc_info=True)
            await asyncio.sleep(self.poll_seconds)

    async def _tick(self) -> None:
        wanted = await self._is_wanted()
        page = self._current_page() if wanted else None
        if page is not None and page is self._page:
            return
        if self._cdp is not None and page is None:
            log.info("screencast stopped: %s", "no open page" if wanted else "nobody is watching")
        await self._stop()
        if page is not None:
            await self._start(page)

    async def _is_wanted(self) -> bool:
        try:
            wanted = bool(await self.wanted())
        except Exception:
            if not self._wanted_failing:  # once per failing streak, not once a second
                log.warning("asking whether the screencast is watched failed", exc_info=True)
            self._wanted_failing = True
            return False
        self._wanted_failing = False
        return wanted

    def _current_page(self) -> Any:
        try:
            return self.session.page
        except Exception:  # no page open at the moment
            return None

    async def _start(self, page: Any) -> None:
        try:
            # Kept from the start, so a failure below (or a close() meanwhile) detaches it.
            self._cdp = cdp = await self.session.context.new_cdp_session(page)
            cdp.on("Page.screencastFrame", lambda params: self._on_frame(cdp, params))
            viewport = page.viewport_size or DEFAULT_VIEWPORT
            await cdp.send(
                "Page.startScreencast",
                {
                    "format": "jpeg",
                    "quality": JPEG_QUALITY,
                    "maxWidth": viewport["width"],
                    "maxHeight": viewport["height"],
                },
            )
        except Exception as exc:
            log.warning("screencast could not start (trying again in %ss): %s", self.poll_seconds, exc)
            await self._stop()
            return
        self._page = page
        log.info("screencast started")

    async def _stop(self) -> None:
        cdp, self._cdp, self._page, self._latest = self._cdp, None, None, None
        if cdp is None:
            return
        with contextlib.suppress(Exception):  # the page or the whole context may be gone already
            await cdp.send("Page.stopScreencast")
        with contextlib.suppress(Exception):
            await cdp.detach()

    # --- frames -----------------------------------------------------------------------------------

    def _on_frame(self, cdp: Any, params: dict[str, Any]) -> None:
        loop = asyncio.get_running_loop()
        ack = loop.create_task(self._ack(cdp, params["sessionId"]))
        self._acks.add(ack)
        ack.add_done_callback(self._acks.discard)
        if cdp is not self._cdp:  # a late frame from a screencast we already stopped
            return
        self._latest = params["data"]
        if self._flusher is None or self._flusher.done():
            self._flusher = loop.create_task(self._flush())

    async def _ack(self, cdp: Any, session_id: int) -> None:
        with contextlib.suppress(Exception):
            await cdp.send("Page.screencastFrameAck", {"sessionId": session_id})

    async def _flush(self) -> None:
        """Send the newest frame, no sooner than `min_interval` after the last; loop while new ones came."""
        loop = asyncio.get_running_loop()
        while self._latest is not None:
            wait = self._last_sent + self.min_interval - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            image, self._latest = self._latest, None
            if image is None:  # stopped while we waited
                return
            self._last_sent = loop.time()
            await self._deliver(image)

    async def _deliver(self, image: str) -> None:
        try:
            await self.send(image)
        except Exception:
            # Warn once per failing streak: at MAX_FPS a broken sink would flood the log.
            if not self._send_failing:
                log.warning("sending a screencast frame failed", exc_info=True)
            self._send_failing = True
            return
        self._send_failing = False
        self.frames_sent += 1
