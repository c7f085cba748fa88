"""One run's browser: a Playwright context with its pages, downloads, video and network guard."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from playwright.async_api import Browser, BrowserContext, Download, Page, Playwright, async_playwright
from playwright.async_api import Error as PlaywrightError

from agent.browser.cdp import connect_cdp
from agent.browser.config import LAUNCH_ARGS, BrowserConfig, context_options
from agent.browser.egress import egress_url_for
from agent.browser.guard import NetworkGuard
from agent.browser.images import ImageLoads
from agent.browser.media import ensure_ffmpeg
from agent.browser.own_browser import connect_own_browser

log = logging.getLogger(__name__)
UNSAFE_FILENAME = re.compile(r"[/\\\x00-\x1f]")
# The context's cookies and storage at the end of a run (Playwright's storage_state), written into run_dir
# for the host to keep privately (a browser profile from a finished run). It holds session cookies: never
# an artifact, a log line or a prompt.
STORAGE_STATE_FILE = "storage_state.json"


def unique_path(folder: Path, filename: str) -> Path:
    """`folder/filename`, or `name (2).ext` and so on when taken; never escapes `folder`."""
    name = UNSAFE_FILENAME.sub("_", filename).lstrip(".") or "download"
    candidate = folder / name
    stem, suffix = Path(name).stem, Path(name).suffix
    counter = 2
    while candidate.exists():
        candidate = folder / f"{stem} ({counter}){suffix}"
        counter += 1
    return candidate


class BrowserSession:
    """What the agent drives. `page` follows new tabs: the most recently opened open page."""

    def __init__(self, config: BrowserConfig, context: BrowserContext, guard: NetworkGuard) -> None:
        self.config = config
        self.context = context
        self.guard = guard
        self.downloads: list[Path] = []
        self.video_path: Path | None = None
        self.video_paths: list[Path] = []
        self._pages: list[Page] = []
        self._pending: set[asyncio.Task[None]] = set()
        self._images: dict[Page, ImageLoads] = {}

    @property
    def page(self) -> Page:
        open_pages = [p for p in self._pages if not p.is_closed()]
        if not open_pages:
            raise RuntimeError("the browser session has no open page")
        return open_pages[-1]

    @property
    def blocked_requests(self) -> list[tuple[str, str]]:
        """(url, reason) for every request the network guard refused."""
        return self.guard.blocked

    async def start(self) -> None:
        self.context.on("page", self._adopt)
        for page in self.context.pages:
            self._adopt(page)
        if not self._pages:
            await self.context.new_page()  # _adopt runs from the "page" event

    def _adopt(self, page: Page) -> None:
        if page in self._pages:
            return
        self._pages.append(page)
        self._images[page] = ImageLoads(page)
        page.on("close", lambda closed: self._images.pop(closed, None))
        page.on("download", self._on_download)

    def _on_download(self, download: Download) -> None:
        task = asyncio.get_running_loop().create_task(self._save(download))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def _save(self, download: Download) -> None:
        folder = self.config.downloads_dir
        folder.mkdir(parents=True, exist_ok=True)
        path = unique_path(folder, download.suggested_filename)
        try:
            await download.save_as(path)
        except Exception as exc:  # a failed download must not kill the run; the agent sees it missing
            log.warning("download of %s failed: %s", download.url, exc)
            return
        self.downloads.append(path)

    async def wait_downloads(self, timeout: float = 60, at_least: int = 0) -> list[Path]:
        """Wait until every download started so far is on disk; returns all saved paths.

        `at_least` waits (within `timeout`) for that many downloads to have started: a click returns before
        Chromium reports the download it triggered, and a loaded machine widens that gap.
        """
        deadline = asyncio.get_running_loop().time() + timeout
        while (
            len(self.downloads) + len(self._pending) < at_least
            and asyncio.get_running_loop().time() < deadline
        ):
            await asyncio.sleep(0.05)
        if self._pending:
            await asyncio.wait(set(self._pending), timeout=timeout)
        return list(self.downloads)

    async def images_loaded(self) -> None:
        """Wait (briefly, see agent/browser/images.py) for the current page's pictures to arrive."""
        images = self._images.get(self.page)
        if images is not None:
            await images.loaded()

    async def goto(self, url: str, **kwargs: Any) -> Any:
        """Navigate the current page, refusing private hosts with NavigationBlocked (a clear message)."""
        await self.guard.check_navigation(url)
        return await self.page.goto(url, **kwargs)

    async def screenshot(self, full_page: bool = False) -> bytes:
        # caret="initial": hiding the caret would make Playwright write a style on every input of the page and
        # put it back, which costs time on a big form and reads as the page changing (agent/dom/quiet.py).
        return await self.page.screenshot(full_page=full_page, type="png", caret="initial")

    async def close(self) -> None:
        """Close our context (which finalises videos); a browser we connected to stays up."""
        await self.wait_downloads(timeout=30)
        try:
            await self.context.storage_state(path=self.config.run_dir / STORAGE_STATE_FILE)
        except Exception as exc:  # noqa: BLE001 - a crashed browser has no state to keep
            log.info("the browser's storage state could not be read: %s", type(exc).__name__)
        if self.config.session_cdp_url:  # a persistent session's context and pages outlive the run
            return
        videos = [page.video for page in self._pages if page.video]
        try:
            await self.context.close()
        except PlaywrightError as exc:  # the browser crashed or the CDP peer went away: nothing to close
            log.warning("closing the browser context failed: %s", exc)
        for video in videos:
            try:
                self.video_paths.append(Path(await video.path()))
            except Exception as exc:
                log.warning("video unavailable: %s", exc)
        self.video_path = next((p for p in self.video_paths if p.exists() and p.stat().st_size), None)


async def _browser(pw: Playwright, config: BrowserConfig) -> Browser:
    if config.session_cdp_url:
        return await pw.chromium.connect_over_cdp(config.session_cdp_url, timeout=15_000)
    if config.browser_address:
        return await connect_cdp(pw, config.browser_address, config.allow_private_hosts)
    if config.own_browser is not None:
        return await connect_own_browser(pw, config.own_browser)
    return await pw.chromium.launch(
        executable_path=config.chromium_path,
        headless=config.headless,
        args=[*LAUNCH_ARGS, *config.extra_args],
    )


async def new_session(browser: Browser, config: BrowserConfig) -> BrowserSession:
    """A session in a fresh context of an already running browser (tests share one browser)."""
    config.run_dir.mkdir(parents=True, exist_ok=True)
    if config.session_cdp_url and browser.contexts:
        # Its proxy was set when it was launched; context options cannot change an existing context.
        context = browser.contexts[0]
    else:
        egress_url = await asyncio.to_thread(egress_url_for, config)
        context = await browser.new_context(**context_options(config, egress_url))
    context.set_default_timeout(config.default_timeout_ms)
    guard = NetworkGuard(allow=list(config.allow_private_hosts))
    await guard.install(context)
    session = BrowserSession(config, context, guard)
    await session.start()
    return session


@asynccontextmanager
async def open_browser(config: BrowserConfig) -> AsyncIterator[BrowserSession]:
    """Launch (or connect to) Chromium and yield a session; on exit close only what we opened."""
    if config.record_video:
        ensure_ffmpeg()
    async with async_playwright() as pw:
        browser = await _browser(pw, config)
        try:
            session = await new_session(browser, config)
            try:
                yield session
            finally:
                await session.close()
        finally:
            # A CDP browser belongs to someone else: leaving async_playwright only disconnects.
            if not (config.browser_address or config.own_browser or config.session_cdp_url):
                await browser.close()
