"""Abort browser requests that would reach private, loopback or metadata addresses, with a clear reason.

This is the friendly layer: it names what it blocked and why (navigation errors, `blocked_requests`). It
never sees redirect hops or name resolution; the egress proxy (agent.browser.egress) is what enforces.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from playwright.async_api import BrowserContext, Route, WebSocketRoute

from agent import netguard

log = logging.getLogger(__name__)


class NavigationBlocked(Exception):
    """A navigation was refused by the network guard; the message says why."""


@dataclass
class NetworkGuard:
    """Caches one verdict per host, because a page makes hundreds of requests to a few hosts."""

    allow: list[str]
    blocked: list[tuple[str, str]] = field(default_factory=list)
    _verdicts: dict[str, str | None] = field(default_factory=dict)

    async def reason(self, url: str) -> str | None:
        """None when allowed, else why not (DNS runs in a thread: it blocks)."""
        parts = urlsplit(url)
        key = f"{parts.scheme}://{parts.netloc}"  # the allow-list may name a port
        if key not in self._verdicts:
            self._verdicts[key] = await asyncio.to_thread(netguard.check_url, url, self.allow)
        return self._verdicts[key]

    async def check_navigation(self, url: str) -> None:
        why = await self.reason(url)
        if why:
            raise NavigationBlocked(f"navigation to {url} blocked: {why}")

    async def on_route(self, route: Route) -> None:
        url = route.request.url
        why = await self.reason(url)
        if why is None:
            await route.fallback()
            return
        self.blocked.append((url, why))
        log.info("blocked request to %s: %s", url, why)
        await route.abort("blockedbyclient")

    async def on_websocket(self, ws: WebSocketRoute) -> None:
        why = await self.reason(ws.url)
        if why is None:
            # Without handlers on either side Playwright relays messages as is.
            ws.connect_to_server()
            return
        self.blocked.append((ws.url, why))
        await ws.close(code=1008, reason="blocked by network policy")

    async def install(self, context: BrowserContext) -> None:
        await context.route("**/*", self.on_route)
        await context.route_web_socket("**/*", self.on_websocket)
