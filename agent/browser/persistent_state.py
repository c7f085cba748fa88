"""Put a saved browser state (Playwright's storage_state: cookies and per-origin localStorage) into a running
persistent browser, then open its first page. Used when a session starts from a profile made from a run.

Cookies go in through the default context (CDP Storage.setCookies under Playwright's add_cookies). Each
origin's localStorage is written on a throwaway page whose requests to that origin are answered locally with
an empty page, so restoring storage makes no request to the site.
"""

from __future__ import annotations

import asyncio
from typing import Any

EMPTY_PAGE = "<!doctype html><title>restoring</title>"


async def _apply(cdp_url: str, state: dict[str, Any], url: str | None) -> None:
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.connect_over_cdp(cdp_url, timeout=15_000)
        context = browser.contexts[0]
        cookies = [c for c in state.get("cookies") or [] if c.get("name") and c.get("domain")]
        if cookies:
            await context.add_cookies(cookies)
        origins = [o for o in state.get("origins") or [] if o.get("origin") and o.get("localStorage")]
        if origins:
            page = await context.new_page()
            await page.route("**/*", lambda route: route.fulfill(body=EMPTY_PAGE, content_type="text/html"))
            for entry in origins:
                await page.goto(entry["origin"])
                items = {item["name"]: item["value"] for item in entry["localStorage"]}
                await page.evaluate(
                    "(items) => { for (const k in items) localStorage.setItem(k, items[k]); }", items
                )
            await page.close()
        if url:
            pages = context.pages or [await context.new_page()]
            await pages[0].goto(url, wait_until="domcontentloaded")


def apply_storage_state(cdp_url: str, state: dict[str, Any], url: str | None = None) -> None:
    """Apply `state` to the browser at `cdp_url`, then open `url` on its first page (blocking)."""
    asyncio.run(_apply(cdp_url, state, url))
