"""input_text into inputs with a value format of their own (date, time, month, week, colour, range)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from playwright.async_api import Page

from agent.actions import ActionContext
from agent.actions.typed_values import ValueFormatError, canonical, same_value
from agent.browser import BrowserSession
from tests.agent.test_actions import act, make_ctx, open_page, sk_id

pytestmark = pytest.mark.browser  # the pure parsing tests share the module with the Chromium ones


@pytest.mark.parametrize(
    ("input_type", "text", "value"),
    [
        ("date", "2024-03-15", "2024-03-15"),
        ("date", "03/15/2024", "2024-03-15"),
        ("date", "15/03/2024", "2024-03-15"),
        ("date", "March 15th, 2024", "2024-03-15"),
        ("date", "15 Mar 2024", "2024-03-15"),
        ("time", "2:30 PM", "14:30"),
        ("time", "14:30:05", "14:30:05"),
        ("datetime-local", "2024-03-15 14:30", "2024-03-15T14:30"),
        ("datetime-local", "03/15/2024 2:30 pm", "2024-03-15T14:30"),
        ("month", "March 2024", "2024-03"),
        ("week", "2024-W11", "2024-W11"),
        ("week", "2024-03-15", "2024-W11"),
        ("range", "40", "40"),
    ],
)
def test_canonical_reads_common_spellings(input_type: str, text: str, value: str) -> None:
    assert canonical(input_type, text) == value


def test_canonical_refuses_what_it_cannot_read() -> None:
    with pytest.raises(ValueFormatError, match="2024-03-15"):
        canonical("date", "next Tuesday")


def test_same_value_compares_in_the_types_terms() -> None:
    assert same_value("time", "14:30", "14:30:00")
    assert same_value("range", "40", "40.0")
    assert not same_value("date", "2024-03-15", "")


@pytest_asyncio.fixture(loop_scope="session")
async def typed(
    browser_session: BrowserSession, page_server: Any, tmp_path: Path
) -> tuple[ActionContext, Page]:
    page = await open_page(browser_session, page_server.url("typed_inputs.html"))
    return make_ctx(browser_session, tmp_path), page


@pytest.mark.parametrize(
    ("css", "text", "value"),
    [
        ("#date", "03/15/2024", "2024-03-15"),
        ("#time", "2:30 PM", "14:30"),
        ("#meeting", "2024-03-15 14:30", "2024-03-15T14:30"),
        ("#month", "March 2024", "2024-03"),
        ("#week", "2024-W11", "2024-W11"),
        ("#color", "red", "#ff0000"),
        ("#volume", "40", "40"),
    ],
)
async def test_input_text_sets_formatted_inputs_and_fires_change(
    typed: Any, css: str, text: str, value: str
) -> None:
    ctx, page = typed
    result = await act(ctx, action_type="input_text", id=await sk_id(page, css), text=text)
    assert result.success, result.error_message
    assert await page.input_value(css) == value
    assert f"{css[1:]}={value};" in (await page.text_content("#changes") or "")


async def test_input_text_never_reports_success_for_a_value_the_field_did_not_keep(typed: Any) -> None:
    ctx, page = typed
    snapped = await act(ctx, action_type="input_text", id=await sk_id(page, "#volume"), text="42")
    assert not snapped.success and "40" in (snapped.error_message or "")
    unreadable = await act(ctx, action_type="input_text", id=await sk_id(page, "#date"), text="someday")
    assert not unreadable.success and unreadable.error_type == "invalid_value"
    assert await page.input_value("#date") == "2020-01-01"  # a failed attempt does not clear the field
    locked = await act(ctx, action_type="input_text", id=await sk_id(page, "#locked"), text="2024-03-15")
    assert not locked.success and "read-only" in (locked.error_message or "")
    cut = await act(ctx, action_type="input_text", id=await sk_id(page, "#code"), text="12345")
    assert not cut.success and cut.error_type == "value_not_set"
