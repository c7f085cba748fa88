"""Find the live element behind an id from a snapshot, in whichever frame it now lives."""

from __future__ import annotations

import json

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Frame, Locator, Page

from agent.dom.model import ID_ATTRIBUTE, ElementNotFound


def selector_for(element_id: str | int) -> str:
    # Playwright's CSS engine pierces open shadow roots, so one selector covers shadow DOM too.
    return f"[{ID_ATTRIBUTE}={json.dumps(str(element_id))}]"


async def _count(frame: Frame, selector: str) -> int:
    try:
        return await frame.locator(selector).count()
    except PlaywrightError:  # frame detached or navigating: the element is not there
        return 0


async def locate(page: Page, element_id: str | int) -> Locator:
    """A Locator for the element tagged `element_id`, searching the main frame first, then iframes.

    Raises ElementNotFound when no frame has it (the page re-rendered without reusing the node, or
    navigated); take a new snapshot then.
    """
    selector = selector_for(element_id)
    for frame in page.frames:
        if await _count(frame, selector):
            return frame.locator(selector).first
    raise ElementNotFound(f"element {element_id} is no longer on the page; take a new snapshot")
