"""Reaching a browser someone else runs (`browser_address`), without letting that address steer the worker.

Playwright, given an http:// address, fetches `/json/version` by name and then connects to whatever
WebSocket URL the answer names, and its errors quote the answer's first bytes. So the worker asks itself:
the address goes through netguard's strict parser and check, `/json/version` is fetched from the checked IP
(no redirects, a size cap), only the WebSocket *path* of the answer is kept, and Playwright connects to the
checked host and port. Every failure reads the same and quotes nothing the address sent.
"""

from __future__ import annotations

import asyncio
import logging
from urllib.parse import urlsplit

import httpx
from playwright.async_api import Browser, Playwright
from playwright.async_api import Error as PlaywrightError

from agent import netguard

log = logging.getLogger(__name__)
TIMEOUT_S = 10
MAX_ANSWER_BYTES = 64 * 1024
NOT_DEVTOOLS = "browser_address did not answer like a Chrome DevTools endpoint"


class BrowserUnavailable(Exception):
    """The browser at browser_address cannot be used; the message is safe to show."""


async def cdp_websocket_url(address: str, allow: list[str]) -> str:
    """The ws(s):// URL to connect to for `address` (http(s):// or ws(s)://), checked."""
    try:
        target, ip = await asyncio.to_thread(netguard.vet_url, address, allow, ("http", "https", "ws", "wss"))
    except netguard.UrlRefused as exc:
        raise BrowserUnavailable(f"browser_address refused: {exc}") from None
    if target.scheme in ("ws", "wss"):
        return _on_checked_host(target, ip, urlsplit(target.url).path or "/")
    path = await _debugger_path(target, ip)
    return _on_checked_host(target, ip, path)


async def _debugger_path(target: netguard.Target, ip: netguard.IPAddress) -> str:
    base = netguard.Target(
        url=target.url.rstrip("/") + "/json/version", scheme=target.scheme, host=target.host, port=target.port
    )
    url, headers, extensions = netguard.pinned(base, ip)
    try:
        async with httpx.AsyncClient(timeout=TIMEOUT_S, follow_redirects=False, trust_env=False) as client:
            async with client.stream("GET", url, headers=headers, extensions=extensions) as response:
                body = await _capped(response)
        debugger = httpx.Response(200, content=body).json().get("webSocketDebuggerUrl")
    except (httpx.HTTPError, ValueError, AttributeError) as exc:
        log.info("browser_address %s: %s", target.url, type(exc).__name__)
        raise BrowserUnavailable(NOT_DEVTOOLS) from None
    path = urlsplit(debugger).path if isinstance(debugger, str) else ""
    if not path.startswith("/devtools/"):
        raise BrowserUnavailable(NOT_DEVTOOLS)
    return path


async def _capped(response: httpx.Response) -> bytes:
    if response.status_code != 200:
        raise ValueError("not 200")
    body = b""
    async for chunk in response.aiter_bytes():
        body += chunk
        if len(body) > MAX_ANSWER_BYTES:
            raise ValueError("answer too large")
    return body


def _on_checked_host(target: netguard.Target, ip: netguard.IPAddress, path: str) -> str:
    # Chrome accepts a Host that is an IP, so plain ws:// goes to the checked address. wss:// needs the
    # name for TLS, which leaves a DNS-rebinding window there (README, known limits).
    secure = target.scheme in ("https", "wss")
    host = target.host if secure else str(ip)
    host = f"[{host}]" if ":" in host else host
    return f"{'wss' if secure else 'ws'}://{host}:{target.port}{path}"


async def connect_cdp(pw: Playwright, address: str, allow: list[str]) -> Browser:
    """Connect to the browser at `address`, or raise BrowserUnavailable with a message that quotes nothing."""
    endpoint = await cdp_websocket_url(address, allow)
    try:
        return await pw.chromium.connect_over_cdp(endpoint, timeout=TIMEOUT_S * 1000)
    except PlaywrightError as exc:
        log.info("browser_address %s: connection failed: %s", address, exc.message[:200])
        raise BrowserUnavailable("could not connect to the browser at browser_address") from None
