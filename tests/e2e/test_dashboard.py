"""The dashboard in a real Chromium against Daphne and a real Celery worker with a scripted LLM.

Set DASHBOARD_SCREENSHOTS=<dir> to also save the README's screenshots while the first test runs.
"""

from __future__ import annotations

import json
import os
import re
import threading
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect, sync_playwright

from runs.choices import RunStatus
from runs.models import TaskRun
from tests.e2e.helpers import wait_until
from tests.support.factories import OrganizationFactory, UserFactory, run_in_status
from tests.support.fake_llm import actions, element_id, page_text, prompt_kind

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]  # fmt: skip
PASSWORD = "pw-secret-123"  # UserFactory's
SCREENSHOTS = os.environ.get("DASHBOARD_SCREENSHOTS")
STATUS = "#run-status .badge"


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    # Playwright's sync API keeps its event loop set on this thread, which makes Django refuse ORM calls
    # from the test body; those calls are plain blocking code here, so allow them for this module.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield browser
        browser.close()
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE")
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def open_page(chromium, daphne_server) -> Iterator[Callable[..., Page]]:
    """open_page(user=None) -> a Page in a fresh context, logged in as `user` when one is given."""
    contexts = []

    def opener(user=None) -> Page:
        context = chromium.new_context(base_url=daphne_server.url, viewport={"width": 1360, "height": 900})
        context.set_default_timeout(30_000)
        context.grant_permissions(["clipboard-read", "clipboard-write"])
        contexts.append(context)
        if user is not None:
            client = Client()
            client.force_login(user)
            cookie = client.cookies["sessionid"].value
            context.add_cookies([{"name": "sessionid", "value": cookie, "url": daphne_server.url}])
        return context.new_page()

    yield opener
    for context in contexts:
        context.close()


def mark_page(page: Page) -> None:
    """A flag that only survives while the document does: proves updates arrived without a reload."""
    page.evaluate("window.__sameDocument = true")


def still_same_document(page: Page) -> bool:
    return page.evaluate("window.__sameDocument === true")


def shoot(page: Page, name: str, *, full_page: bool = False) -> None:
    """Save a README screenshot when DASHBOARD_SCREENSHOTS asks for them."""
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"), full_page=full_page)


def add_history(org) -> None:
    """A few older runs, so the Runs screenshot shows more than one row."""
    if not SCREENSHOTS:
        return
    for status, title, cost in [
        (RunStatus.COMPLETED, "Demo product prices", 0.0123),
        (RunStatus.FAILED, "Log in to the billing portal", 0.031),
        (RunStatus.CANCELED, "Compare flight prices", 0.002),
        (RunStatus.TIMED_OUT, "Large catalogue crawl", 0.21),
    ]:
        started = timezone.now() - timedelta(minutes=30)
        run_in_status(status, organization=org, title=title, total_cost=cost, step_count=3,
                      started_at=started, finished_at=started + timedelta(seconds=47))  # fmt: skip


def application_script(first: threading.Event, second: threading.Event):
    """Fill the demo job application, then complete on its thank-you page. Each planning call waits for
    its event, so the test decides when the run may move on."""

    def script(messages):
        kind, text = prompt_kind(messages), page_text(messages)
        if kind == "verify":
            return '{"goal_achieved": true, "reasoning": "The thank-you page shows a reference"}'
        if kind == "extract":
            return json.dumps({"reference": re.search(r"APP-[0-9A-F]{6}", text).group(0)})
        if "Thank you" in text:
            second.wait(30)
            return actions({"action_type": "complete", "reasoning": "The application was received"})
        first.wait(30)
        field = lambda label: element_id(messages, label)  # noqa: E731
        return actions(
            {"action_type": "input_text", "id": field("Full name"), "text": "Ada Lovelace", "reasoning": "Name"},
            {"action_type": "input_text", "id": field("Email"), "text": "ada@example.com", "reasoning": "Email"},
            {"action_type": "select_option", "id": field("Position"), "option": {"label": "Backend Engineer"},
             "reasoning": "The position asked for"},
            {"action_type": "input_text", "id": field("Years of experience"), "text": "7", "reasoning": "Years"},
            {"action_type": "checkbox", "id": field("I agree"), "is_checked": True, "reasoning": "Terms"},
            {"action_type": "click", "id": field("Submit application"), "reasoning": "Send it"},
        )  # fmt: skip

    return script


@pytest.mark.slow
def test_a_user_launches_a_task_from_discover_and_watches_it_live_to_the_output(
    worker, daphne_server, scripted_llm, open_page, transactional_db
):
    first, second = threading.Event(), threading.Event()
    scripted_llm.script = application_script(first, second)
    org = OrganizationFactory()
    user = UserFactory(organization=org)
    page = open_page()

    # Log in with the keyboard only.
    page.goto("/discover")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.keyboard.type(user.username)  # the username field has focus
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/discover$"))
    expect(page.locator("#llm-banner")).to_have_count(0)

    # An example pill fills the form and opens Advanced settings, where it put the schema.
    page.get_by_role("button", name="Apply for a job (demo)").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_label("Start URL")).to_have_value(daphne_server.url + "/demo/job-application")
    expect(page.locator("#advanced")).to_have_attribute("open", "")
    schema = page.get_by_label("Data extraction schema (JSON Schema)", exact=True)
    expect(schema).to_have_value(re.compile('"reference"'))
    shoot(page, "discover")

    # This test follows skyvern-1.0's steps (the default is skyvern-2.0; see test_worker for its runs).
    page.get_by_label("Engine").select_option("skyvern-1.0")
    # Advanced fields, with the JSON editor judging as you type.
    page.get_by_label("Max steps").fill("6")
    headers = page.get_by_label("Extra HTTP headers (JSON)", exact=True)
    headers.fill('{"X-Demo": ')
    expect(page.locator("#id_extra_http_headers_json_status")).to_contain_text("Not valid JSON")
    expect(headers).to_have_attribute("aria-invalid", "true")
    headers.fill('{"X-Demo": "1"}')
    expect(page.locator("#id_extra_http_headers_json_status")).to_have_text("Valid JSON.")
    page.get_by_label("Error code mapping (JSON)", exact=True).fill('{"closed": "Applications are closed"}')
    page.get_by_label("Include action history in verification").focus()
    page.keyboard.press("Space")
    page.get_by_label("What should the browser do?").focus()
    page.keyboard.press("Control+Enter")

    expect(page).to_have_url(re.compile(r"/runs/tsk_\w+$"))
    run = TaskRun.objects.get(run_id=page.url.rsplit("/", 1)[1])
    assert run.request["max_steps"] == 6 and run.request["extra_http_headers"] == {"X-Demo": "1"}
    assert run.request["error_code_mapping"] == {"closed": "Applications are closed"}
    assert run.request["include_action_history_in_verification"] is True
    assert run.created_by == user and run.organization == org

    # The page is live before the agent acts; the first step's actions then stream in.
    expect(page.locator("#live-indicator")).to_have_text("Live")
    mark_page(page)
    first.set()
    timeline = page.locator("#timeline")
    expect(timeline.locator(".action")).to_have_count(6, timeout=45_000)
    expect(timeline.locator(".action .action-type").first).to_have_text("input_text")
    expect(timeline.locator(".action").first).to_contain_text("Ada Lovelace")
    expect(page.locator(STATUS)).to_have_text("running")
    expect(page.locator("#live-frame")).to_have_attribute("src", re.compile(r"^data:image/jpeg;base64,"))
    expect(page.locator("#fact-steps [data-slot=count]")).not_to_have_text("0")

    second.set()
    expect(page.locator(STATUS)).to_have_text("completed", timeout=45_000)
    output = json.loads(page.locator("#output-json").text_content())
    assert re.fullmatch(r"APP-[0-9A-F]{6}", output["reference"])
    expect(page.locator("video.recording")).to_have_attribute(
        "src", re.compile(r"/artifacts/a_\w+/content\?sig=")
    )
    page.get_by_role("button", name="Copy output").click()
    assert json.loads(page.evaluate("navigator.clipboard.readText()")) == output

    # A screenshot opens full size in a dialog that Escape closes.
    page.locator("#timeline a.thumb").first.click()
    expect(page.locator("#lightbox")).to_be_visible()
    expect(page.locator("#lightbox-img")).to_have_attribute(
        "src", re.compile(r"/artifacts/a_\w+/content\?sig=")
    )
    page.keyboard.press("Escape")
    expect(page.locator("#lightbox")).to_be_hidden()

    # Diagnostics load on demand: the prompt the model was given for step 1.
    diagnostics = page.locator(".diagnostics").first
    diagnostics.locator("summary").focus()
    page.keyboard.press("Enter")
    diagnostics.locator("li", has_text="llm_prompt").first.get_by_role("button").click()
    expect(diagnostics.locator(".diag-body pre").first).to_contain_text("Prompt-Kind: plan")
    expect(page.locator("#cancel-button")).to_have_count(0)
    assert still_same_document(page)
    shoot(page, "run", full_page=True)

    add_history(org)
    page.goto("/runs")
    expect(page.locator(f"#run-{run.run_id} .badge")).to_have_text("completed")
    shoot(page, "runs")


def test_cancel_from_the_run_page_stops_a_running_run(worker, e2e_client, open_page, test_site):
    org, _, client = e2e_client
    body = client.post("/v1/run/tasks", json={"prompt": "Keep clicking Next", "url": test_site.url + "/counter",
                                              "max_steps": 50}).json()  # fmt: skip
    page = open_page(UserFactory(organization=org))
    page.goto(f"/runs/{body['run_id']}")
    expect(page.locator("#timeline .action").first).to_be_visible(timeout=45_000)

    page.locator("#cancel-button").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("Run canceled.")).to_be_visible()
    expect(page.locator(STATUS)).to_have_text("canceled")
    expect(page.locator("#cancel-button")).to_have_count(0)
    assert TaskRun.objects.get(run_id=body["run_id"]).status == RunStatus.CANCELED

    # The worker still saves after the status turned final: the page catches up without a reload.
    mark_page(page)
    reloaded = open_page(UserFactory(organization=org))

    def matches_a_reload() -> bool:
        reloaded.goto(f"/runs/{body['run_id']}")
        return run_state(page) == run_state(reloaded)

    wait_until(matches_a_reload, timeout=40, interval=2, what="the page to match a reload")
    assert still_same_document(page)
    expect(page.locator("#timeline .step .badge-running")).to_have_count(0)


def run_state(page: Page) -> list[str]:
    """What the run page says: steps, totals and the result (in every tab, shown or not)."""
    return page.evaluate(
        """["#timeline", "#fact-steps", "#fact-tokens", "#fact-cost", "#region-result", "#region-recording"].map((s) => {
            const el = document.querySelector(s);
            return el ? el.textContent + Array.from(el.querySelectorAll("video")).length : "";
        })"""
    )


@pytest.mark.slow
def test_the_runs_list_updates_without_reload_and_hides_runs_from_other_organizations(
    worker, e2e_client, open_page, test_site
):
    org, _, client = e2e_client
    page = open_page(UserFactory(organization=org))
    page.goto("/runs")
    expect(page.locator("#live-indicator")).to_have_text("Live")
    mark_page(page)

    run_id = client.post(
        "/v1/run/tasks", json={"prompt": "Sign up as Ada", "url": test_site.url + "/"}
    ).json()["run_id"]
    row = page.locator(f"#run-{run_id}")
    expect(row).to_be_visible()
    expect(row.locator(".badge")).to_have_text("completed", timeout=45_000)
    expect(row).to_contain_text("Sign up as Ada")
    assert still_same_document(page)

    stranger = open_page(UserFactory(organization=OrganizationFactory()))
    assert stranger.goto(f"/runs/{run_id}").status == 404
    stranger.goto("/runs")
    expect(stranger.locator(f"#run-{run_id}")).to_have_count(0)


def test_the_run_page_applies_socket_events_and_rebuilds_from_http_after_a_gap(
    daphne_server, open_page, transactional_db
):
    org = OrganizationFactory()
    run = run_in_status(RunStatus.RUNNING, organization=org)
    page = open_page(UserFactory(organization=org))
    page.goto(f"/runs/{run.run_id}")
    expect(page.locator("#live-indicator")).to_have_text("Live")
    # The rebuild on connect is done. (Polled with evaluate: wait_for_function evals its predicate inside
    # the page, which the dashboard's Content-Security-Policy forbids.)
    wait_until(lambda: page.evaluate("window.RunLive.socket.held === null"), timeout=10, what="the rebuild")

    def receive(seq: int | None, event_type: str, data: dict) -> None:
        event = {"type": event_type, "run_id": run.run_id, "data": data}
        page.evaluate(
            "event => window.RunLive.socket.receive(event)", {**event, **({"seq": seq} if seq else {})}
        )

    receive(1, "step.started", {"step_id": "stp_fake", "order": 0, "retry_index": 0, "status": "running"})
    receive(2, "action", {"action_id": "act_fake", "step_id": "stp_fake", "step_order": 0, "index": 0,
                          "action_type": "click", "element_id": "e7", "reasoning": "Press the button",
                          "text": None, "option": None, "status": "completed", "result": {"success": True},
                          "screenshot_url": None})  # fmt: skip
    receive(
        None,
        "frame",
        {
            "image": "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAP//////////////////////////////////////2wBDAf//////////////////////////////////////wAARCAABAAEDASIAAhEBAxEB/8QAFAABAAAAAAAAAAAAAAAAAAAAAP/EABQQAQAAAAAAAAAAAAAAAAAAAAD/xAAUAQEAAAAAAAAAAAAAAAAAAAAA/8QAFBEBAAAAAAAAAAAAAAAAAAAAAP/aAAwDAQACEQMRAD8AKp//2Q=="
        },
    )
    action = page.locator("#action-act_fake")
    expect(action).to_contain_text("Press the button")
    expect(action).to_contain_text("element e7")
    expect(page.locator("#step-stp_fake")).to_contain_text("Step 1")
    expect(page.locator("#run-announcer")).to_have_text("Step 1 started.")  # for screen readers
    expect(page.locator("#live-frame")).to_be_visible()

    # seq 3 and 4 never arrived: the page asks the server again, which knows no such step.
    with page.expect_response(lambda r: r.url.endswith(f"/runs/{run.run_id}")):
        receive(
            5, "action", {**{"action_id": "act_other", "step_id": "stp_fake", "step_order": 0}, "index": 1}
        )
    expect(page.locator("#step-stp_fake")).to_have_count(0)
    wait_until(lambda: page.evaluate("window.RunLive.socket.held === null"), timeout=10, what="the rebuild")
    expect(page.locator("#timeline-empty")).to_be_visible()


def test_the_run_page_shows_thoughts_and_groups_steps_under_their_mini_goal_live(
    daphne_server, open_page, transactional_db
):
    org = OrganizationFactory()
    run = run_in_status(RunStatus.RUNNING, organization=org)
    page = open_page(UserFactory(organization=org))
    page.goto(f"/runs/{run.run_id}")
    expect(page.locator("#live-indicator")).to_have_text("Live")
    wait_until(
        lambda: page.evaluate("window.RunLive.socket.held === null"), timeout=10, what="the first rebuild"
    )
    tokens = {"input_token_count": 1200, "output_token_count": 60, "thought_cost": 0.0021}
    events = [
        ("thought", {"thought_id": "th_plan", "order": 0, "thought_scenario": "generate_plan",
                     "thought_type": "plan", "thought": "A sign-up form", "answer": '{"plan": "Sign up"}',
                     "observation": "Prompt-Kind: goal_plan", **tokens,
                     "output": {"plan": "Sign up as Ada", "task_type": "navigate"}}),
        ("step.started", {"step_id": "stp_a", "order": 0, "retry_index": 0, "status": "running",
                          "block_index": 0, "block_goal": "Sign up as Ada"}),
        ("step.finished", {"step_id": "stp_a", "order": 0, "retry_index": 0, "status": "completed",
                           "block_index": 0, "block_goal": "Sign up as Ada", "input_token_count": 800,
                           "output_token_count": 40, "step_cost": 0.001}),
        ("thought", {"thought_id": "th_check", "order": 1, "thought_scenario": "user_goal_check",
                     "thought_type": "user_goal_check", "output": {"user_goal_achieved": False}}),
    ]  # fmt: skip
    for seq, (event_type, data) in enumerate(events, start=1):
        page.evaluate(
            "event => window.RunLive.socket.receive(event)",
            {"type": event_type, "run_id": run.run_id, "seq": seq, "data": data},
        )

    items = page.locator("#timeline > li")
    expect(items).to_have_count(3)
    expect(items.nth(0)).to_contain_text("Planning")
    expect(items.nth(0)).to_contain_text("Next mini-goal (navigate): Sign up as Ada")
    expect(items.nth(0)).to_contain_text("1200 in / 60 out tokens · $0.0021")
    expect(items.nth(1).locator(".mini-goal-text")).to_have_text("Sign up as Ada")
    expect(items.nth(1).locator("#step-stp_a")).to_contain_text("Step 1")
    expect(items.nth(2)).to_contain_text("Goal check")
    expect(items.nth(2)).to_contain_text("Not achieved yet")
    expect(page.locator("#fact-tokens")).to_have_text("2000 in / 100 out")


# --- the run page: watchable and debuggable -------------------------------------------------------------

DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}


def page_width_fits(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def wide_elements(page: Page) -> list[str]:
    """What sticks out past the viewport's right edge, for a failure message."""
    return page.evaluate(
        """Array.from(document.querySelectorAll("body *"))
            .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1).slice(0, 8)
            .map((e) => `${e.tagName}.${e.className}#${e.id} ${Math.round(e.getBoundingClientRect().right)}`)"""
    )


def run_with_long_diagnostics(org, settings, e2e_env) -> TaskRun:
    """A finished run whose step has a 20,000-character one-line prompt and a wide screenshot."""
    from django.core.files.base import ContentFile

    from runs.choices import ArtifactType, StepStatus
    from runs.models import Artifact
    from tests.support.factories import StepFactory

    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": e2e_env["ARTIFACTS_DIR"]}}}  # fmt: skip
    run = run_in_status(RunStatus.COMPLETED, organization=org, output={"ok": True})
    step = StepFactory(run=run, order=0, status=StepStatus.COMPLETED)
    Artifact.objects.create(run=run, step=step, artifact_type=ArtifactType.LLM_PROMPT, content_type="text/plain",
                            file=ContentFile(("x" * 20_000).encode(), name="p.txt"))  # fmt: skip
    Artifact.objects.create(run=run, step=step, artifact_type=ArtifactType.LLM_RESPONSE,
                            content_type="application/json",
                            file=ContentFile(json.dumps({"a": "y" * 5000}).encode(), name="r.json"))  # fmt: skip
    return run


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_opened_diagnostics_never_widen_the_page(
    viewport, daphne_server, open_page, transactional_db, settings, e2e_env
):
    org = OrganizationFactory()
    run = run_with_long_diagnostics(org, settings, e2e_env)
    page = open_page(UserFactory(organization=org))
    page.set_viewport_size(viewport)
    page.goto(f"/runs/{run.run_id}")
    assert page_width_fits(page)
    # The Diagnostics tab: files per step, named for people.
    page.get_by_role("tab", name="Diagnostics").click()
    expect(page).to_have_url(re.compile("#diagnostics$"))
    panel = page.locator("#region-diagnostics")
    expect(panel.locator("li", has_text="Prompt").first).to_be_visible()
    expect(page.locator("#region-result")).to_be_hidden()
    for button in panel.get_by_role("button", name=re.compile("Show here")).all():
        button.click()
    expect(panel.locator(".diag-body pre")).to_have_count(2)
    expect(panel.locator(".diag-body pre").first).to_contain_text("xxxxxxxx")
    assert page_width_fits(page)
    shoot(page, f"run-diagnostics-{viewport['width']}")
    # The same files under the step, in the Actions tab (arrow keys move between tabs).
    page.get_by_role("tab", name="Diagnostics").focus()
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    expect(page.get_by_role("tab", name="Actions")).to_have_attribute("aria-selected", "true")
    diagnostics = page.locator(".diagnostics").first
    diagnostics.locator("summary").click()
    diagnostics.get_by_role("button", name=re.compile("Show here")).first.click()
    expect(diagnostics.locator(".diag-body pre").first).to_contain_text("xxxxxxxx")
    assert page_width_fits(page)


def test_steps_sit_beside_the_live_browser_and_the_duration_ticks(daphne_server, open_page, transactional_db):
    from tests.support.factories import StepFactory

    org = OrganizationFactory()
    run = run_in_status(RunStatus.RUNNING, organization=org, started_at=timezone.now() - timedelta(seconds=5))
    StepFactory(run=run, order=0, status="running")
    page = open_page(UserFactory(organization=org))
    page.set_viewport_size(DESKTOP)
    page.goto(f"/runs/{run.run_id}")
    expect(page.locator("#live-indicator")).to_have_text("Live")
    wait_until(lambda: page.evaluate("window.RunLive.socket.held === null"), timeout=10, what="the rebuild")
    live = page.locator("#region-live").bounding_box()
    step = page.locator("#timeline .step").first.bounding_box()
    assert step["y"] + 20 < DESKTOP["height"], "the steps are below the fold"
    assert step["x"] >= live["x"] + live["width"], "the steps are not beside the live browser"
    assert page_width_fits(page)

    duration = page.locator("#fact-duration")
    first = duration.text_content()
    wait_until(lambda: duration.text_content() != first, timeout=5, what="the duration to tick")
    assert duration.text_content().endswith("so far")
    shoot(page, "run-live")


def test_a_run_out_of_steps_shows_why_and_offers_more_steps(worker, e2e_client, open_page, test_site):
    org, _, client = e2e_client
    body = client.post("/v1/run/tasks", json={"prompt": "Keep clicking Next", "url": test_site.url + "/counter",
                                              "engine": "skyvern-1.0", "max_steps": 2}).json()  # fmt: skip
    page = open_page(UserFactory(organization=org))
    page.goto(f"/runs/{body['run_id']}")
    expect(page.locator(STATUS)).to_have_text("failed", timeout=60_000)
    expect(page.locator("#failure")).to_contain_text("used every step it was allowed")
    expect(page.locator("#failure")).to_contain_text("Max steps")
    button = page.get_by_role("button", name="Run again with more steps (4)")
    expect(button).to_be_visible()
    button.click()
    expect(page).to_have_url(re.compile(r"/runs/tsk_\w+$"))
    assert page.url.rsplit("/", 1)[1] != body["run_id"]
    expect(page.locator(".message")).to_contain_text(f"Started again from {body['run_id']}")
    assert TaskRun.objects.get(run_id=page.url.rsplit("/", 1)[1]).max_steps == 4


def test_a_member_creates_and_revokes_a_key_without_admin_rights(daphne_server, open_page, transactional_db):
    import httpx

    org = OrganizationFactory()
    member = UserFactory(organization=org)
    assert not member.is_staff
    page = open_page(member)
    page.goto("/runs")
    page.get_by_role("link", name="API keys").click()
    page.get_by_label("Name").fill("CI pipeline")
    page.get_by_role("button", name="Create key").click()
    raw = page.locator("#new-key-value").text_content().strip()
    page.get_by_role("button", name="Copy key").click()
    expect(page.locator("[data-copy-target=new-key-value]")).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == raw
    api = httpx.Client(base_url=daphne_server.url, headers={"x-api-key": raw}, timeout=30)
    assert api.get("/v1/runs/tsk_none").status_code == 404  # the key is accepted; the run does not exist

    page.goto("/keys")  # shown once: not on the next visit
    expect(page.locator("#new-key-value")).to_have_count(0)
    row = page.locator("#keys-table tr", has_text="CI pipeline")
    row.get_by_role("button", name=re.compile("Revoke")).click()
    expect(page.get_by_text(re.compile("Revoked .* Requests with it now fail"))).to_be_visible()
    expect(page.locator("#keys-table tr", has_text="CI pipeline")).to_contain_text("revoked")
    wait_until(
        lambda: api.get("/v1/runs/tsk_none").status_code in (401, 403),
        timeout=10,
        what="the key to stop working",
    )


# --- accessibility: axe-core on every product page, desktop and phone ------------------------------------

AXE_DIR = Path(__file__).parent / "axe"


@pytest.fixture(scope="module")
def axe_source() -> str:
    """axe-core's browser build, installed from tests/e2e/axe/package-lock.json on first use."""
    script = AXE_DIR / "node_modules" / "axe-core" / "axe.min.js"
    if not script.exists():
        import subprocess

        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=AXE_DIR, check=True, timeout=300)
    return script.read_text()


def serious_violations(page: Page, axe_source: str) -> list[str]:
    page.add_script_tag(content=axe_source)  # the context bypasses the CSP for this one script
    results = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in results["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_axe_finds_no_serious_violation_and_no_page_scrolls_sideways(
    viewport, chromium, daphne_server, transactional_db, axe_source
):
    from runs.models import BrowserSession, Membership

    org = OrganizationFactory()
    user = UserFactory(organization=org)
    Membership.objects.filter(user=user).update(role="admin")  # so /members shows its page
    finished = run_in_status(
        RunStatus.FAILED, organization=org, failure_reason="Reached the maximum steps (10)"
    )
    running = run_in_status(RunStatus.RUNNING, organization=org)
    closed_session = BrowserSession.objects.create(  # the Sessions page lists it under "Recently closed"
        organization=org, status="completed", close_reason="Closed by its owner", completed_at=timezone.now()
    )
    context = chromium.new_context(base_url=daphne_server.url, viewport=viewport, bypass_csp=True)
    try:
        page = context.new_page()
        page.goto("/accounts/login/")
        assert serious_violations(page, axe_source) == [], "login"
        client = Client()
        client.force_login(user)
        context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value,
                              "url": daphne_server.url}])  # fmt: skip
        pages = ["/discover", "/runs", "/keys", "/queue", "/members", f"/runs/{running.run_id}"]
        pages += ["/sessions", f"/sessions/{closed_session.session_id}"]
        pages += [f"/runs/{finished.run_id}#{tab}" for tab in ("overview", "actions", "diagnostics", "code")]
        for path in pages:
            page.goto(path)
            assert serious_violations(page, axe_source) == [], path
            assert page_width_fits(page), f"{path} scrolls sideways: {wide_elements(page)}"
    finally:
        context.close()


def test_on_a_phone_the_header_is_a_menu_that_works_from_the_keyboard(
    daphne_server, open_page, transactional_db
):
    page = open_page(UserFactory(organization=OrganizationFactory()))
    page.set_viewport_size(PHONE)
    page.goto("/runs")
    menu = page.get_by_role("button", name="Menu")
    queue_link = page.get_by_role("navigation", name="Main").get_by_role("link", name="Queue")
    expect(queue_link).to_be_hidden()
    menu.focus()
    page.keyboard.press("Enter")
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(queue_link).to_be_visible()
    assert page_width_fits(page)
    page.keyboard.press("Escape")
    expect(queue_link).to_be_hidden()
    expect(menu).to_be_focused()
    page.keyboard.press("Enter")
    queue_link.click()
    expect(page.get_by_role("heading", name="Queue", level=1)).to_be_visible()
    page.set_viewport_size(DESKTOP)
    expect(menu).to_be_hidden()
    expect(queue_link).to_be_visible()


def test_discover_shows_refusals_as_you_type_and_all_at_once_on_submit(
    daphne_server, open_page, transactional_db
):
    page = open_page(UserFactory(organization=OrganizationFactory()))
    page.goto("/discover")
    expect(page.get_by_label("What should the browser do?")).to_be_focused()
    page.get_by_label("Start URL").fill("example dot com")
    expect(page.locator("#id_url_status")).to_contain_text("not a web address")
    page.get_by_label("Start URL").fill("https://example.com/")
    expect(page.locator("#id_url_status")).to_have_text("")
    page.locator("#advanced > summary").click()
    schema = page.get_by_label("Data extraction schema (JSON Schema)", exact=True)
    schema.fill('{"type": "object", "properties": {"price": {"type": "float"}}}')
    expect(page.locator("#id_data_extraction_schema_json_status")).to_contain_text('"type" is "float"')
    expect(schema).to_have_attribute("aria-invalid", "true")
    schema.fill('{"type": "object", "properties": {"price": {"type": "number"}}}')
    expect(page.locator("#id_data_extraction_schema_json_status")).to_have_text("Valid JSON Schema.")

    page.get_by_label("What should the browser do?").fill("Find the price")
    page.get_by_label("Max steps").fill("100000")
    page.get_by_label("Webhook URL").fill("ftp://example.com/hook")
    page.locator("#run-button").click()
    expect(page.locator("#id_max_steps_error")).to_contain_text("Max steps")
    expect(page.locator("#id_webhook_url_error")).to_be_visible()
    assert not TaskRun.objects.exists()


def test_a_run_queued_with_no_worker_online_says_so(
    daphne_server, celery_worker, open_page, transactional_db
):
    from tests.support.factories import TaskRunFactory

    org = OrganizationFactory()
    # Queued without being handed to the broker, so the worker never takes it while it is still online.
    run = TaskRunFactory(organization=org, status=RunStatus.QUEUED, queued_at=timezone.now())
    page = open_page(UserFactory(organization=org))
    page.goto(f"/runs/{run.run_id}")
    expect(page.locator("#queue-wait")).to_be_hidden()
    celery_worker.stop()  # the `worker` fixture starts it again for the next test that needs it
    expect(page.locator("#queue-wait")).to_be_visible(timeout=30_000)
    expect(page.locator("#queue-wait")).to_contain_text("No worker is online to take this run")
