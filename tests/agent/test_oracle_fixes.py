"""Agent failures a perfect policy met on MiniWoB++ (bench/bench_oracle.py), each on a local page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from agent.browser import BrowserSession
from agent.loop.observe import observe
from tests.agent.test_actions import act, make_ctx, sk_id

pytestmark = pytest.mark.browser  # drives Chromium


async def test_the_page_is_read_after_a_fading_panel_has_gone(
    browser_session: BrowserSession, page_server: Any, tmp_path: Path
) -> None:
    await browser_session.goto(page_server.url("fading_panel.html"), wait_until="domcontentloaded")
    first = await observe(browser_session)
    assert "Submit" not in first.view.text  # the open panel covers it
    ctx = make_ctx(browser_session, tmp_path)
    assert (await act(ctx, action_type="click", id=await sk_id(browser_session.page, "#day"))).success
    after = await observe(browser_session)  # the panel fades out for 500 ms after the click
    assert "<button>Submit" in after.view.text


@pytest.mark.parametrize(
    ("page_name", "menu"), [("actions_form.html", "#suggestions"), ("plain_menu.html", ".ui-menu")]
)
async def test_typing_a_beginning_that_several_suggestions_share_leaves_the_choice_to_the_model(
    browser_session: BrowserSession, page_server: Any, tmp_path: Path, page_name: str, menu: str
) -> None:
    await browser_session.goto(page_server.url(page_name), wait_until="domcontentloaded")
    await observe(browser_session)
    page = browser_session.page
    ctx = make_ctx(browser_session, tmp_path)
    result = await act(ctx, action_type="input_text", id=await sk_id(page, "#city"), text="Par")
    assert result.success and not result.data  # neither Paris nor Parma was chosen for the model
    assert await page.input_value("#city") == "Par" and await page.is_visible(menu)
    shown = (await observe(browser_session)).view.text
    assert "Paris" in shown and "Parma" in shown  # the open list is on the next page the model reads


async def test_the_items_of_a_focusable_suggestion_menu_are_listed_one_by_one(
    browser_session: BrowserSession, page_server: Any, tmp_path: Path
) -> None:
    await browser_session.goto(page_server.url("focusable_menu.html"), wait_until="domcontentloaded")
    await observe(browser_session)
    page = browser_session.page
    ctx = make_ctx(browser_session, tmp_path)
    assert (await act(ctx, action_type="input_text", id=await sk_id(page, "#city"), text="Bel")).success
    lines = (await observe(browser_session)).view.text.splitlines()
    items = {
        line.split(">", 1)[1]: line.split("<", 1)[0]
        for line in lines
        if line.endswith(("Belarus", "Belgium", "Belize"))
    }
    assert set(items) == {"Belarus", "Belgium", "Belize"}  # three lines, not one <ul> holding all three
    assert (await act(ctx, action_type="click", id=items["Belize"])).success
    assert await page.text_content("#picked") == "picked Belize"
