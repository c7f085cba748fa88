"""The browser session against real Chromium: guard, downloads, video, headers, tabs and CDP."""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterator

import httpx
import pytest
from playwright.async_api import Error as PlaywrightError

from agent.browser import (
    BrowserConfig,
    NavigationBlocked,
    ensure_ffmpeg,
    open_browser,
    proxy_settings,
    timezone_for_location,
)
from agent.browser.config import LAUNCH_ARGS
from agent.browser.media import ffmpeg_revision
from agent.dom import snapshot

pytestmark = pytest.mark.browser  # drives Chromium


async def test_it_saves_a_download_under_its_suggested_filename(browser_session, page_server):
    await browser_session.goto(page_server.url("download.html"))

    await browser_session.page.click("#report")
    saved = await browser_session.wait_downloads(timeout=10, at_least=1)

    assert [p.name for p in saved] == ["report.csv"]
    assert saved[0].parent == browser_session.config.run_dir / "downloads"
    assert saved[0].read_text() == "id,total\n1,42\n"


async def test_it_sends_extra_headers_and_the_configured_user_agent(make_session, page_server):
    session = await make_session(extra_http_headers={"X-Run-Id": "run-42"}, user_agent="SkyAgent/1.0 (test)")

    await session.goto(page_server.url("echo?probe=headers"))

    headers = next(r["headers"] for r in page_server.requests if r["path"] == "/echo?probe=headers")
    assert headers["X-Run-Id"] == "run-42"
    assert headers["User-Agent"] == "SkyAgent/1.0 (test)"
    assert await session.page.evaluate("navigator.userAgent") == "SkyAgent/1.0 (test)"


async def test_it_blocks_a_private_host_that_is_not_allowed(make_session, page_server):
    session = await make_session(allow_private_hosts=[])
    url = page_server.url("form.html?probe=blocked")

    with pytest.raises(NavigationBlocked, match="private"):
        await session.goto(url)
    with pytest.raises(PlaywrightError, match="ERR_BLOCKED_BY_CLIENT"):
        await session.page.goto(url)

    assert not any(r["path"] == "/form.html?probe=blocked" for r in page_server.requests)
    assert session.blocked_requests[0][0] == url


async def test_it_blocks_private_subresources_of_a_public_page(make_session, page_server):
    session = await make_session(allow_private_hosts=[])
    image = page_server.url("pixel.png?probe=subresource")

    await session.page.set_content(f'<img src="{image}">', wait_until="load")

    assert [url for url, _ in session.blocked_requests] == [image]


async def test_it_follows_a_tab_opened_by_a_click(browser_session, page_server):
    await browser_session.goto(page_server.url("download.html"))
    first = browser_session.page
    await first.set_content(f'<a target="_blank" href="{page_server.url("form.html")}">open</a>')

    async with browser_session.context.expect_page() as opened:
        await first.click("a")
    new_tab = await opened.value
    await new_tab.wait_for_load_state()

    assert browser_session.page is new_tab and new_tab.url.endswith("form.html")
    await new_tab.close()
    assert browser_session.page is first


async def test_it_applies_the_time_zone_and_takes_screenshots(make_session):
    session = await make_session(timezone_id=timezone_for_location("RESIDENTIAL_DE"), locale="de-DE")

    zone = await session.page.evaluate("Intl.DateTimeFormat().resolvedOptions().timeZone")
    png = await session.screenshot()

    assert zone == "Europe/Berlin"
    assert png.startswith(b"\x89PNG")


async def test_it_records_a_video_of_the_run(tmp_path, page_server):
    config = BrowserConfig(run_dir=tmp_path, record_video=True, allow_private_hosts=["127.0.0.1"])

    async with open_browser(config) as session:
        await session.goto(page_server.url("form.html"))
        await session.page.fill("#name", "Jane")
        await session.page.wait_for_timeout(300)
        assert session.video_path is None  # only known once the context is closed

    assert session.video_path is not None and session.video_path.suffix == ".webm"
    assert session.video_path.parent == tmp_path / "video"
    assert session.video_path.stat().st_size > 1000


def test_ensure_ffmpeg_links_the_system_ffmpeg_once(tmp_path, monkeypatch):
    monkeypatch.setenv("PLAYWRIGHT_BROWSERS_PATH", str(tmp_path))

    link = ensure_ffmpeg("/usr/bin/ffmpeg")
    again = ensure_ffmpeg("/usr/bin/ffmpeg")

    assert link == again == tmp_path / f"ffmpeg-{ffmpeg_revision()}" / "ffmpeg-linux"
    assert os.readlink(link) == "/usr/bin/ffmpeg"


@pytest.fixture
def cdp_chromium(tmp_path) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """A Chromium that is not ours: started by hand with a DevTools port, killed by its PID."""
    profile = tmp_path / "cdp-profile"
    args = [BrowserConfig().chromium_path, "--headless", "--remote-debugging-port=0",
            "--remote-debugging-address=127.0.0.1", f"--user-data-dir={profile}", *LAUNCH_ARGS, "about:blank"]  # fmt: skip
    proc = subprocess.Popen(args, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL)
    try:
        yield proc, _devtools_url(proc)
    finally:
        proc.kill()
        proc.wait(timeout=10)


def _devtools_url(proc: subprocess.Popen[bytes]) -> str:
    assert proc.stderr is not None
    for _ in range(200):
        line = proc.stderr.readline().decode(errors="replace")
        match = re.search(r"DevTools listening on (ws://\S+)", line)
        if match:
            return match.group(1)
    raise RuntimeError("Chromium did not print its DevTools address")


async def test_it_connects_over_cdp_and_leaves_that_browser_running(cdp_chromium, tmp_path, page_server):
    proc, ws_url = cdp_chromium
    config = BrowserConfig(
        browser_address=ws_url, run_dir=tmp_path / "run", allow_private_hosts=["127.0.0.1"]
    )

    async with open_browser(config) as session:
        await session.goto(page_server.url("form.html"))
        assert any(e.name == "Submit" for e in (await snapshot(session.page)).elements)

    assert proc.poll() is None
    port = re.search(r":(\d+)/", ws_url).group(1)
    async with httpx.AsyncClient() as client:
        version = (await client.get(f"http://127.0.0.1:{port}/json/version")).json()
    assert "Browser" in version


def test_proxy_url_becomes_playwright_proxy_settings():
    assert proxy_settings("http://user%40x:p%3Ass@proxy.example:8080") == {
        "server": "http://proxy.example:8080",
        "username": "user@x",
        "password": "p:ss",
    }
    assert proxy_settings("socks5://10.0.0.1:1080") == {"server": "socks5://10.0.0.1:1080"}
    assert proxy_settings(None) is None


@pytest.mark.parametrize(
    ("location", "zone"),
    [
        ("RESIDENTIAL", "America/New_York"),
        ("RESIDENTIAL_GB", "Europe/London"),
        ("RESIDENTIAL_JP", "Asia/Tokyo"),
        ("RESIDENTIAL_ISP", "America/New_York"),
        ("US-CA", "America/Los_Angeles"),
        ("US-TX", "America/Chicago"),
        ("NONE", None),
        (None, None),
        ({"country": "US", "subdivision": "WA"}, "America/Los_Angeles"),
        ({"country": "AU"}, "Australia/Sydney"),
        ("RESIDENTIAL_XX", None),
    ],
)
def test_it_maps_proxy_locations_to_time_zones(location, zone):
    assert timezone_for_location(location) == zone
