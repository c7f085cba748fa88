"""Shared fixtures for agent tests: a local page server and one Chromium for the whole session.

Every async test under tests/agent runs in the session event loop (see pytest_collection_modifyitems),
because the shared browser lives there. Async fixtures that touch it must say loop_scope="session".
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import pytest_asyncio
from playwright.async_api import Browser, Page, Playwright, async_playwright
from pytest_asyncio import is_async_test

from agent.browser import BrowserConfig, BrowserSession, ensure_ffmpeg, new_session
from agent.browser.config import LAUNCH_ARGS
from tests.support.http import LocalServer, QuietHandler

PAGES_DIR = Path(__file__).parent / "pages"
TESTS_DIR = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    session_loop = pytest.mark.asyncio(loop_scope="session")
    for item in items:
        if is_async_test(item) and TESTS_DIR in Path(str(item.path)).parents:
            item.add_marker(session_loop, append=False)


@dataclass
class PageServer:
    """A static server for tests/agent/pages on 127.0.0.1, plus two helper routes:

    - /download/<name>: a small file sent with Content-Disposition: attachment
    - /echo: a page printing the request's headers as JSON inside <pre id="headers">
    """

    base_url: str
    requests: list[dict[str, Any]] = field(default_factory=list)

    def url(self, path: str = "") -> str:
        return f"{self.base_url}/{path.lstrip('/')}"


def _handler(server_state: PageServer) -> type[SimpleHTTPRequestHandler]:
    class Handler(QuietHandler, SimpleHTTPRequestHandler):  # quiet: tests read server.requests instead
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, directory=str(PAGES_DIR), **kwargs)

        def _send(self, body: bytes, content_type: str, extra: dict[str, str] | None = None) -> None:
            self.send_body(200, body, content_type, extra)

        def do_GET(self) -> None:
            path = urlsplit(self.path).path
            server_state.requests.append({"path": self.path, "headers": dict(self.headers.items())})
            if path.startswith("/download/"):
                name = path.rsplit("/", 1)[1]
                disposition = {"Content-Disposition": f'attachment; filename="{name}"'}
                self._send(b"id,total\n1,42\n", "text/csv", disposition)
            elif path == "/echo":
                headers = json.dumps(dict(self.headers.items()), indent=1)
                self._send(f'<pre id="headers">{headers}</pre>'.encode(), "text/html; charset=utf-8")
            else:
                super().do_GET()

    return Handler


@pytest.fixture(scope="session")
def page_server() -> Iterator[PageServer]:
    """Serves tests/agent/pages at `page_server.url("form.html")`; `page_server.requests` logs requests."""
    state = PageServer(base_url="")
    with LocalServer(_handler(state), name="page-server") as server:
        state.base_url = server.url
        yield state


@pytest_asyncio.fixture(loop_scope="session", scope="session")
async def playwright_driver() -> AsyncIterator[Playwright]:
    ensure_ffmpeg()  # before the driver starts, so make_session(record_video=True) works too
    async with async_playwright() as pw:
        yield pw


@pytest_asyncio.fixture(loop_scope="session", scope="session")
async def browser(playwright_driver: Playwright) -> AsyncIterator[Browser]:
    """One headless Chromium shared by every test; each test gets its own context."""
    chromium = await playwright_driver.chromium.launch(
        executable_path=BrowserConfig().chromium_path, headless=True, args=list(LAUNCH_ARGS)
    )
    yield chromium
    await chromium.close()


@pytest.fixture
def launcher(browser: Browser) -> Callable[[BrowserConfig], Any]:
    """For run_agent(launcher=...): runs get a fresh context on the session's shared Chromium instead of
    launching their own."""

    @asynccontextmanager
    async def launch(config: BrowserConfig) -> AsyncIterator[BrowserSession]:
        session = await new_session(browser, config)
        try:
            yield session
        finally:
            await session.close()

    return launch


@pytest.fixture
def browser_config(tmp_path: Path) -> BrowserConfig:
    """A config for a test run: run_dir in tmp_path, the local page server allowed."""
    return BrowserConfig(run_dir=tmp_path / "run", allow_private_hosts=["127.0.0.1"])


SessionFactory = Callable[..., Awaitable[BrowserSession]]


@pytest_asyncio.fixture(loop_scope="session")
async def make_session(browser: Browser, browser_config: BrowserConfig) -> AsyncIterator[SessionFactory]:
    """`await make_session(user_agent="x")`: a session on the shared browser with config overrides."""
    opened: list[BrowserSession] = []

    async def make(**overrides: Any) -> BrowserSession:
        config = BrowserConfig.model_validate({**browser_config.model_dump(), **overrides})
        session = await new_session(browser, config)
        opened.append(session)
        return session

    yield make
    for session in opened:
        await session.close()


@pytest_asyncio.fixture(loop_scope="session")
async def browser_session(make_session: SessionFactory) -> BrowserSession:
    """A BrowserSession (fresh context, network guard allowing 127.0.0.1) on the shared browser."""
    return await make_session()


@pytest_asyncio.fixture(loop_scope="session")
async def page(browser_session: BrowserSession) -> Page:
    """The current page of `browser_session`."""
    return browser_session.page
