"""The coordinate engines' mouse and keyboard actions, on a real page that logs every event it gets."""

from __future__ import annotations

from typing import Any

import pytest
import pytest_asyncio
from playwright.async_api import Page

from agent.actions import COORDINATE_HANDLERS, coordinate_record, run_coordinate_action
from agent.actions.keys import combo, normalize_key, split_keys
from agent.catalog import COORDINATE_ACTIONS, COORDINATE_TYPES
from agent.prompts import PageView, plan_messages
from agent.schemas import ACTION_TYPES, CoordinateAction

pytestmark = pytest.mark.browser  # drives Chromium


async def events(page: Page, *types: str) -> list[dict[str, Any]]:
    logged = await page.evaluate("window.events")
    return [event for event in logged if not types or event["type"] in types]


@pytest_asyncio.fixture(loop_scope="session")
async def board(page: Page, page_server: Any) -> Page:
    await page.goto(page_server.url("coordinates.html"))
    return page


async def test_a_click_lands_where_it_was_asked_and_focuses_what_is_there(board: Page) -> None:
    result = await run_coordinate_action(board, CoordinateAction(kind="click", x=250, y=120))

    assert result.success
    (click,) = await events(board, "click")
    assert (click["x"], click["y"], click["button"], click["target"]) == (250, 120, 0, "field")
    assert await board.evaluate("document.activeElement.id") == "field"


async def test_double_right_middle_and_triple_clicks(board: Page) -> None:
    await run_coordinate_action(board, CoordinateAction(kind="double_click", x=600, y=150))
    await run_coordinate_action(board, CoordinateAction(kind="right_click", x=610, y=160))
    await run_coordinate_action(board, CoordinateAction(kind="click", x=620, y=170, button="middle"))
    await run_coordinate_action(board, CoordinateAction(kind="click", x=630, y=180, clicks=3))

    assert [(e["x"], e["y"]) for e in await events(board, "dblclick")][0] == (600, 150)
    assert [(e["x"], e["y"], e["button"]) for e in await events(board, "contextmenu")] == [(610, 160, 2)]
    downs = await events(board, "mousedown")
    assert (620, 170, 1) in [(e["x"], e["y"], e["button"]) for e in downs]
    assert max(e["detail"] for e in downs if e["x"] == 630) == 3


async def test_a_drag_follows_its_path_with_the_button_held(board: Page) -> None:
    action = CoordinateAction(kind="drag", path=[(520, 120), (600, 200), (680, 280)])

    assert (await run_coordinate_action(board, action)).success

    (down,) = await events(board, "mousedown")
    (up,) = await events(board, "mouseup")
    assert (down["x"], down["y"]) == (520, 120)
    assert (up["x"], up["y"]) == (680, 280)
    assert action.point == (680, 280)


async def test_move_hovers_without_clicking(board: Page) -> None:
    await run_coordinate_action(board, CoordinateAction(kind="move", x=550, y=150))

    assert any(e["target"] == "pad" for e in await events(board, "mouseover"))
    assert await events(board, "click") == []


async def test_scroll_moves_the_page_by_the_amounts_asked(board: Page) -> None:
    result = await run_coordinate_action(board, CoordinateAction(kind="scroll", x=640, y=360, scroll_y=400))

    assert result.success and result.data == {"scroll_x": 0, "scroll_y": 400}
    assert await board.evaluate("window.scrollY") == 400


async def test_keys_as_providers_send_them_replace_and_submit_text(board: Page) -> None:
    await run_coordinate_action(board, CoordinateAction(kind="click", x=250, y=120))
    select_all = await run_coordinate_action(board, CoordinateAction(kind="keypress", keys=["CTRL", "A"]))
    await run_coordinate_action(board, CoordinateAction(kind="type", text="new"))
    await run_coordinate_action(board, CoordinateAction(kind="keypress", keys=["ENTER"]))

    assert select_all.data == {"keys": "Control+a"}
    assert await board.input_value("#field") == "new"
    keys = [(e["key"], e["ctrl"]) for e in await events(board, "keydown")]
    assert ("a", True) in keys and ("Enter", False) in keys


@pytest.mark.parametrize(
    ("keys", "expected"),
    [
        (["CTRL", "A"], "Control+a"),
        (["ctrl", "shift", "T"], "Control+Shift+t"),
        (["Control", "Enter"], "Control+Enter"),
        (["ENTER"], "Enter"),
        (["ArrowLeft"], "ArrowLeft"),
        (["ESC"], "Escape"),
        (["SPACE"], " "),
        (["Page_Down"], "PageDown"),
        (["CMD", "c"], "Meta+c"),
        (["F5"], "F5"),
        (["A"], "A"),
    ],
)
def test_key_names_are_mapped_to_playwrights(keys: list[str], expected: str) -> None:
    assert combo(keys) == expected


def test_key_strings_split_the_way_each_provider_writes_them() -> None:
    assert split_keys("ctrl+a") == ["ctrl", "a"]
    assert split_keys("ctrl a", spaces=True) == ["ctrl", "a"]
    assert normalize_key("Control+Enter") == "Control+Enter"
    assert normalize_key("return") == "Enter"


async def test_a_point_outside_the_viewport_fails_without_touching_the_page(board: Page) -> None:
    result = await run_coordinate_action(board, CoordinateAction(kind="click", x=5000, y=10))

    assert not result.success and result.error_type == "out_of_viewport"
    assert "1280x720" in (result.error_message or "")
    assert await events(board) == []


async def test_a_record_carries_the_wire_type_the_point_and_the_raw_action(board: Page) -> None:
    raw = {"type": "double_click", "x": 250, "y": 120, "unknown": True}
    action = CoordinateAction(kind="double_click", x=250, y=120, reasoning="select the word", raw=raw)

    record = coordinate_record(3, action, await run_coordinate_action(board, action))

    assert (record.index, record.action_type, record.status) == (3, "click", "completed")
    assert (record.x, record.y, record.raw, record.reasoning) == (250, 120, raw, "select the word")


def test_a_coordinate_action_without_its_fields_is_refused() -> None:
    with pytest.raises(ValueError, match="click needs x, y"):
        CoordinateAction(kind="click")
    with pytest.raises(ValueError, match="keypress needs keys"):
        CoordinateAction(kind="keypress")


def test_every_coordinate_action_has_a_handler_and_none_is_offered_to_the_planner() -> None:
    assert set(COORDINATE_HANDLERS) == set(COORDINATE_TYPES)
    plan_system = plan_messages(goal="g", page=PageView(url="u", title="t", text="x"), history=[])[0][
        "content"
    ]
    assert "double_click" not in plan_system and "right_click" not in plan_system
    assert {spec.wire_type for spec in COORDINATE_ACTIONS} <= {*ACTION_TYPES, "move", "drag", "left_mouse"}
