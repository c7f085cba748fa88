"""select_option with several options: <select multiple> and aria-multiselectable listboxes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from playwright.async_api import Page

from agent.actions import ActionContext
from agent.browser import BrowserSession
from agent.schemas import PlannedAction
from tests.agent.test_actions import act, make_ctx, open_page, sk_id

pytestmark = pytest.mark.browser


def test_option_may_be_a_list_and_stays_a_single_option_for_old_readers() -> None:
    action = PlannedAction(action_type="select_option", id="7", option=[{"label": "Ham"}, "Olives"])
    assert action.option is not None and action.option.label == "Ham"
    assert [o.label for o in action.options or []] == ["Ham", "Olives"]
    single = PlannedAction(action_type="select_option", id="7", option={"value": "ham"})
    assert single.options is None and single.option is not None and single.option.value == "ham"


@pytest_asyncio.fixture(loop_scope="session")
async def lists(
    browser_session: BrowserSession, page_server: Any, tmp_path: Path
) -> tuple[ActionContext, Page]:
    page = await open_page(browser_session, page_server.url("multiselect.html"))
    return make_ctx(browser_session, tmp_path), page


async def test_select_option_chooses_several_in_a_native_multiple_select(lists: Any) -> None:
    ctx, page = lists
    result = await act(
        ctx,
        action_type="select_option",
        id=await sk_id(page, "#toppings"),
        option=[{"label": "Ham"}, {"value": "pine"}],
    )
    assert result.success, result.error_message
    assert result.data["labels"] == ["Ham", "Pineapple"]
    selected = await page.eval_on_selector(
        "#toppings", "el => Array.from(el.selectedOptions).map(o => o.value)"
    )
    assert selected == ["ham", "pine"]


async def test_select_option_refuses_several_options_on_a_single_select(lists: Any) -> None:
    ctx, page = lists
    result = await act(
        ctx, action_type="select_option", id=await sk_id(page, "#size"), option=["Small", "Large"]
    )
    assert not result.success and result.error_type == "wrong_element"


async def test_select_option_reports_the_missing_one_of_several(lists: Any) -> None:
    ctx, page = lists
    result = await act(
        ctx, action_type="select_option", id=await sk_id(page, "#toppings"), option=["Ham", "Anchovies"]
    )
    assert not result.success and result.error_type == "option_not_found"
    assert "Anchovies" in (result.error_message or "")


@pytest.mark.parametrize("css", ["#langs", "#days"])
async def test_select_option_chooses_several_in_an_aria_listbox(lists: Any, css: str) -> None:
    ctx, page = lists
    names = ["English", "German"] if css == "#langs" else ["Monday", "Wednesday"]
    result = await act(ctx, action_type="select_option", id=await sk_id(page, css), option=names)
    assert result.success, result.error_message
    chosen = await page.eval_on_selector_all(
        f"{css} [aria-selected=true]", "els => els.map(e => e.textContent)"
    )
    assert chosen == names
