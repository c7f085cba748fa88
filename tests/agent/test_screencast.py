"""The live screencast against real Chromium: frames only while watched, rate-limited, retried on failure."""

from __future__ import annotations

import asyncio
import base64
import logging
import struct
import time
from collections.abc import AsyncIterator, Callable
from itertools import pairwise
from typing import Any

import pytest
import pytest_asyncio
from playwright.async_api import Error as PlaywrightError

from agent.browser import BrowserSession, Screencast
from tests.agent.conftest import SessionFactory

pytestmark = pytest.mark.browser  # drives Chromium

POLL = 0.05


class Viewer:
    """The host's side: a switch for `wanted` and the frames received, with their arrival times."""

    def __init__(self, watching: bool = True) -> None:
        self.watching = watching
        self.frames: list[str] = []
        self.times: list[float] = []

    async def wanted(self) -> bool:
        return self.watching

    async def send(self, image: str) -> None:
        self.frames.append(image)
        self.times.append(time.monotonic())


async def wait_until(predicate: Callable[[], bool], what: str, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


def jpeg_size(data: bytes) -> tuple[int, int]:
    """(width, height) from a baseline JPEG's start-of-frame marker."""
    at = data.index(b"\xff\xc0")
    height, width = struct.unpack(">HH", data[at + 5 : at + 9])
    return width, height


def screencast_tasks() -> list[asyncio.Task[Any]]:
    return [task for task in asyncio.all_tasks() if task.get_name() == "screencast" and not task.done()]


CastFactory = Callable[..., Screencast]


@pytest_asyncio.fixture(loop_scope="session")
async def cast(make_session: SessionFactory) -> AsyncIterator[CastFactory]:
    """`cast(session, viewer)` starts a fast-polling Screencast, closed before the sessions are."""
    made: list[Screencast] = []

    def make(session: BrowserSession, viewer: Viewer, **options: Any) -> Screencast:
        live = Screencast(session, wanted=viewer.wanted, send=viewer.send, poll_seconds=POLL, **options)
        made.append(live)
        live.start()
        return live

    yield make
    for live in made:
        await live.close()


async def test_it_sends_frames_only_while_somebody_watches(
    make_session: SessionFactory, cast: CastFactory, page_server: Any
) -> None:
    session = await make_session(viewport={"width": 400, "height": 300})
    await session.goto(page_server.url("ticker.html"))
    viewer = Viewer(watching=False)
    live = cast(session, viewer)

    await asyncio.sleep(POLL * 6)
    assert not live.active and viewer.frames == []

    viewer.watching = True
    await wait_until(lambda: len(viewer.frames) >= 2, "frames")
    image = base64.b64decode(viewer.frames[-1])
    assert image[:2] == b"\xff\xd8"  # a JPEG
    width, height = jpeg_size(image)
    assert 0 < width <= 400 and 0 < height <= 300

    viewer.watching = False
    await wait_until(lambda: not live.active, "the stop")
    stopped_at = len(viewer.frames)
    await asyncio.sleep(0.5)
    assert len(viewer.frames) == stopped_at == live.frames_sent

    await live.close()
    await live.close()
    assert screencast_tasks() == []


async def test_it_sends_at_most_max_fps_frames_a_second(
    browser_session: BrowserSession, cast: CastFactory, page_server: Any
) -> None:
    await browser_session.goto(page_server.url("ticker.html"))  # repaints ten times a second
    viewer = Viewer()
    cast(browser_session, viewer, max_fps=4)

    await wait_until(lambda: len(viewer.frames) >= 5, "five frames")

    gaps = [later - earlier for earlier, later in pairwise(viewer.times)]
    assert min(gaps) >= 0.24, gaps


async def test_it_follows_the_agent_to_a_new_tab(
    browser_session: BrowserSession, cast: CastFactory, page_server: Any
) -> None:
    viewer = Viewer()
    live = cast(browser_session, viewer)
    first = browser_session.page
    await wait_until(lambda: live.active, "the start")

    tab = await browser_session.context.new_page()  # the session adopts it as its current page
    await tab.goto(page_server.url("ticker.html"))
    await first.close()  # the blank first tab could not send new frames anyway

    await wait_until(lambda: len(viewer.frames) >= 3, "frames from the new tab")
    assert browser_session.page is tab and live.active


@pytest.mark.parametrize("failing", ["new_cdp_session", "Page.startScreencast"])
async def test_a_failed_start_is_logged_and_tried_again(
    browser_session: BrowserSession,
    cast: CastFactory,
    page_server: Any,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    failing: str,
) -> None:
    """The first attempt fails at `failing`; the next tick starts the screencast after all."""
    await browser_session.goto(page_server.url("ticker.html"))
    context = browser_session.context
    real_new_cdp_session = context.new_cdp_session
    attempts: list[Any] = []
    detached: list[Any] = []

    async def flaky_new_cdp_session(page: Any) -> Any:
        attempts.append(page)
        if failing == "new_cdp_session" and len(attempts) == 1:
            raise PlaywrightError("Target page, context or browser has been closed")
        cdp = await real_new_cdp_session(page)
        if failing == "Page.startScreencast" and len(attempts) == 1:
            _fail_start_and_record_detach(monkeypatch, cdp, detached)
        return cdp

    monkeypatch.setattr(context, "new_cdp_session", flaky_new_cdp_session)
    viewer = Viewer()
    with caplog.at_level(logging.WARNING, logger="agent.browser.screencast"):
        cast(browser_session, viewer)
        await wait_until(lambda: len(viewer.frames) >= 2, "frames after the failed start")

    assert len(attempts) == 2
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "could not start" in warnings[0].getMessage()
    assert len(detached) == (1 if failing == "Page.startScreencast" else 0)  # no half-started session left


def _fail_start_and_record_detach(monkeypatch: pytest.MonkeyPatch, cdp: Any, detached: list[Any]) -> None:
    real_send, real_detach = cdp.send, cdp.detach

    async def send(method: str, params: dict[str, Any] | None = None) -> Any:
        if method == "Page.startScreencast":
            raise PlaywrightError("Protocol error (Page.startScreencast): Target closed")
        return await real_send(method, params)

    async def detach() -> None:
        detached.append(cdp)
        await real_detach()

    monkeypatch.setattr(cdp, "send", send)
    monkeypatch.setattr(cdp, "detach", detach)


async def test_a_failing_wanted_counts_as_nobody_watching_and_warns_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def wanted() -> bool:
        raise ConnectionError("Redis is down")

    live = Screencast(object(), wanted=wanted, send=Viewer().send, poll_seconds=POLL / 5)
    with caplog.at_level(logging.WARNING, logger="agent.browser.screencast"):
        live.start()
        await asyncio.sleep(POLL * 2)
        await live.close()

    assert not live.active
    assert [r.getMessage() for r in caplog.records] == ["asking whether the screencast is watched failed"]
