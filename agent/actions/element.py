"""Handlers that act on one element: click, hover, checkbox, input_text."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from typing import Any

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Locator, Page, Request, Response
from playwright.async_api import TimeoutError as PlaywrightTimeoutError

from agent.actions.base import ACTION_TIMEOUT_MS, ActionContext, element_kind, handler, locate, settle
from agent.actions.options import (
    CLICK_TIMEOUT_MS,
    click_sole_option,
    document_root,
    sole_match,
    visible_options,
)
from agent.actions.settle import rest_after_hover
from agent.actions.suggestions import item_locator, mark_before, new_items
from agent.actions.typed_values import FORMATTED_TYPES, ValueFormatError, canonical, same_value
from agent.prompts import TOTP_PLACEHOLDER
from agent.schemas import ActionResult, PlannedAction
from agent.secrets import substitute

# The longest a click waits for a download it can start (a[download], an attachment response)...
DOWNLOAD_MAX_WAIT_S = 5.0
# ...and how long after a navigation was aborted, which is how Chromium ends one that became a download.
ABORTED_NAVIGATION_WAIT_S = 1.0
# A fetch the click started may end in a navigation to a file ("Export": ask the server, then go to the file):
# wait for such fetches, at most this long, and this long after the last one for the navigation to begin.
FETCH_WAIT_MAX_S = 2.0
AFTER_FETCH_S = 0.15
# Typing longer texts key by key is slow and gains nothing: autocompletes react to short queries.
TYPE_KEYS_UP_TO = 80
SUGGESTION_POLLS = 6
UNHINTED_POLLS_AUTOFILL_OFF = 4


class _DownloadWatch:
    """Listens to one page while an action runs and tells whether it started a download.

    It waits only while a download is likely, from the browser's own events: the clicked link has a
    `download` attribute, a response came with `Content-Disposition: attachment`, a navigation is still
    unanswered, or one was just aborted (Chromium aborts a navigation that turned into a download), or a
    fetch the click started is still running. A click that starts none of these costs no wait at all.
    """

    def __init__(self, page: Page, downloads: list[Any], expected: bool) -> None:
        self.page = page
        self.downloads = downloads
        self.before = len(downloads)
        self.started = asyncio.Event()
        self.pending: set[Request] = set()
        self.fetching: set[Request] = set()
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
        elif request.resource_type in ("fetch", "xhr"):
            self.fetching.add(request)

    def _on_response(self, response: Response) -> None:
        if "attachment" in (response.headers.get("content-disposition") or "").lower():
            self._expect(DOWNLOAD_MAX_WAIT_S)

    def _on_done(self, request: Request) -> None:
        self.pending.discard(request)
        if request in self.fetching:
            self.fetching.discard(request)
            self._expect(AFTER_FETCH_S)

    def _on_failed(self, request: Request) -> None:
        if request in self.pending:
            self._expect(ABORTED_NAVIGATION_WAIT_S)
        self._on_done(request)

    def triggered(self) -> bool:
        return self.started.is_set() or len(self.downloads) > self.before

    async def wait(self) -> None:
        start = _now()
        while not self.triggered():
            now = _now()
            fetching = bool(self.fetching) and now < start + FETCH_WAIT_MAX_S
            if now >= start + DOWNLOAD_MAX_WAIT_S or (
                now >= self.expect_until and not self.pending and not fetching
            ):
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


# Before a click, in one round trip: does the element start a download (a link with `download`), and is
# its centre covered by something else (a menu that just opened over it)? Off screen it counts as not
# covered: Playwright scrolls it first and judges then.
# Also arms a probe of where the click's button press lands: a control whose picture changes on hover (a grey
# icon swapped for a coloured one still loading) can shrink under the pointer between the move and the press,
# and the press then reaches whatever lies beneath while Playwright reports success.
_BEFORE_CLICK = """el => {
  const doc = el.ownerDocument, probe = {pressed: null};
  doc.__skPress = probe;
  doc.addEventListener('mousedown', (e) => {
    const path = e.composedPath();
    probe.pressed = path.includes(el) || Array.from(el.labels || []).some((l) => path.includes(l));
  }, {capture: true, once: true});
  const download = !!el.closest('a[download]');
  const r = el.getBoundingClientRect();
  const x = r.left + r.width / 2, y = r.top + r.height / 2;
  if (!r.width || !r.height || x < 0 || y < 0 || x >= innerWidth || y >= innerHeight) return {download, covered: false};
  let hit = document.elementFromPoint(x, y);
  while (hit && hit.shadowRoot) { const inner = hit.shadowRoot.elementFromPoint(x, y); if (!inner || inner === hit) break; hit = inner; }
  const mine = !hit || el.contains(hit) || hit.contains(el) || Array.from(el.labels || []).some(l => l.contains(hit));
  return {download, covered: !mine};
}"""
# Read without waiting: an element the click removed (a pager rebuilt) is no miss.
_PRESS_MISSED = (
    "els => els.some((el) => el.ownerDocument.__skPress && el.ownerDocument.__skPress.pressed === false)"
)
# A covered target gets this long to come free (Playwright retries other scroll positions, which gets it past a
# sticky header) before the DOM click, instead of the full action timeout.
COVERED_CLICK_TIMEOUT_MS = 800


async def _click(locator: Locator, covered: bool) -> None:
    try:
        await locator.click(timeout=COVERED_CLICK_TIMEOUT_MS if covered else ACTION_TIMEOUT_MS)
    except PlaywrightTimeoutError:
        # Usually an overlay intercepts the pointer or the element never stops animating; a DOM
        # click still reaches the element's own handlers.
        await locator.evaluate("el => el.click()", timeout=ACTION_TIMEOUT_MS)


@handler("click")
async def click(ctx: ActionContext, action: PlannedAction) -> ActionResult:
    locator = await locate(ctx, action.id)
    before = await locator.evaluate(_BEFORE_CLICK, timeout=ACTION_TIMEOUT_MS)
    async with watch_downloads(ctx, before["download"]) as download_started:
        await _click(locator, before["covered"])
        # Where the press landed is read while the page settles: a miss is rare and may wait, a hit may not.
        missed, _ = await asyncio.gather(_missed(locator), settle(ctx.page))
        if missed:
            # The element changed under the pointer (see _BEFORE_CLICK): once its pictures are in, press again.
            if hasattr(ctx.session, "images_loaded"):
                await ctx.session.images_loaded()
            await _click(locator, before["covered"])
            await settle(ctx.page)
    return ActionResult.ok(download_triggered=download_started())


async def _missed(locator: Locator) -> bool:
    try:
        return bool(await locator.evaluate_all(_PRESS_MISSED))
    except PlaywrightError:  # the click navigated away: it landed
        return False


@handler("hover")
async def hover(ctx: ActionContext, action: PlannedAction) -> ActionResult:
    locator = await locate(ctx, action.id)
    await locator.hover(timeout=ACTION_TIMEOUT_MS)
    await rest_after_hover(ctx.page)
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
    """Replace stored-secret placeholders with their values and the one-time-code placeholder with a fresh
    code; None when no code can be had."""
    text = substitute(text, ctx.task.secrets)
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
    await mark_before(locator)
    await locator.fill("", timeout=ACTION_TIMEOUT_MS)
    if not await locator.is_editable():
        # Focusing it disabled it (a "session expiring" popup opened on focus): say so now rather than
        # wait out the timeout for a field that will not take the text until the page changes again.
        return ActionResult.fail(
            "not_editable", "the field stopped taking input once focused; read the page again"
        )
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

    A field that announces a list (combobox role, aria-autocomplete, aria-haspopup, aria-controls) gets a
    second to show its suggestions, which often load after a debounce. Other fields only count when options
    appeared where there were none, so an unrelated open list is never clicked. Lists without option roles
    count when their items appeared right below or above the field since typing began (agent.actions.suggestions).
    A field that turns the browser's own autofill off (as script autocompletes such as jQuery UI's do) gets
    0.6 s, past their usual 300 ms debounce; any other field 0.2 s.
    """
    hints = await locator.evaluate(
        """el => ({aria: el.hasAttribute('aria-autocomplete') || el.hasAttribute('aria-haspopup'),
                   off: (el.getAttribute('autocomplete') || '').toLowerCase() === 'off'})"""
    )
    hinted = kind["role"] == "combobox" or bool(kind["controls"]) or hints["aria"]
    by_role = hinted or not options_before
    polls = SUGGESTION_POLLS if hinted else UNHINTED_POLLS_AUTOFILL_OFF if hints["off"] else 2
    for attempt in range(polls):
        if attempt:
            await asyncio.sleep(0.2)
        picked, ambiguous = None, False
        if by_role:
            picked, ambiguous = await click_sole_option(root, text, kind["controls"])
        if picked:
            return picked
        if not ambiguous:
            picked, ambiguous = await _click_new_item(locator, root, text)
            if picked:
                return picked
        if ambiguous:  # several suggestions fit what was typed: the model picks from the open list
            return None
    return None


async def _click_new_item(field: Locator, root: Locator, text: str) -> tuple[str | None, bool]:
    items = await new_items(field)
    index, ambiguous = sole_match([item["text"] for item in items], text)
    if index is None:
        return None, ambiguous
    try:
        await item_locator(root, items[index]["key"]).click(timeout=CLICK_TIMEOUT_MS)
    except PlaywrightError:
        return None, False
    return items[index]["text"], False
