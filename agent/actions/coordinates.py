"""Engine-level actions at viewport pixels (agent.catalog.COORDINATE_ACTIONS): mouse and keyboard only.

The coordinate engines (openai-cua, anthropic-cua, ui-tars) translate their provider's action into an
`agent.schemas.CoordinateAction`; `run_coordinate_action` runs it with page.mouse / page.keyboard and never
raises, and `coordinate_record` turns it into the ActionRecord the host stores (x, y and the provider's raw
action included). The x, y are CSS pixels of the viewport, the same as the screenshot the model saw.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page

from agent.actions.base import NAVIGATION_TIMEOUT_MS, settle
from agent.actions.keys import combo
from agent.actions.settle import watching_requests
from agent.catalog import COORDINATE_ACTIONS
from agent.schemas import ActionRecord, ActionResult, CoordinateAction

log = logging.getLogger(__name__)

DEFAULT_WAIT_S = 2.0
DRAG_STEPS = 8  # intermediate mouse moves between two points, so pages see a real drag
WIRE_TYPES = {spec.name: spec.wire_type for spec in COORDINATE_ACTIONS}

CoordinateHandler = Callable[[Page, CoordinateAction], Awaitable[ActionResult]]
COORDINATE_HANDLERS: dict[str, CoordinateHandler] = {}


def coordinate_handler(kind: str) -> Callable[[CoordinateHandler], CoordinateHandler]:
    def register(func: CoordinateHandler) -> CoordinateHandler:
        COORDINATE_HANDLERS[kind] = func
        return func

    return register


async def run_coordinate_action(page: Page, action: CoordinateAction) -> ActionResult:
    """Run `action` on `page`; every failure becomes a failed ActionResult."""
    func = COORDINATE_HANDLERS.get(action.kind)
    if func is None:
        return ActionResult.fail("unsupported", f"no handler for {action.kind}")
    outside = _outside_viewport(page, action)
    if outside:
        return ActionResult.fail("out_of_viewport", outside)
    try:
        with watching_requests(page):  # what settle waits for (settle.py)
            return await func(page, action)
    except PlaywrightError as exc:
        return ActionResult.fail("browser_error", (str(exc).strip().splitlines() or ["error"])[0])
    except Exception as exc:  # a handler bug must not take the run down with it
        log.exception("coordinate action %s crashed", action.kind)
        return ActionResult.fail("internal_error", f"{type(exc).__name__}: {exc}")


def coordinate_record(index: int, action: CoordinateAction, result: ActionResult) -> ActionRecord:
    """The ActionRecord for an executed coordinate action: the wire action type, x, y and raw."""
    point = action.point
    text = action.text if action.kind == "type" else combo(action.keys or []) or None
    return ActionRecord(
        index=index,
        action_type=WIRE_TYPES[action.kind],
        reasoning=action.reasoning,
        text=text,
        status="completed" if result.success else "failed",
        error_type=result.error_type,
        error_message=result.error_message,
        data=result.data,
        download_triggered=result.download_triggered,
        x=point[0] if point else None,
        y=point[1] if point else None,
        raw=action.raw or action.model_dump(mode="json", exclude_none=True, exclude={"raw"}),
    )


def _outside_viewport(page: Page, action: CoordinateAction) -> str | None:
    size = page.viewport_size
    points = list(action.path or [])
    if action.x is not None and action.y is not None:
        points.append((action.x, action.y))
    for x, y in points:
        if size and not (0 <= x < size["width"] and 0 <= y < size["height"]):
            return f"({x:g}, {y:g}) is outside the {size['width']}x{size['height']} viewport"
    return None


def _at(action: CoordinateAction) -> tuple[float, float]:
    assert action.x is not None and action.y is not None  # CoordinateAction's required fields
    return action.x, action.y


@coordinate_handler("click")
async def click(page: Page, action: CoordinateAction) -> ActionResult:
    if action.button in ("back", "forward"):  # mouse side buttons mean history navigation
        go = page.go_back if action.button == "back" else page.go_forward
        await go(wait_until="domcontentloaded", timeout=NAVIGATION_TIMEOUT_MS)
        return ActionResult.ok(data={"button": action.button})
    x, y = _at(action)
    await page.mouse.click(x, y, button=action.button, click_count=action.clicks)
    await settle(page)
    return ActionResult.ok()


@coordinate_handler("double_click")
async def double_click(page: Page, action: CoordinateAction) -> ActionResult:
    x, y = _at(action)
    await page.mouse.dblclick(x, y)
    await settle(page)
    return ActionResult.ok()


@coordinate_handler("right_click")
async def right_click(page: Page, action: CoordinateAction) -> ActionResult:
    x, y = _at(action)
    await page.mouse.click(x, y, button="right")
    return ActionResult.ok()


@coordinate_handler("move")
async def move(page: Page, action: CoordinateAction) -> ActionResult:
    x, y = _at(action)
    await page.mouse.move(x, y)
    return ActionResult.ok()


@coordinate_handler("drag")
async def drag(page: Page, action: CoordinateAction) -> ActionResult:
    path = action.path or []
    await page.mouse.move(*path[0])
    await page.mouse.down()
    for point in path[1:]:
        await page.mouse.move(*point, steps=DRAG_STEPS)
    await page.mouse.up()
    return ActionResult.ok()


@coordinate_handler("scroll")
async def scroll(page: Page, action: CoordinateAction) -> ActionResult:
    x, y = _at(action)
    await page.mouse.move(x, y)
    await page.mouse.wheel(action.scroll_x, action.scroll_y)
    await asyncio.sleep(0.2)  # wheel scrolling is smooth: let it land before the next screenshot
    return ActionResult.ok(data={"scroll_x": action.scroll_x, "scroll_y": action.scroll_y})


@coordinate_handler("mouse_down")
async def mouse_down(page: Page, action: CoordinateAction) -> ActionResult:
    if action.x is not None and action.y is not None:
        await page.mouse.move(action.x, action.y)
    await page.mouse.down(button=action.button if action.button in ("left", "right", "middle") else "left")
    return ActionResult.ok()


@coordinate_handler("mouse_up")
async def mouse_up(page: Page, action: CoordinateAction) -> ActionResult:
    if action.x is not None and action.y is not None:
        await page.mouse.move(action.x, action.y)
    await page.mouse.up(button=action.button if action.button in ("left", "right", "middle") else "left")
    await settle(page)
    return ActionResult.ok()


@coordinate_handler("type")
async def type_text(page: Page, action: CoordinateAction) -> ActionResult:
    await page.keyboard.type(action.text or "")
    if (action.text or "").endswith("\n"):  # typing a newline submits forms: wait for what it loads
        await settle(page)
    return ActionResult.ok()


@coordinate_handler("keypress")
async def keypress(page: Page, action: CoordinateAction) -> ActionResult:
    keys = combo(action.keys or [])
    if action.seconds:  # held down (Anthropic's hold_key)
        names = keys.split("+")
        for name in names:
            await page.keyboard.down(name)
        await asyncio.sleep(action.seconds)
        for name in reversed(names):
            await page.keyboard.up(name)
    else:
        await page.keyboard.press(keys)
    await settle(page)
    return ActionResult.ok(data={"keys": keys})


@coordinate_handler("wait")
async def wait(page: Page, action: CoordinateAction) -> ActionResult:
    await asyncio.sleep(action.seconds if action.seconds is not None else DEFAULT_WAIT_S)
    return ActionResult.ok()
