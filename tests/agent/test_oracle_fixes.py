"""Agent failures a perfect policy met on MiniWoB++ (bench/bench_oracle.py), each on a local page."""

from __future__ import annotations

import asyncio
import time
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


async def test_an_icon_drawn_by_its_class_alone_is_named_in_the_page_text(
    browser_session: BrowserSession, page_server: Any
) -> None:
    await browser_session.goto(page_server.url("icon_menu.html"), wait_until="domcontentloaded")
    lines = (await observe(browser_session)).view.text.splitlines()
    assert "Click the item with the [icon: seek-end] icon." in lines  # not "with the icon."
    assert any(line.endswith("<menuitem icon=disk>Save") for line in lines)
    # fa-fw is no name; the hidden submenu it holds makes it a folded item
    assert any(line.endswith("<menuitem icon=caret-right expanded=false>Playback") for line in lines)


async def test_a_submenu_that_opens_once_the_pointer_rests_is_on_the_next_page_read(
    browser_session: BrowserSession, page_server: Any, tmp_path: Path
) -> None:
    await browser_session.goto(page_server.url("icon_menu.html"), wait_until="domcontentloaded")
    await observe(browser_session)
    page = browser_session.page
    ctx = make_ctx(browser_session, tmp_path)
    assert (await act(ctx, action_type="hover", id=await sk_id(page, "#playback"))).success
    lines = (await observe(browser_session)).view.text.splitlines()  # read at once, as the agent does
    item = next(line for line in lines if line.endswith(">Next"))
    assert (await act(ctx, action_type="click", id=item.split("<", 1)[0])).success
    assert await page.text_content("#picked") == "picked Next"


async def test_the_nodes_of_a_tree_are_listed_one_by_one_and_show_whether_they_are_open(
    browser_session: BrowserSession, page_server: Any, tmp_path: Path
) -> None:
    await browser_session.goto(page_server.url("file_tree.html"), wait_until="domcontentloaded")
    first = (await observe(browser_session)).view.text.splitlines()
    assert any(line.endswith("<li expanded=false>Photos") for line in first)  # a folded folder
    assert any(line.endswith("<li>Notes") for line in first)  # a file: nothing to unfold
    page = browser_session.page
    ctx = make_ctx(browser_session, tmp_path)
    for folder in ("#photos", "#trips"):
        assert (await act(ctx, action_type="click", id=await sk_id(page, folder))).success
        lines = (await observe(browser_session)).view.text.splitlines()
    assert any(line.endswith("<li expanded=true>Photos") for line in lines)  # not "Photos Beach Trips Rome"
    rome = next(line for line in lines if line.endswith(">Rome"))
    assert (await act(ctx, action_type="click", id=rome.split("<", 1)[0])).success
    assert await page.text_content("#picked") == "picked Rome"


async def _slow(route: Any) -> None:
    await asyncio.sleep(0.3)  # a picture from a slow server
    await route.continue_()


async def test_a_control_drawn_only_as_a_picture_is_named_by_it(
    browser_session: BrowserSession, page_server: Any
) -> None:
    await browser_session.goto(page_server.url("picture_feed.html"), wait_until="load")
    text = (await observe(browser_session)).view.text
    assert "<span icon=like>" in text  # CSS `content: url(icons/like.svg)`, nothing else to go by
    assert "<button icon=delete>" in text  # an <img> without alt inside the button


async def test_the_parts_of_a_bar_styled_as_one_control_are_listed_each(
    browser_session: BrowserSession, page_server: Any, tmp_path: Path
) -> None:
    await browser_session.goto(page_server.url("picture_feed.html"), wait_until="load")
    lines = (await observe(browser_session)).view.text.splitlines()
    assert "Reply Forward" not in "\n".join(lines)  # not one element whose click lands between the two
    forward = next(line.split("<", 1)[0] for line in lines if line.endswith("<span>Forward"))
    assert (await act(make_ctx(browser_session, tmp_path), action_type="click", id=forward)).success
    assert await browser_session.page.text_content("#out") == "forward;"


async def test_pictures_still_loading_are_waited_for_before_the_page_is_read(
    browser_session: BrowserSession, page_server: Any
) -> None:
    await browser_session.page.route("**/icons/like.svg", _slow)
    await browser_session.goto(page_server.url("picture_feed.html"), wait_until="load")
    # Until its picture arrives a button drawn as one has no size, and a page read then had no Like buttons.
    assert "<span icon=like>" in (await observe(browser_session)).view.text


async def test_a_click_reaches_a_picture_that_changes_under_the_pointer(
    browser_session: BrowserSession, page_server: Any, tmp_path: Path
) -> None:
    await browser_session.page.route("**/icons/like-hover.svg", _slow)
    await browser_session.goto(page_server.url("picture_feed.html"), wait_until="load")
    await observe(browser_session)
    page = browser_session.page
    like = await sk_id(page, ".post:first-child .like")
    # On hover the grey picture is swapped for a coloured one still loading: the button shrinks to nothing
    # under the pointer, and the press used to land on the post behind it while the click reported success.
    assert (await act(make_ctx(browser_session, tmp_path), action_type="click", id=like)).success
    assert await page.text_content("#out") == "liked 1;"


async def test_keys_for_a_slider_go_to_the_handle_inside_its_track(
    browser_session: BrowserSession, page_server: Any, tmp_path: Path
) -> None:
    await browser_session.goto(page_server.url("slider.html"), wait_until="load")
    await observe(browser_session)
    page = browser_session.page
    ctx = make_ctx(browser_session, tmp_path)
    track = await sk_id(page, "#track")  # listed for its pointer listener; the handle takes the keys
    for _ in range(3):
        assert (await act(ctx, action_type="keypress", id=track, key="ArrowLeft")).success
    assert await page.text_content("#value") == "-3"


async def test_scrolling_a_page_whose_window_does_not_move_scrolls_its_panel(
    browser_session: BrowserSession, page_server: Any, tmp_path: Path
) -> None:
    await browser_session.goto(page_server.url("picture_feed.html"), wait_until="load")
    page = browser_session.page
    result = await act(make_ctx(browser_session, tmp_path), action_type="scroll", direction="down")
    assert result.success
    assert await page.evaluate("window.scrollY") == 0
    assert await page.evaluate("document.getElementById('feed').scrollTop") > 0


async def test_typing_into_a_field_that_disables_itself_on_focus_fails_at_once(
    browser_session: BrowserSession, page_server: Any, tmp_path: Path
) -> None:
    await browser_session.goto(page_server.url("focus_popup.html"), wait_until="load")
    await observe(browser_session)
    page = browser_session.page
    ctx = make_ctx(browser_session, tmp_path)
    started = time.monotonic()
    result = await act(ctx, action_type="input_text", id=await sk_id(page, "#user"), text="jess")
    assert not result.success and result.error_type == "not_editable"
    assert time.monotonic() - started < 3  # not the 5 s action timeout for a field that cannot take it
    assert "Cancel" in (await observe(browser_session)).view.text  # the popup, for the model's next turn
    assert (await act(ctx, action_type="click", id=await sk_id(page, "#cancel"))).success
    assert (await act(ctx, action_type="input_text", id=await sk_id(page, "#user"), text="jess")).success
    assert await page.input_value("#user") == "jess"
