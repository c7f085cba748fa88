"""Handlers that act on the page as a whole: scroll, keypress, wait, goto_url, reload_page, go_back."""

from __future__ import annotations

import asyncio

from agent import netguard
from agent.actions.base import (
    ACTION_TIMEOUT_MS,
    NAVIGATION_TIMEOUT_MS,
    ActionContext,
    handler,
    locate,
    settle,
)
from agent.actions.keys import normalize_key
from agent.schemas import ActionResult, PlannedAction

DEFAULT_WAIT_S = 2.0


@handler("scroll")
async def scroll(ctx: ActionContext, action: PlannedAction) -> ActionResult:
    """Scroll by most of a screen (page or container) so some context stays visible."""
    sign = -1 if action.direction == "up" else 1
    if action.id:
        locator = await locate(ctx, action.id)
        position = await locator.evaluate(
            "(el, s) => { el.scrollBy(0, s * el.clientHeight * 0.8); return el.scrollTop; }", sign
        )
    else:
        position = await ctx.page.evaluate(_SCROLL_PAGE, sign)
    return ActionResult.ok(data={"scroll_top": position})


# A page whose window does not move that way (an app whose content scrolls inside a box, a feed in a panel)
# scrolls its largest box on screen that can, as the wheel over it would.
_SCROLL_PAGE = """s => {
  const y = window.scrollY;
  window.scrollBy(0, s * window.innerHeight * 0.8);
  if (window.scrollY !== y) return window.scrollY;
  let best = null, most = 0;
  for (const el of document.body ? document.body.querySelectorAll('*') : []) {
    if (el.scrollHeight <= el.clientHeight + 1) continue;
    const free = s > 0 ? el.scrollHeight - el.clientHeight - el.scrollTop > 1 : el.scrollTop > 0;
    if (!free || !/(auto|scroll)/.test(getComputedStyle(el).overflowY)) continue;
    const r = el.getBoundingClientRect();
    const seen = Math.max(0, Math.min(r.right, innerWidth) - Math.max(r.left, 0)) *
      Math.max(0, Math.min(r.bottom, innerHeight) - Math.max(r.top, 0));
    if (seen > most) { best = el; most = seen; }
  }
  if (!best) return window.scrollY;
  best.scrollBy(0, s * best.clientHeight * 0.8);
  return best.scrollTop;
}"""


# Keys go to the element when it takes focus, else to the first part of it that does: a slider's handle
# inside the track the model names, a widget's inner field. Without one, focus stays where it was.
_FOCUS_PART = """el => {
  const takes = (n) => n.tabIndex >= 0 || n.hasAttribute('tabindex') || n.isContentEditable;
  if (takes(el)) return false;
  const parts = el.querySelectorAll('[tabindex], a[href], button, input, select, textarea, [contenteditable]');
  const part = [...parts].find((n) => takes(n) && !n.disabled);
  if (part) part.focus();
  return !!part;
}"""


@handler("keypress")
async def keypress(ctx: ActionContext, action: PlannedAction) -> ActionResult:
    key = normalize_key(action.key or "")
    if action.id:
        locator = await locate(ctx, action.id)
        if await locator.evaluate(_FOCUS_PART, timeout=ACTION_TIMEOUT_MS):
            await ctx.page.keyboard.press(key)
        else:
            await locator.press(key, timeout=ACTION_TIMEOUT_MS)
    else:
        await ctx.page.keyboard.press(key)
    await settle(ctx.page)
    return ActionResult.ok()


@handler("wait")
async def wait(ctx: ActionContext, action: PlannedAction) -> ActionResult:
    await asyncio.sleep(action.seconds if action.seconds is not None else DEFAULT_WAIT_S)
    return ActionResult.ok()


def _with_scheme(url: str) -> str:
    return url if "://" in url or url.startswith(("about:", "data:")) else f"https://{url}"


@handler("goto_url")
async def goto_url(ctx: ActionContext, action: PlannedAction) -> ActionResult:
    url = _with_scheme((action.url or "").strip())
    # The browser's router would block it too, but with a vaguer net:: error.
    why = await asyncio.to_thread(netguard.check_url, url, ctx.allow_hosts)
    if why:
        return ActionResult.fail("navigation_blocked", f"navigation to {url} blocked: {why}")
    response = await ctx.page.goto(url, wait_until="domcontentloaded", timeout=NAVIGATION_TIMEOUT_MS)
    return ActionResult.ok(data={"status": response.status if response else None})


@handler("reload_page")
async def reload_page(ctx: ActionContext, action: PlannedAction) -> ActionResult:
    await ctx.page.reload(wait_until="domcontentloaded", timeout=NAVIGATION_TIMEOUT_MS)
    return ActionResult.ok()


@handler("go_back")
async def go_back(ctx: ActionContext, action: PlannedAction) -> ActionResult:
    before = ctx.page.url
    response = await ctx.page.go_back(wait_until="domcontentloaded", timeout=NAVIGATION_TIMEOUT_MS)
    # None also means a same-document step back (a #hash), which changes the URL.
    if response is None and ctx.page.url == before:
        return ActionResult.fail("no_history", "there is no previous page to go back to")
    return ActionResult.ok()
