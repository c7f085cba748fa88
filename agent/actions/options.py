"""Finding and matching the options of pop-up lists (custom dropdowns, autocomplete suggestions)."""

from __future__ import annotations

import re

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Locator, Page

CLICK_TIMEOUT_MS = 2_000
OPTION_SELECTOR = "[role=option], [role=menuitemradio], [role=menuitem], [role=listbox] li"

# Text and visibility of every candidate in one round trip (a list may hold hundreds of options).
_DESCRIBE = """els => els.map(e => {
  const r = e.getBoundingClientRect(); const s = getComputedStyle(e);
  return {text: (e.innerText || e.textContent || '').trim(),
          value: e.getAttribute('data-value') || e.getAttribute('value') || '',
          visible: r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none'};
})"""


def normalize(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().casefold()


def best_match(texts: list[str], wanted: str) -> int | None:
    """Index of the best text for `wanted`: exact, then prefix, then substring (case-insensitive)."""
    goal = normalize(wanted)
    if not goal:
        return None
    normalized = [normalize(t) for t in texts]
    for test in (str.__eq__, str.startswith, str.__contains__):
        for index, text in enumerate(normalized):
            if text and test(text, goal):
                return index
    return None


async def document_root(locator: Locator, page: Page) -> Locator:
    """The <html> the element lives in (its frame), or the page's when that cannot be found."""
    root = locator.locator("xpath=ancestor::html[1]")
    return root if await root.count() else page.locator("html")


async def visible_options(root: Locator, controls: str = "") -> tuple[Locator, list[dict[str, str]]]:
    """Visible option elements: of the list the trigger names in aria-controls/aria-owns if it
    exists, else anywhere in `root`. Each dict has text, value and its index among the candidates."""
    scope = root
    if controls:
        listed = root.locator(f"[id='{controls}']")
        if await listed.count():
            scope = listed
    candidates = scope.locator(OPTION_SELECTOR)
    described = await candidates.evaluate_all(_DESCRIBE)
    return candidates, [dict(d, index=str(i)) for i, d in enumerate(described) if d["visible"]]


def sole_match(texts: list[str], wanted: str) -> tuple[int | None, bool]:
    """(index, ambiguous) for a suggestion list: the text equal to `wanted`, else the only one starting
    with it, else the only one containing it. Several that start with (or contain) it and none equal is
    ambiguous: the text typed was a beginning ("Li" offers Liberia, Libya, Lithuania) and the choice is the
    model's, which sees the open list on its next turn."""
    goal = normalize(wanted)
    if not goal:
        return None, False
    normalized = [normalize(t) for t in texts]
    for test in (str.__eq__, str.startswith, str.__contains__):
        hits = [index for index, text in enumerate(normalized) if text and test(text, goal)]
        if hits:
            return (hits[0], False) if test is str.__eq__ or len(hits) == 1 else (None, True)
    return None, False


async def click_matching_option(root: Locator, wanted: str, controls: str = "") -> str | None:
    """Click the visible option best matching `wanted`; returns its text, or None if none matched
    (or the list changed under us, as debounced suggestion lists do, and the click missed)."""
    candidates, shown = await visible_options(root, controls)
    index = best_match([d["text"] for d in shown], wanted)
    if index is None:
        index = best_match([d["value"] for d in shown], wanted)
    if index is None:
        return None
    return await _click_option(candidates, shown[index]["text"])


async def click_sole_option(root: Locator, wanted: str, controls: str = "") -> tuple[str | None, bool]:
    """Click the visible option that `wanted` names without doubt (sole_match); returns (its text or None,
    whether the list was ambiguous)."""
    candidates, shown = await visible_options(root, controls)
    index, ambiguous = sole_match([d["text"] for d in shown], wanted)
    if index is None and not ambiguous:
        index, ambiguous = sole_match([d["value"] for d in shown], wanted)
    if index is None:
        return None, ambiguous
    return await _click_option(candidates, shown[index]["text"]), False


async def _click_option(candidates: Locator, chosen: str) -> str | None:
    # Target by text, not position: a re-rendered list may have moved or dropped its neighbours.
    exact = re.compile(r"^\s*" + re.escape(chosen) + r"\s*$")
    try:
        await candidates.filter(has_text=exact).first.click(timeout=CLICK_TIMEOUT_MS)
    except PlaywrightError:
        return None
    return chosen
