"""A persistent browser (agent.browser.persistent) and runs that drive it over CDP (BrowserConfig.session_cdp_url)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from agent.browser import BrowserConfig, open_browser
from agent.browser.persistent import (
    PersistentSpec,
    launch_persistent,
    page_screenshot,
    process_alive,
    stop_persistent,
)

pytestmark = pytest.mark.browser


@pytest.fixture
def persistent(tmp_path: Path, page_server):
    spec = PersistentSpec(
        user_data_dir=tmp_path / "profile",
        url=page_server.url("form.html"),
        allow_private_hosts=["127.0.0.1"],
    )
    browser = launch_persistent(spec)
    yield spec, browser
    stop_persistent(browser.pid)


def test_two_runs_drive_the_same_page_and_leave_it_open(persistent, page_server, tmp_path):
    _, browser = persistent
    cdp = f"http://127.0.0.1:{browser.port}"
    config = BrowserConfig(session_cdp_url=cdp, run_dir=tmp_path / "run", allow_private_hosts=["127.0.0.1"])

    async def runs() -> tuple[str, str, int]:
        async with open_browser(config) as first:
            start = first.page.url
            await first.page.evaluate("document.title = 'left by the first run'")
        async with open_browser(config) as second:
            return start, await second.page.title(), len(second.context.pages)

    start, title, pages = asyncio.run(runs())
    assert start.endswith("/form.html")
    assert (title, pages) == ("left by the first run", 1)  # same context, same page, still open
    assert page_screenshot(cdp).startswith(b"\xff\xd8")  # a JPEG of that page
    assert process_alive(browser.pid)


def test_stopping_ends_the_browser_and_keeps_its_cookies(persistent, tmp_path):
    spec, browser = persistent
    cdp = f"http://127.0.0.1:{browser.port}"
    config = BrowserConfig(session_cdp_url=cdp, run_dir=tmp_path / "run", allow_private_hosts=["127.0.0.1"])

    async def set_cookie() -> None:
        async with open_browser(config) as session:
            await session.page.evaluate("document.cookie = 'kept=yes; max-age=3600'")

    asyncio.run(set_cookie())
    assert stop_persistent(browser.pid, cdp_url=cdp)
    assert not process_alive(browser.pid)
    again = launch_persistent(spec)
    try:
        config = config.model_copy(update={"session_cdp_url": f"http://127.0.0.1:{again.port}"})

        async def cookies() -> list[str]:
            async with open_browser(config) as session:
                return [c["name"] for c in await session.context.cookies()]

        assert "kept" in asyncio.run(cookies())
    finally:
        stop_persistent(again.pid)
