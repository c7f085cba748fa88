"""Perception against real Chromium and the local pages in tests/agent/pages."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from playwright.async_api import Page

from agent.browser import BrowserConfig, new_session
from agent.dom import ID_ATTRIBUTE, Element, ElementNotFound, Snapshot, locate, snapshot

pytestmark = pytest.mark.browser  # drives Chromium

REPO = Path(__file__).resolve().parents[2]


@pytest_asyncio.fixture(loop_scope="session", scope="module")
async def page(browser, tmp_path_factory) -> AsyncIterator[Page]:
    """One session for this module: every test navigates first, and a new page costs ~0.3 s."""
    config = BrowserConfig(run_dir=tmp_path_factory.mktemp("dom"), allow_private_hosts=["127.0.0.1"])
    session = await new_session(browser, config)
    yield session.page
    await session.close()


async def open_page(page: Page, page_server, name: str) -> Snapshot:
    await page.goto(page_server.url(name))
    return await snapshot(page)


def by_text(snap: Snapshot, name: str) -> Element:
    found = [e for e in snap.elements if e.name == name]
    assert len(found) == 1, f"{name!r} found {len(found)} times in:\n{snap.prompt_text}"
    return found[0]


def line_of(snap: Snapshot, element: Element) -> str:
    return next(line for line in snap.prompt_text.splitlines() if line.startswith(f"{element.id}<"))


async def test_it_describes_form_controls_with_labels_values_and_states(page, page_server):
    snap = await open_page(page, page_server, "form.html")

    assert line_of(snap, by_text(snap, "Submit")) == f"{by_text(snap, 'Submit').id}<button>Submit"
    assert 'label="Full name"' in line_of(snap, by_text(snap, "Full name"))
    assert "value=a@b.c" in line_of(snap, by_text(snap, "Email"))
    assert "checked" in line_of(snap, by_text(snap, "I accept the terms"))
    assert by_text(snap, "Free").attrs["checked"] is True
    assert "checked" not in by_text(snap, "Pro").attrs
    assert "value=1990-05-17" in line_of(snap, by_text(snap, "Birthday"))
    assert by_text(snap, "CV").attrs["type"] == "file"
    assert 'value="Hello there"' in line_of(snap, by_text(snap, "About you"))
    assert "disabled" in line_of(snap, by_text(snap, "Disabled action"))
    assert "# Create your account" in snap.prompt_text.splitlines()
    assert snap.title == "Sign up" and snap.url.endswith("/form.html")


async def test_it_never_leaks_password_values(page, page_server):
    snap = await open_page(page, page_server, "form.html")

    assert by_text(snap, "Password").attrs["value"] == "••••"
    assert "hunter2" not in snap.prompt_text
    assert "hunter2" not in snap.model_dump_json()


async def test_it_lists_select_options_with_the_selected_one(page, page_server):
    snap = await open_page(page, page_server, "form.html")
    country = by_text(snap, "Country")

    assert [(o.label, o.value, o.selected) for o in country.options][1:3] == [
        ("France", "fr", False),
        ("Germany", "de", True),
    ]
    assert "Germany*" in line_of(snap, country)


async def test_it_leaves_out_hidden_inputs_and_shortens_long_and_data_urls(page, page_server):
    snap = await open_page(page, page_server, "form.html")

    assert "tok-123" not in snap.prompt_text
    terms = line_of(snap, by_text(snap, "Read the terms"))
    assert "…" in terms and len(terms) < 120
    assert 'href="data:text/plain,…"' in line_of(snap, by_text(snap, "Inline file"))
    assert "aGVsbG8" not in snap.prompt_text


async def test_it_leaves_out_hidden_elements_of_every_kind(page, page_server):
    snap = await open_page(page, page_server, "hidden.html")

    assert [e.name for e in snap.elements] == ["Visible button"]
    assert "Hidden" not in snap.prompt_text
    assert "Visible paragraph text" in snap.prompt_text


async def test_it_leaves_out_elements_hidden_behind_a_modal(page, page_server):
    snap = await open_page(page, page_server, "modal.html")

    assert [e.name for e in snap.elements] == ["Accept all", "Reject"]
    assert all(e.in_overlay for e in snap.elements)
    assert "Background" not in snap.prompt_text
    assert "We use cookies." in snap.prompt_text
    assert snap.blocked_by_overlay


async def test_it_keeps_dialog_elements_when_the_budget_is_tight(page, page_server):
    await page.goto(page_server.url("modal.html"))
    # Turn the backdrop into a non-blocking banner so the background is listed too.
    await page.evaluate("document.querySelector('.backdrop').remove()")
    await page.evaluate(
        "for (let i = 0; i < 300; i++) document.body.prepend(Object.assign(document.createElement('p'), {textContent: 'filler paragraph number ' + i}))"
    )

    snap = await snapshot(page, max_chars=600)

    assert len(snap.prompt_text) <= 600
    assert "Accept all" in snap.prompt_text and "Reject" in snap.prompt_text
    assert snap.cut_lines > 0 and "more lines cut" in snap.prompt_text


async def test_it_finds_and_clicks_a_button_inside_a_same_origin_iframe(page, page_server):
    snap = await open_page(page, page_server, "iframe.html")
    inner = by_text(snap, "Inner button")

    assert inner.frame.index == 1 and inner.frame.url.endswith("iframe_inner.html")
    assert inner.rect[0] > 30  # placed where the iframe is in the main viewport
    await (await locate(page, inner.id)).click()

    assert await page.frame_locator("#inner").locator("#inner-button").text_content() == "Clicked inside"


async def test_it_gives_iframe_elements_page_unique_ids(page, page_server):
    snap = await open_page(page, page_server, "iframe.html")
    again = await snapshot(page)

    ids = [e.id for e in snap.elements]
    assert len(ids) == len(set(ids)) == 2  # outer + inner; the display:none iframe is left out
    assert [e.id for e in again.elements] == ids


async def test_it_sees_and_drives_elements_inside_an_open_shadow_root(page, page_server):
    snap = await open_page(page, page_server, "shadow.html")
    query = by_text(snap, "Search products")

    await (await locate(page, query.id)).fill("shoes")
    await (await locate(page, by_text(snap, "Go").id)).click()

    assert "Searched shoes" in (await snapshot(page)).prompt_text


async def test_it_lists_a_custom_combobox_and_its_options_once_opened(page, page_server):
    snap = await open_page(page, page_server, "combobox.html")
    combo = by_text(snap, "Choose a fruit")
    assert combo.role == "combobox" and combo.label == "Fruit"
    assert "Apple" not in snap.prompt_text

    await (await locate(page, combo.id)).click()
    opened = await snapshot(page)
    options = [e for e in opened.elements if e.role == "option"]

    assert [o.name for o in options] == ["Apple", "Banana", "Cherry"]  # the spans are not listed apart
    assert opened.element(combo.id).attrs["expanded"] == "true"
    await (await locate(page, options[1].id)).click()
    assert "Chosen: banana" in (await snapshot(page)).prompt_text


async def test_it_puts_what_is_on_screen_first_and_clicks_far_below_by_id(page, page_server):
    snap = await open_page(page, page_server, "long.html")
    top, far = by_text(snap, "Near the top"), by_text(snap, "Far below")

    assert top.in_viewport and not far.in_viewport
    lines = snap.prompt_text.splitlines()
    assert (
        lines.index(line_of(snap, top))
        < lines.index("-- below the visible area --")
        < lines.index(line_of(snap, far))
    )
    await (await locate(page, far.id)).click()
    assert await page.text_content("#far") == "Far clicked"


async def test_it_keeps_elements_scrolled_away_inside_a_scroll_box(page, page_server):
    snap = await open_page(page, page_server, "long.html")

    assert not by_text(snap, "Inside the scroll box").in_viewport


async def test_it_keeps_ids_of_surviving_elements_when_the_page_re_renders(page, page_server):
    snap = await open_page(page, page_server, "rerender.html")
    before = {e.name: e.id for e in snap.elements}

    await (await locate(page, before["Re-render list"])).click()
    after = {e.name: e.id for e in (await snapshot(page)).elements}

    assert after["alpha"] == before["alpha"] and after["gamma"] == before["gamma"]
    assert after["delta"] not in before.values()
    await (await locate(page, before["gamma"])).click()  # reused node, found by its old id
    assert await page.locator("li button").nth(1).text_content() == "gamma clicked"
    with pytest.raises(ElementNotFound):
        await locate(page, before["beta"])


async def test_it_raises_element_not_found_when_the_node_was_replaced(page, page_server):
    snap = await open_page(page, page_server, "rerender.html?timer=1")
    alpha = by_text(snap, "alpha")

    await page.wait_for_function("document.querySelector('li button').textContent === 'fresh'")

    with pytest.raises(ElementNotFound, match=alpha.id):
        await locate(page, alpha.id)
    fresh = by_text(await snapshot(page), "fresh")
    assert int(fresh.id) > max(int(e.id) for e in snap.elements)


async def test_it_lets_a_label_stand_in_for_a_visually_hidden_checkbox(page, page_server):
    snap = await open_page(page, page_server, "custom_checkbox.html")
    news = by_text(snap, "Send me news")

    assert news.tag == "label" and news.role == "checkbox"
    await (await locate(page, news.id)).click()
    assert await page.is_checked("#news")
    assert (await snapshot(page)).element(news.id).attrs["checked"] is True


async def test_it_lists_a_clickable_card_once_and_input_buttons_by_value(page, page_server):
    snap = await open_page(page, page_server, "custom_checkbox.html")

    assert [e.tag for e in snap.elements] == ["label", "input", "div"]
    assert by_text(snap, "Card title card body").tag == "div"
    assert 'value="Save settings"' in snap.prompt_text


async def test_it_writes_ids_into_the_dom_attribute(page, page_server):
    snap = await open_page(page, page_server, "form.html")
    submit = by_text(snap, "Submit")

    assert await page.get_attribute("#submit", ID_ATTRIBUTE) == submit.id


async def test_it_stays_under_the_character_budget(page, page_server):
    await page.goto(page_server.url("form.html"))
    await page.evaluate(
        "for (let i = 0; i < 500; i++) document.body.append(Object.assign(document.createElement('button'), {textContent: 'Button ' + i}))"
    )

    snap = await snapshot(page, max_chars=2_000)

    assert len(snap.prompt_text) <= 2_000
    assert len(snap.elements) > 500  # the element list stays complete; only the prompt is cut
    assert "\n1<" in "\n" + snap.prompt_text


def test_python_m_agent_dom_prints_the_snapshot_as_json(page_server):
    out = subprocess.run(
        [sys.executable, "-m", "agent.dom", page_server.url("form.html"), "--allow", "127.0.0.1"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )

    data = json.loads(out.stdout)
    assert data["title"] == "Sign up"
    assert any(e["text"] == "Submit" for e in data["elements"])
    assert "prompt_text" in data


async def test_it_lists_only_the_native_modal_dialog_when_one_is_open(page, page_server):
    snap = await open_page(page, page_server, "dialog.html")

    assert [e.name for e in snap.elements] == ["Delete", "Keep"]
    assert "Delete this file?" in snap.prompt_text and snap.blocked_by_overlay


async def test_it_keeps_content_of_a_fixed_app_shell_that_covers_the_viewport(page, page_server):
    snap = await open_page(page, page_server, "app_shell.html")

    older = by_text(snap, "Load older messages")
    assert not older.in_viewport and "Home" in snap.prompt_text
    assert not snap.blocked_by_overlay
    await (await locate(page, older.id)).click()


async def test_it_marks_disabled_select_options(page, page_server):
    snap = await open_page(page, page_server, "form.html")

    assert "Spain (disabled)" in line_of(snap, by_text(snap, "Country"))
    assert [o.disabled for o in by_text(snap, "Country").options] == [False, False, False, True]


async def test_it_reads_a_cross_origin_iframe_too(page, page_server):
    port = page_server.base_url.rsplit(":", 1)[1]
    await page.goto(page_server.url("iframe.html"))
    async with page.expect_event("framenavigated", lambda f: f.url.startswith("http://localhost")) as nav:
        await page.evaluate(
            f"document.querySelector('#inner').src = 'http://localhost:{port}/iframe_inner.html'"
        )
    await (await nav.value).wait_for_load_state()

    snap = await snapshot(page)

    inner = by_text(snap, "Inner button")
    assert inner.frame.url.startswith("http://localhost:")
    await (await locate(page, inner.id)).click()
    assert await page.frame_locator("#inner").locator("#inner-button").text_content() == "Clicked inside"


async def test_it_names_elements_from_labelledby_alt_title_and_name(page, page_server):
    snap = await open_page(page, page_server, "labels.html")

    assert by_text(snap, "Quantity").attrs["value"] == "2"
    assert by_text(snap, "Shopping cart").tag == "a"
    assert by_text(snap, "×").label == "Close window"
    assert "name=coupon_code" in snap.prompt_text  # no label at all, so the form name is shown
    assert by_text(snap, "More details").role == "button"
    assert by_text(snap, "Editable note").attrs["contenteditable"] is True
    assert by_text(snap, "Dark mode").attrs["checked"] == "true"
    assert "Plan | Price" in snap.prompt_text and "Pro | $10" in snap.prompt_text


async def test_it_survives_a_snapshot_taken_while_the_page_navigates(page, page_server):
    await page.goto(page_server.url("form.html"))
    await page.evaluate(f"setTimeout(() => location.href = {page_server.url('labels.html')!r}, 0)")

    snap = await snapshot(page)

    assert snap.title in {"Sign up", "Labels"}


async def test_it_lists_elements_whose_click_handler_is_bound_in_script(page, page_server):
    snap = await open_page(page, page_server, "script_handlers.html")
    prev = by_text(snap, "Prev")
    assert prev.tag == "a" and "Next" in {e.name for e in snap.elements}
    assert "Focusable widget" in {e.name for e in snap.elements}  # tabindex=0
    assert "Pointer card inherits the cursor" in {
        e.name for e in snap.elements
    }  # listed once, with its child
    assert not [e for e in snap.elements if e.name in ("Just text, no handler", "inherits the cursor")]
    await (await locate(page, prev.id)).click()
    assert await page.text_content("#month") == "February 2024"
    # Asked once: a second snapshot keeps the ids without asking again.
    again = await snapshot(page)
    assert by_text(again, "Prev").id == prev.id
