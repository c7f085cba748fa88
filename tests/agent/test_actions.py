"""Every action handler against local pages in the shared Chromium."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from playwright.async_api import Page

from agent import dom
from agent.actions import ActionContext, run_action
from agent.browser import BrowserSession
from agent.llm import LLMClient, LLMConfig
from agent.loop.sink import NullSink
from agent.loop.talk import StepTalker
from agent.prompts import PageView
from agent.schemas import AgentTask, PlannedAction, StepRecord
from tests.support.fake_llm import FakeLLM

pytestmark = pytest.mark.browser  # drives Chromium


async def _observe_page(session: BrowserSession) -> tuple[PageView, list[bytes]]:
    snap = await dom.snapshot(session.page)
    return PageView(url=snap.url, title=snap.title, text=snap.prompt_text), []


async def _no_llm(*args: Any, **kwargs: Any) -> Any:
    raise AssertionError("this action should not call the LLM")


def make_ctx(session: BrowserSession, tmp_path: Path, **overrides: Any) -> ActionContext:
    values: dict[str, Any] = {
        "session": session,
        "task": AgentTask(prompt="test the actions"),
        "llm": LLMClient(LLMConfig(model=None)),
        "ask": _no_llm,
        "observe": lambda: _observe_page(session),
        "allow_hosts": ["127.0.0.1"],
        "work_dir": tmp_path,
    }
    return ActionContext(**{**values, **overrides})


async def open_page(session: BrowserSession, url: str) -> Page:
    await session.goto(url, wait_until="domcontentloaded")
    await dom.snapshot(session.page)  # tags the elements with their ids
    return session.page


async def sk_id(page: Page, css: str) -> str:
    element_id = await page.locator(css).first.get_attribute(dom.ID_ATTRIBUTE)
    assert element_id, f"{css} has no snapshot id"
    return element_id


async def act(ctx: ActionContext, **fields: Any) -> Any:
    return await run_action(ctx, PlannedAction(**fields))


@pytest_asyncio.fixture(loop_scope="session")
async def playground(
    browser_session: BrowserSession, page_server: Any, tmp_path: Path
) -> tuple[ActionContext, Page]:
    page = await open_page(browser_session, page_server.url("actions_form.html"))
    return make_ctx(browser_session, tmp_path), page


async def test_click_runs_the_element_handler(playground: Any) -> None:
    ctx, page = playground
    result = await act(ctx, action_type="click", id=await sk_id(page, "#go"))
    assert result.success and not result.download_triggered
    assert await page.text_content("#clicked") == "Clicked!"


async def test_click_on_a_download_link_reports_the_download(playground: Any) -> None:
    ctx, page = playground
    result = await act(ctx, action_type="click", id=await sk_id(page, "#report"))
    assert result.success and result.download_triggered
    files = await ctx.session.wait_downloads()
    assert [f.name for f in files] == ["report.csv"]


async def test_an_unknown_element_id_fails_without_raising(playground: Any) -> None:
    ctx, _page = playground
    result = await act(ctx, action_type="click", id="99999")
    assert not result.success and result.error_type == "element_not_found"


async def test_input_text_replaces_the_old_value(playground: Any) -> None:
    ctx, page = playground
    result = await act(ctx, action_type="input_text", id=await sk_id(page, "#name"), text="Ada Lovelace")
    assert result.success
    assert await page.input_value("#name") == "Ada Lovelace"


async def test_input_text_picks_the_matching_autocomplete_suggestion(playground: Any) -> None:
    ctx, page = playground
    result = await act(ctx, action_type="input_text", id=await sk_id(page, "#city"), text="Bern")
    assert result.success and result.data == {"suggestion": "Bern"}
    assert await page.text_content("#city-picked") == "picked Bern"


async def test_input_text_types_a_fresh_totp_code(playground: Any) -> None:
    ctx, page = playground

    async def code() -> str:
        return "123456"

    ctx.totp_code = code
    result = await act(ctx, action_type="input_text", id=await sk_id(page, "#name"), text="{{totp_code}}")
    assert result.success and await page.input_value("#name") == "123456"


@pytest.mark.parametrize(
    ("option", "value"),
    [({"label": "Germany"}, "de"), ({"value": "jp"}, "jp"), ({"index": 1}, "fr"), ({"label": "japan"}, "jp")],
)
async def test_select_option_on_a_native_select(playground: Any, option: dict[str, Any], value: str) -> None:
    ctx, page = playground
    result = await act(ctx, action_type="select_option", id=await sk_id(page, "#country"), option=option)
    assert result.success, result.error_message
    assert await page.input_value("#country") == value


async def test_select_option_reports_a_missing_option(playground: Any) -> None:
    ctx, page = playground
    result = await act(
        ctx, action_type="select_option", id=await sk_id(page, "#country"), option={"label": "Mars"}
    )
    assert not result.success and result.error_type == "option_not_found"
    assert "Germany" in (result.error_message or "")


async def test_select_option_opens_a_custom_dropdown(
    browser_session: BrowserSession, page_server: Any, tmp_path: Path
) -> None:
    page = await open_page(browser_session, page_server.url("actions_dropdown.html"))
    ctx = make_ctx(browser_session, tmp_path)
    result = await act(
        ctx, action_type="select_option", id=await sk_id(page, "#size"), option={"label": "Medium"}
    )
    assert result.success, result.error_message
    assert await page.text_content("#size") == "Medium"


async def test_checkbox_sets_the_state_on_plain_and_styled_inputs(playground: Any) -> None:
    ctx, page = playground
    for css in ("#terms", "label.styled"):
        assert (await act(ctx, action_type="checkbox", id=await sk_id(page, css), is_checked=True)).success
    assert await page.is_checked("#terms") and await page.is_checked("#news")
    assert (await act(ctx, action_type="checkbox", id=await sk_id(page, "#terms"), is_checked=False)).success
    assert not await page.is_checked("#terms")


async def test_upload_file_fetches_the_url_into_the_file_input(playground: Any, page_server: Any) -> None:
    ctx, page = playground
    url = page_server.url("actions_upload.txt")
    result = await act(ctx, action_type="upload_file", id=await sk_id(page, "#file"), file_url=url)
    assert result.success, result.error_message
    assert await page.text_content("#file-name") == "actions_upload.txt"


async def test_upload_file_through_a_button_that_opens_a_chooser(playground: Any, page_server: Any) -> None:
    ctx, page = playground
    url = page_server.url("actions_upload.txt")
    result = await act(ctx, action_type="upload_file", id=await sk_id(page, "#choose"), file_url=url)
    assert result.success, result.error_message
    assert await page.text_content("#hidden-file-name") == "actions_upload.txt"


async def test_upload_file_refuses_private_hosts_not_allowed(playground: Any, page_server: Any) -> None:
    ctx, page = playground
    ctx.allow_hosts = []
    url = page_server.url("actions_upload.txt")
    result = await act(ctx, action_type="upload_file", id=await sk_id(page, "#file"), file_url=url)
    assert not result.success and result.error_type == "file_fetch_failed"
    assert "private" in (result.error_message or "")


async def test_hover_shows_the_tooltip(playground: Any) -> None:
    ctx, page = playground
    assert (await act(ctx, action_type="hover", id=await sk_id(page, "#hover-target"))).success
    assert await page.is_visible("#tip")


async def test_scroll_moves_the_page_and_a_container(playground: Any) -> None:
    ctx, page = playground
    down = await act(ctx, action_type="scroll", direction="down")
    assert down.success and down.data["scroll_top"] > 0
    up = await act(ctx, action_type="scroll", direction="up")
    assert up.data["scroll_top"] == 0
    box = await act(ctx, action_type="scroll", id=await sk_id(page, "#box"), direction="down")
    assert box.success and box.data["scroll_top"] > 0


async def test_keypress_sends_enter_to_the_element(playground: Any) -> None:
    ctx, page = playground
    search = await sk_id(page, "#search")
    await act(ctx, action_type="input_text", id=search, text="mugs")
    assert (await act(ctx, action_type="keypress", id=search, key="ENTER")).success
    assert await page.text_content("#search-result") == "searched mugs"


async def test_wait_goto_back_and_reload(playground: Any, page_server: Any) -> None:
    ctx, page = playground
    assert (await act(ctx, action_type="wait", seconds=0.05)).success
    assert (await act(ctx, action_type="goto_url", url=page_server.url("actions_next.html"))).success
    assert await ctx.page.title() == "Next page"
    assert (await act(ctx, action_type="go_back")).success
    assert await ctx.page.title() == "Actions playground"
    assert (await act(ctx, action_type="reload_page")).success


async def test_goto_url_refuses_a_blocked_host(playground: Any) -> None:
    ctx, _page = playground
    result = await act(ctx, action_type="goto_url", url="http://169.254.169.254/latest/meta-data")
    assert not result.success and result.error_type == "navigation_blocked"


async def test_terminal_actions_and_captcha(playground: Any) -> None:
    ctx, _page = playground
    assert (await act(ctx, action_type="complete", data={"done": 1})).data == {"done": 1}
    assert (await act(ctx, action_type="terminate", error_code="E1")).data == {"error_code": "E1"}
    captcha = await act(ctx, action_type="solve_captcha")
    assert not captcha.success and captcha.error_message == "captcha solving is not supported"


async def test_extract_asks_the_llm_and_validates_the_schema(
    browser_session: BrowserSession, page_server: Any, tmp_path: Path
) -> None:
    await open_page(browser_session, page_server.url("actions_form.html"))
    schema = {"type": "object", "properties": {"title": {"type": "string"}}, "required": ["title"]}
    with FakeLLM(['{"name": "x"}', '{"title": "Actions playground"}']) as fake:
        llm = LLMClient(LLMConfig(model=fake.model, api_base=fake.base_url, api_key="test"))
        step = StepRecord(order=0)
        talker = StepTalker(llm, NullSink(), step)
        task = AgentTask(prompt="Read the title", data_extraction_schema=schema)
        ctx = make_ctx(browser_session, tmp_path, task=task, llm=llm, ask=talker)
        result = await act(ctx, action_type="extract")
    assert result.success and result.data == {"title": "Actions playground"}
    assert fake.kinds() == ["extract", "extract"]
    correction = fake.requests[1]["messages"][-1]["content"]
    assert "'title' is a required property" in correction
    assert step.input_tokens > 0 and step.output_tokens > 0


@pytest.mark.parametrize(("css", "name"), [("#attr", "named.csv"), ("#later", "later.csv")])
async def test_click_reports_downloads_started_by_the_link_or_a_later_navigation(
    browser_session: BrowserSession, page_server: Any, tmp_path: Path, css: str, name: str
) -> None:
    page = await open_page(browser_session, page_server.url("download_kinds.html"))
    ctx = make_ctx(browser_session, tmp_path)
    result = await act(ctx, action_type="click", id=await sk_id(page, css))
    assert result.success and result.download_triggered
    assert [path.name for path in await browser_session.wait_downloads(at_least=1)] == [name]


async def test_a_click_that_starts_no_download_does_not_wait_for_one(
    browser_session: BrowserSession, page_server: Any, tmp_path: Path
) -> None:
    page = await open_page(browser_session, page_server.url("download_kinds.html"))
    ctx = make_ctx(browser_session, tmp_path)
    started = time.monotonic()
    result = await act(ctx, action_type="click", id=await sk_id(page, "#plain"))
    assert result.success and not result.download_triggered
    assert await page.text_content("#out") == "done"
    # The old fixed wait alone was 0.4 s on top of the 0.15 s settle; allow for a loaded machine.
    assert time.monotonic() - started < 1.5


async def test_input_text_picks_from_a_menu_without_option_roles(
    browser_session: BrowserSession, page_server: Any, tmp_path: Path
) -> None:
    page = await open_page(browser_session, page_server.url("plain_menu.html"))
    ctx = make_ctx(browser_session, tmp_path)
    result = await act(ctx, action_type="input_text", id=await sk_id(page, "#city"), text="Berlin")
    assert result.success and result.data == {"suggestion": "Berlin"}
    assert await page.text_content("#picked") == "picked Berlin"


async def test_a_click_on_a_target_covered_by_a_just_opened_menu_resolves_at_once(
    browser_session: BrowserSession, page_server: Any, tmp_path: Path
) -> None:
    page = await open_page(browser_session, page_server.url("plain_menu.html"))
    ctx = make_ctx(browser_session, tmp_path)
    typed = await act(ctx, action_type="input_text", id=await sk_id(page, "#city"), text="Zurich")
    assert typed.success and await page.is_visible(".ui-menu")  # "No results" now covers the button
    started = time.monotonic()
    result = await act(ctx, action_type="click", id=await sk_id(page, "#go"))
    assert result.success and await page.text_content("#searched") == "searched Zurich"
    assert time.monotonic() - started < 3.5  # the full timeout alone was 5 s
