"""After an action the agent waits for the page's own events (agent/actions/settle.py), not a fixed time."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Route

from agent.actions.settle import QUIET_CAP_MS, settle_page
from agent.browser import BrowserSession
from tests.agent.test_actions import act, make_ctx, open_page, sk_id

pytestmark = pytest.mark.browser  # drives Chromium


async def test_a_keypress_waits_for_the_answer_its_request_brings(
    browser_session: BrowserSession, page_server: Any, tmp_path: Path
) -> None:
    page = await open_page(browser_session, page_server.url("settle.html"))

    async def slow_answer(route: Route) -> None:
        await asyncio.sleep(0.4)
        await route.fulfill(status=200, body="forty-two", content_type="text/plain")

    await page.route("**/settle-answer", slow_answer)
    ctx = make_ctx(browser_session, tmp_path)
    result = await act(ctx, action_type="keypress", id=await sk_id(page, "#query"), key="Enter")

    assert result.success
    assert await page.text_content("#answer") == "forty-two"


async def test_a_click_waits_until_the_page_stops_changing(
    browser_session: BrowserSession, page_server: Any, tmp_path: Path
) -> None:
    page = await open_page(browser_session, page_server.url("settle.html"))
    ctx = make_ctx(browser_session, tmp_path)

    result = await act(ctx, action_type="click", id=await sk_id(page, "#steps"))

    assert result.success
    assert await page.locator("#list li").count() == 8


async def test_a_page_that_never_stops_changing_does_not_hold_the_step(
    browser_session: BrowserSession, page_server: Any, tmp_path: Path
) -> None:
    page = await open_page(browser_session, page_server.url("settle.html"))
    ctx = make_ctx(browser_session, tmp_path)
    started = time.monotonic()

    result = await act(ctx, action_type="click", id=await sk_id(page, "#tick"))

    assert result.success
    assert time.monotonic() - started < QUIET_CAP_MS / 1000 + 1.5  # the cap, plus room for a loaded machine


async def test_a_static_page_settles_sooner_than_the_old_fixed_wait(
    browser_session: BrowserSession, page_server: Any
) -> None:
    page = await open_page(browser_session, page_server.url("settle.html"))
    timings = []
    for _ in range(5):
        started = time.perf_counter()
        await settle_page(page)
        timings.append(time.perf_counter() - started)

    assert min(timings) < 0.15  # the fixed sleep it replaces


async def test_a_scripted_animation_does_not_count_as_a_busy_page(
    browser_session: BrowserSession, page_server: Any
) -> None:
    page = await open_page(browser_session, page_server.url("settle.html"))
    await page.click("#slide")
    timings = []
    for _ in range(3):
        started = time.perf_counter()
        await settle_page(page)
        timings.append(time.perf_counter() - started)

    assert min(timings) < QUIET_CAP_MS / 1000  # quiet well before the cap for busy pages
