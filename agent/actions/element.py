"""Handlers that act on one element: click, hover, checkbox, input_text."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from typing import Any

from playwright.async_api import Locator, Page, Request, Response
from playwright.async_api import TimeoutError as PlaywrightTimeoutError

from agent.actions.base import ACTION_TIMEOUT_MS, ActionContext, element_kind, handler, locate, settle
from agent.actions.options import click_matching_option, document_root, visible_options
from agent.actions.typed_values import FORMATTED_TYPES, ValueFormatError, canonical, same_value
from agent.prompts import TOTP_PLACEHOLDER
from agent.schemas import ActionResult, PlannedAction

# The longest a click waits for a download it can start (a[download], an attachment response)...
DOWNLOAD_MAX_WAIT_S = 5.0
# ...and how long after a navigation was aborted, which is how Chromium ends one that became a download.
ABORTED_NAVIGATION_WAIT_S = 1.0
# Typing longer texts key by key is slow and gains nothing: autocompletes react to short queries.
TYPE_KEYS_UP_TO = 80
SUGGESTION_POLLS = 6


class _DownloadWatch:
    """Listens to one page while an action runs and tells whether it started a download.

    It waits only while a download is likely, from the browser's own events: the clicked link has a
    `download` attribute, a response came with `Content-Disposition: attachment`, a navigation is still
    unanswered, or one was just aborted (Chromium aborts a navigation that turned into a download).
    A click that starts none of these costs no wait at all.
    """

    def __init__(self, page: Page, downloads: list[Any], expected: bool) -> None:
        self.page = page
        self.downloads = downloads
        self.before = len(downloads)
        self.started = asyncio.Event()
        self.pending: set[Request] = set()
        self.expect_until = _now() + DOWNLOAD_MAX_WAIT_S if expected else 0.0
        self.listeners: dict[str, Callable[[Any], None]] = {
            "download": lambda _download: self.started.set(),
            "request": self._on_request,
            "response": self._on_response,
            "requestfinished": self._on_done,
            "requestfailed": self._on_failed,
        }

    def _expect(self, seconds: float) -> None:
        self.expect_until = max(self.expect_until, _now() + seconds)

    def _on_request(self, request: Request) -> None:
        if request.is_navigation_request():
            self.pending.add(request)

    def _on_response(self, response: Response) -> None:
        if "attachment" in (response.headers.get("content-disposition") or "").lower():
            self._expect(DOWNLOAD_MAX_WAIT_S)

    def _on_done(self, request: Request) -> None:
        self.pending.discard(request)

    def _on_failed(self, request: Request) -> None:
        if request in self.pending:
            self._expect(ABORTED_NAVIGATION_WAIT_S)
        self.pending.discard(request)

    def triggered(self) -> bool:
        return self.started.is_set() or len(self.downloads) > self.before

    async def wait(self) -> None:
        give_up = _now() + DOWNLOAD_MAX_WAIT_S
        while not self.triggered():
            now = _now()
            if now >= give_up or (now >= self.expect_until and not self.pending):
                return
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.started.wait(), 0.05)


def _now() -> float:
    return asyncio.get_running_loop().time()


@contextlib.asynccontextmanager
async def watch_downloads(ctx: ActionContext, expected: bool = False) -> AsyncIterator[Callable[[], bool]]:
    """Yield a check telling whether a download started while the block ran (or, if one is on its
    way, soon after it). `expected`: the action is known to start one (a link with `download`)."""
    watch = _DownloadWatch(ctx.page, ctx.session.downloads, expected)
    for event, listener in watch.listeners.items():
        watch.page.on(event, listener)
    try:
        yield watch.triggered
        await watch.wait()
    finally:
        for event, listener in watch.listeners.items():
            watch.page.remove_listener(event, listener)


async def _click(locator: Locator) -> None:
    try:
        await locator.click(timeout=ACTION_TIMEOUT_MS)
    except PlaywrightTimeoutError:
        # Usually an overlay intercepts the pointer or the element never stops animating; a DOM
        # click still reaches the element's own handlers.
        await locator.evaluate("el => el.click()", timeout=ACTION_TIMEOUT_MS)


@handler("click")
async def click(ctx: ActionContext, action: PlannedAction) -> ActionResult:
    locator = await locate(ctx, action.id)
    expected = await locator.evaluate("el => !!el.closest('a[download]')", timeout=ACTION_TIMEOUT_MS)
    async with watch_downloads(ctx, expected) as download_started:
        await _click(locator)
        await settle(ctx.page)
    return ActionResult.ok(download_triggered=download_started())


@handler("hover")
async def hover(ctx: ActionContext, action: PlannedAction) -> ActionResult:
    locator = await locate(ctx, action.id)
    await locator.hover(timeout=ACTION_TIMEOUT_MS)
    return ActionResult.ok()


async def _is_checked(locator: Locator) -> bool:
    # The snapshot may have tagged the <label> of a visually hidden input: read its control then.
    return await locator.evaluate(
        """el => {
          const box = el.matches('input') ? el
            : (el.control || el.querySelector('input[type=checkbox], input[type=radio]'));
          return box ? box.checked : el.getAttribute('aria-checked') === 'true';
        }"""
    )


@handler("checkbox")
async def checkbox(ctx: ActionContext, action: PlannedAction) -> ActionResult:
    locator = await locate(ctx, action.id)
    wanted = bool(action.is_checked)
    if await locator.is_visible():
        await locator.set_checked(wanted, timeout=ACTION_TIMEOUT_MS)
    elif await _is_checked(locator) != wanted:
        # Styled checkboxes hide the real input behind a label; a DOM click toggles it and fires events.
        await locator.evaluate("el => el.click()")
    if await _is_checked(locator) != wanted:
        return ActionResult.fail(
            "value_not_set", f"the checkbox did not become {'checked' if wanted else 'unchecked'}"
        )
    return ActionResult.ok()


async def _resolve_text(ctx: ActionContext, text: str) -> str | None:
    """Replace the one-time-code placeholder with a fresh code; None when no code can be had."""
    if TOTP_PLACEHOLDER not in text:
        return text
    code = await ctx.totp_code() if ctx.totp_code else None
    return text.replace(TOTP_PLACEHOLDER, code) if code else None


async def _value(locator: Locator) -> str | None:
    try:
        return await locator.input_value(timeout=1_000)
    except Exception:  # contenteditable and other non-inputs have no value to compare
        return None


@handler("input_text")
async def input_text(ctx: ActionContext, action: PlannedAction) -> ActionResult:
    locator = await locate(ctx, action.id)
    text = await _resolve_text(ctx, action.text or "")
    if text is None:
        return ActionResult.fail("totp_unavailable", "a one-time code was requested but none is available")
    kind = await element_kind(locator)
    if kind["tag"] == "select":
        return ActionResult.fail("wrong_element", "this is a <select>: use select_option")
    if kind["tag"] == "input" and kind["type"] in FORMATTED_TYPES:
        return await _input_formatted(locator, kind["type"], text)
    root = await document_root(locator, ctx.page)
    options_before = len((await visible_options(root, kind["controls"]))[1])
    await locator.fill("", timeout=ACTION_TIMEOUT_MS)
    if len(text) <= TYPE_KEYS_UP_TO:
        await locator.press_sequentially(text, delay=10, timeout=ACTION_TIMEOUT_MS)
    else:
        await locator.fill(text, timeout=ACTION_TIMEOUT_MS)
    picked = await _pick_suggestion(locator, root, kind, text, options_before)
    if picked:
        return ActionResult.ok(data={"suggestion": picked})
    if await _value(locator) not in (None, text):
        # Key handlers (masks, debounced listeners) sometimes drop characters; set the value outright.
        await locator.fill(text, timeout=ACTION_TIMEOUT_MS)
    value = await _value(locator)
    if value is not None and not _same_text(value, text):
        return ActionResult.fail("value_not_set", f"the field shows {value!r} instead of {text!r}")
    return ActionResult.ok()


def _same_text(value: str, text: str) -> bool:
    # Input masks add their own separators ("5551234567" shows as "(555) 123-4567"): compare what is typed.
    def typed(s: str) -> str:
        return "".join(ch for ch in s.casefold() if ch.isalnum())

    return value == text or typed(value) == typed(text)


# Sets the value the way a user's edit does: through the native setter (so frameworks that track the
# value see a change), then input and change events. Colours are first resolved to #rrggbb by the browser.
_SET_FORMATTED = """(el, [type, value]) => {
  if (el.disabled || el.readOnly) return {blocked: el.disabled ? 'disabled' : 'read-only'};
  if (type === 'color' && value) {
    const probe = document.createElement('canvas').getContext('2d');
    probe.fillStyle = '#010203'; probe.fillStyle = value;
    const resolved = probe.fillStyle;
    if (resolved === '#010203' && value.replace(/\\s/g, '').toLowerCase() !== '#010203') return {bad: true};
    if (!/^#[0-9a-f]{6}$/.test(resolved)) return {bad: true};
    value = resolved;
  }
  el.focus();
  Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set.call(el, value);
  el.dispatchEvent(new Event('input', {bubbles: true}));
  el.dispatchEvent(new Event('change', {bubbles: true}));
  return {wanted: value, value: el.value, min: el.min, max: el.max, step: el.step};
}"""


async def _input_formatted(locator: Locator, input_type: str, text: str) -> ActionResult:
    """Set a date/time/month/week/colour/range input in its own value format and read it back."""
    try:
        wanted = canonical(input_type, text)
    except ValueFormatError as exc:
        return ActionResult.fail("invalid_value", str(exc))
    outcome = await locator.evaluate(_SET_FORMATTED, [input_type, wanted], timeout=ACTION_TIMEOUT_MS)
    if "blocked" in outcome:
        return ActionResult.fail("value_not_set", f"the {input_type} input is {outcome['blocked']}")
    if outcome.get("bad"):
        return ActionResult.fail("invalid_value", f"{text!r} is not a colour (for example #1a2b3c or red)")
    if not same_value(input_type, outcome["wanted"], outcome["value"]):
        limits = ", ".join(f"{k}={outcome[k]}" for k in ("min", "max", "step") if outcome[k])
        return ActionResult.fail(
            "value_not_set",
            f"the {input_type} input shows {outcome['value']!r} instead of {outcome['wanted']!r}"
            + (f" ({limits})" if limits else ""),
        )
    return ActionResult.ok(data={"value": outcome["value"]})


async def _pick_suggestion(
    locator: Locator, root: Locator, kind: dict[str, Any], text: str, options_before: int
) -> str | None:
    """If typing opened a suggestion list, click the suggestion matching the text.

    A field that announces a list (combobox role, aria-autocomplete, aria-controls) gets a second
    to show its suggestions, which often load after a debounce. Other fields only count when
    options appeared where there were none, so an unrelated open list is never clicked.
    """
    hinted = (
        kind["role"] == "combobox"
        or bool(kind["controls"])
        or await locator.evaluate("el => el.hasAttribute('aria-autocomplete')")
    )
    if not hinted and options_before:
        return None
    for attempt in range(SUGGESTION_POLLS if hinted else 2):
        if attempt:
            await asyncio.sleep(0.2)
        picked = await click_matching_option(root, text, kind["controls"])
        if picked:
            return picked
    return None
