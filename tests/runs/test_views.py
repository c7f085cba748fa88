"""Dashboard pages rendered from the database: access, Discover, the runs list, the run page, its buttons."""

import json
import re
import shlex
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from runs.choices import ActionStatus, ArtifactType, RunEngine, RunStatus, RunType, StepStatus
from runs.models import Action, Artifact, TaskRun, Thought
from runs.services.proxies import proxy_url_for
from tests.support.factories import (
    OrganizationFactory,
    StepFactory,
    TaskRunFactory,
    UserFactory,
    run_in_status,
)

pytestmark = pytest.mark.django_db

GOOD_SCHEMA = {"type": "object", "properties": {"price": {"type": "number"}}}


@pytest.fixture(autouse=True)
def _isolated(settings, no_worker, monkeypatch):
    # Asking the broker which workers are online is the outside world; a test that cares sets its answer.
    monkeypatch.setattr("runs.dispatch.browser_workers_online", lambda: None)
    settings.SKYVERN_ALLOW_PRIVATE_HOSTS = []
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed, not security
    settings.SKYVERN_LLM_MODEL = "openai/test"


@pytest.fixture
def member(org):
    return UserFactory(organization=org)


@pytest.fixture
def browser(member) -> Client:
    client = Client()
    client.force_login(member)
    return client


class LabelAudit(HTMLParser):
    """Collects form controls and the ids that a <label for> points at."""

    def __init__(self) -> None:
        super().__init__()
        self.controls: list[dict] = []
        self.label_targets: set[str] = set()

    def handle_starttag(self, tag, attrs) -> None:
        attrs = dict(attrs)
        if tag == "label" and attrs.get("for"):
            self.label_targets.add(attrs["for"])
        hidden = attrs.get("type") in ("hidden", "submit")
        if tag in ("input", "select", "textarea") and not hidden:
            self.controls.append(attrs)


# --- access ---------------------------------------------------------------------------------------


def test_pages_send_anonymous_visitors_to_the_login_page(client):
    response = client.get("/runs")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_home_page_is_discover(browser):
    assert browser.get("/")["Location"] == "/discover"


def test_a_user_without_an_organization_is_told_so(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("loner", password="x"))
    response = client.get("/discover")
    assert response.status_code == 403
    assert b"has no organization" in response.content


def test_the_login_page_labels_its_fields(client):
    audit = LabelAudit()
    audit.feed(client.get("/accounts/login/").content.decode())
    assert {c["id"] for c in audit.controls} <= audit.label_targets


# --- Discover -------------------------------------------------------------------------------------


def test_discover_labels_every_control_including_advanced_settings(browser):
    html = browser.get("/discover").content.decode()
    audit = LabelAudit()
    audit.feed(html)
    names = {c["name"] for c in audit.controls}
    assert {"prompt", "url", "engine", "data_extraction_schema", "error_code_mapping", "max_steps", "webhook_url",
            "proxy_location", "proxy_country", "totp_identifier", "totp_url", "browser_session_id",
            "browser_address", "user_agent", "extra_http_headers", "title",
            "include_action_history_in_verification", "publish_workflow"} <= names  # fmt: skip
    unlabelled = [c["name"] for c in audit.controls if c.get("id") not in audit.label_targets]
    assert unlabelled == []


def test_discover_focuses_the_prompt_and_shows_step_defaults_and_limits(browser, settings):
    settings.SKYVERN_MAX_STEPS_LIMIT = 75
    html = browser.get("/discover").content.decode()
    assert re.search(r'<textarea name="prompt"[^>]* autofocus', html)
    assert 'placeholder="default 10"' in html and "at most 75" in html


def test_discover_offers_example_tasks_against_the_demo_pages(browser):
    html = browser.get("/discover").content.decode()
    assert "http://testserver/demo/job-application" in html
    assert "http://testserver/demo/products" in html


def test_discover_warns_when_no_llm_is_configured(browser, settings):
    settings.SKYVERN_LLM_MODEL = ""
    html = browser.get("/discover").content.decode()
    assert "No LLM is configured" in html and "SKYVERN_LLM_MODEL" in html
    settings.SKYVERN_LLM_MODEL = "openai/gpt-4o-mini"
    assert "No LLM is configured" not in browser.get("/discover").content.decode()


def test_submitting_discover_starts_a_run_with_every_advanced_field(browser, org, member):
    response = browser.post("/discover", {
        "prompt": "Find the price", "url": "example.com", "engine": "skyvern-1.0", "title": "Price check",
        "data_extraction_schema": json.dumps(GOOD_SCHEMA), "error_code_mapping": '{"sold_out": "No stock"}',
        "max_steps": "7", "extra_http_headers": '{"Accept-Language": "fr"}', "user_agent": "TestAgent/1.0",
        "include_action_history_in_verification": "on", "max_screenshot_scrolls": "2",
    })  # fmt: skip
    run = TaskRun.objects.get()
    assert response["Location"] == f"/runs/{run.run_id}"
    assert (run.organization, run.created_by, run.status) == (org, member, RunStatus.QUEUED)
    assert run.url == "https://example.com"
    assert run.request["data_extraction_schema"] == GOOD_SCHEMA
    assert run.request["error_code_mapping"] == {"sold_out": "No stock"}
    assert run.request["extra_http_headers"] == {"Accept-Language": "fr"}
    assert (run.max_steps, run.title, run.request["user_agent"]) == (7, "Price check", "TestAgent/1.0")
    assert run.request["include_action_history_in_verification"] is True
    assert run.request["max_screenshot_scrolls"] == 2


def test_discover_sends_max_iterations_to_the_planner(browser):
    browser.post("/discover", {"prompt": "Do it", "engine": "skyvern-2.0", "max_iterations": "4"})

    assert TaskRun.objects.get().request["max_iterations"] == 4


def test_invalid_json_is_shown_next_to_its_field_and_starts_nothing(browser):
    response = browser.post(
        "/discover", {"prompt": "x", "engine": "skyvern-1.0", "extra_http_headers": "{oops"}
    )
    html = response.content.decode()
    assert response.status_code == 200 and not TaskRun.objects.exists()
    assert re.search(r'id="id_extra_http_headers_error">Not valid JSON', html)
    assert '<details class="advanced" id="advanced" open' in html  # the error is not hidden in a closed panel


@pytest.mark.parametrize(
    ("fields", "error_field", "words"),
    [
        ({"engine": "ui-tars"}, "engine", "not supported"),
        ({"url": "http://127.0.0.1:9/admin"}, "url", "not allowed"),
        ({"webhook_url": "ftp://example.com/hook"}, "webhook_url", "http"),
        ({"browser_session_id": "pbs_1"}, "browser_session_id", "not found"),
        ({"data_extraction_schema": '{"type": 12}'}, "data_extraction_schema", "JSON Schema"),
        ({"max_steps": "100000"}, "max_steps", "between"),
    ],
)
def test_the_run_rules_refusals_appear_inline_on_the_right_field(
    browser, fields, error_field, words, monkeypatch
):
    # Whatever engines the agent has registered by now: this server "runs" only the two Skyvern ones.
    supported = frozenset({"skyvern-1.0", "skyvern-2.0"})
    monkeypatch.setattr("runs.services.run_requests.engines_supported", lambda: supported)
    response = browser.post("/discover", {"prompt": "Do it", "engine": "skyvern-1.0", **fields})
    match = re.search(rf'id="id_{error_field}_error">([^<]*)<', response.content.decode())
    assert match, f"no error shown for {error_field}"
    assert words in match.group(1)
    assert not TaskRun.objects.exists()


def test_proxy_location_takes_a_configured_name_or_a_country(browser, settings):
    settings.SKYVERN_PROXY_MAP = {"RESIDENTIAL_GB": "http://proxy.example:3128"}
    base = {"prompt": "Do it", "engine": "skyvern-1.0"}
    browser.post("/discover", {**base, "proxy_location": "NONE"})
    browser.post("/discover", {**base, "proxy_location": "geo", "proxy_country": "gb"})
    proxies = [proxy_url_for(run.request.get("proxy_location")) for run in TaskRun.objects.order_by("id")]
    assert proxies == [None, "http://proxy.example:3128"]  # the browser gets the GB proxy
    browser.post("/discover", {**base, "proxy_country": "GB", "proxy_city": "London"})
    latest = TaskRun.objects.order_by("-id").first()
    assert latest.request["proxy_location"] == {"country": "GB", "city": "London"}  # echoed as sent
    assert proxy_url_for(latest.request["proxy_location"]) == "http://proxy.example:3128"  # the GB proxy
    settings.SKYVERN_PROXY_STRICT = True
    refused = browser.post("/discover", {**base, "proxy_location": "RESIDENTIAL_JP"})
    assert re.search(r'id="id_proxy_location_error">[^<]*not configured', refused.content.decode())


def test_edit_and_run_again_prefills_discover_from_a_run(browser, org):
    run = TaskRunFactory(organization=org, request={"prompt": "Old task", "url": "https://a.example",
                         "engine": "skyvern-1.0", "data_extraction_schema": GOOD_SCHEMA,
                         "proxy_location": {"country": "GB"}})  # fmt: skip
    html = browser.get(f"/discover?from={run.run_id}").content.decode()
    assert "Old task</textarea>" in html and 'value="https://a.example"' in html
    assert "&quot;price&quot;" in html and '<option value="geo" selected>' in html


# --- runs list ------------------------------------------------------------------------------------


def test_the_runs_list_shows_only_the_organizations_runs(browser, org):
    mine = TaskRunFactory(organization=org, title="Mine")
    theirs = TaskRunFactory(organization=OrganizationFactory(), title="Theirs")
    html = browser.get("/runs").content.decode()
    assert mine.run_id in html and theirs.run_id not in html


def test_the_runs_list_filters_by_status_engine_and_search(browser, org):
    done = run_in_status(RunStatus.COMPLETED, organization=org, prompt="Buy socks")
    failed = run_in_status(RunStatus.FAILED, organization=org, prompt="Sell hats")
    by_status = browser.get("/runs?status=completed").content.decode()
    assert done.run_id in by_status and failed.run_id not in by_status
    by_search = browser.get("/runs?q=hats").content.decode()
    assert failed.run_id in by_search and done.run_id not in by_search
    assert done.run_id not in browser.get("/runs?engine=openai-cua").content.decode()


def test_the_runs_list_pages_and_keeps_filters_in_page_links(browser, org):
    for _ in range(27):
        run_in_status(RunStatus.COMPLETED, organization=org)
    html = browser.get("/runs?status=completed").content.decode()
    assert html.count('data-run-id="') == 25
    assert 'href="?status=completed&amp;page=2"' in html
    assert browser.get("/runs?status=completed&page=2").content.decode().count('data-run-id="') == 2


def test_a_run_row_fragment_follows_the_lists_filters(browser, org):
    run = run_in_status(RunStatus.COMPLETED, organization=org, title="Row me")
    assert b"Row me" in browser.get(f"/runs/{run.run_id}/fragments/row").content
    assert browser.get(f"/runs/{run.run_id}/fragments/row?status=failed").status_code == 204
    other = TaskRunFactory(organization=OrganizationFactory())
    assert browser.get(f"/runs/{other.run_id}/fragments/row").status_code == 404


# --- run page -------------------------------------------------------------------------------------


def finished_run(org) -> TaskRun:
    run = run_in_status(RunStatus.COMPLETED, organization=org, output={"price": 19.99}, step_count=1,
                        input_tokens=1200, output_tokens=80, total_cost=0.0031, title="Price check")  # fmt: skip
    step = StepFactory(run=run, order=0, status=StepStatus.COMPLETED, input_token_count=1200)
    shot = Artifact.objects.create(run=run, step=step, artifact_type=ArtifactType.SCREENSHOT_ACTION,
                                   file=ContentFile(b"png", name="a.png"), content_type="image/png")  # fmt: skip
    Artifact.objects.create(run=run, step=step, artifact_type=ArtifactType.LLM_PROMPT,
                            file=ContentFile(b"the prompt", name="p.txt"), content_type="text/plain")  # fmt: skip
    Artifact.objects.create(run=run, artifact_type=ArtifactType.RECORDING,
                            file=ContentFile(b"webm", name="v.webm"), content_type="video/webm")  # fmt: skip
    Action.objects.create(step=step, index=0, action_type="click", element_id="e12", reasoning="Open the shop",
                          status=ActionStatus.COMPLETED, result={"success": True}, screenshot=shot)  # fmt: skip
    return run


def test_a_finished_run_page_shows_result_timeline_video_and_diagnostics(browser, org):
    run = finished_run(org)
    html = browser.get(f"/runs/{run.run_id}").content.decode()
    assert "&quot;price&quot;: 19.99" in html  # the output, pretty-printed
    assert "Open the shop" in html and "element e12" in html and "Succeeded" in html
    assert re.search(r'<video[^>]+src="http[^"]+/artifacts/a_[^"]+\?sig=', html)
    assert "llm_prompt" in html and "$0.0031" in html and "1200 in / 80 out" in html
    assert 'id="cancel-button"' not in html and 'data-active="0"' in html


def test_a_running_run_page_has_cancel_and_the_live_view(browser, org):
    run = run_in_status(RunStatus.RUNNING, organization=org)
    html = browser.get(f"/runs/{run.run_id}").content.decode()
    assert 'id="cancel-button"' in html and 'id="live-frame"' in html
    assert f'data-ws-path="/ws/runs/{run.run_id}/"' in html and 'data-active="1"' in html


def test_a_failed_run_page_says_why(browser, org):
    run = run_in_status(RunStatus.FAILED, organization=org, failure_reason="The login was refused",
                        errors=[{"error_code": "login_failed"}])  # fmt: skip
    html = browser.get(f"/runs/{run.run_id}").content.decode()
    assert "The login was refused" in html and "login_failed" in html


def test_a_run_out_of_steps_says_so_and_offers_more_steps(browser, org):
    run = run_in_status(RunStatus.FAILED, organization=org, max_steps=10,
                        failure_reason="Reached the maximum steps (10)")  # fmt: skip
    html = browser.get(f"/runs/{run.run_id}").content.decode()
    assert "used every step it was allowed" in html
    assert 'id="more-steps-button"' in html and 'name="max_steps" value="20"' in html
    assert "Reached the maximum steps (10)" in html  # the raw text stays on the page


def test_known_failures_name_the_setting_to_check(browser, org, settings):
    settings.SKYVERN_LLM_API_BASE = "http://127.0.0.1:9/v1"
    unreachable = run_in_status(RunStatus.FAILED, organization=org,
                                failure_reason="litellm.APIConnectionError: Connection refused")  # fmt: skip
    html = browser.get(f"/runs/{unreachable.run_id}").content.decode()
    assert "model endpoint could not be reached" in html and "http://127.0.0.1:9/v1" in html
    assert "SKYVERN_LLM_API_BASE" in html
    dns = run_in_status(RunStatus.FAILED, organization=org,
                        failure_reason="page.goto: net::ERR_NAME_NOT_RESOLVED at https://nope.invalid/")  # fmt: skip
    assert "name does not resolve" in browser.get(f"/runs/{dns.run_id}").content.decode()


def test_failure_messages_number_steps_from_one(browser, org):
    run = run_in_status(RunStatus.FAILED, organization=org,
                        failure_reason="Step 0 failed 3 times; last error: no element e9")  # fmt: skip
    html = browser.get(f"/runs/{run.run_id}").content.decode()
    overview, diagnostics = html.split('id="region-diagnostics"')
    assert "Step 1 failed after 3 attempts" in overview and "Step 0" not in overview
    assert "Step 0 failed 3 times" in diagnostics  # the raw text, for whoever needs it


def test_a_failed_step_shows_its_error_and_retries_are_not_counted_as_steps(browser, org):
    run = run_in_status(RunStatus.FAILED, organization=org)
    for retry in range(3):
        step = StepFactory(run=run, order=0, retry_index=retry, status=StepStatus.FAILED)
        Action.objects.create(step=step, index=0, action_type="click", status=ActionStatus.FAILED,
                              result={"success": False, "error_message": "Element e9 is hidden"})  # fmt: skip
    html = browser.get(f"/runs/{run.run_id}").content.decode()
    assert html.count('class="step-error"') == 3 and "Element e9 is hidden" in html
    assert re.search(r'id="fact-steps"><span data-slot="count">1</span>', html)


def test_a_finished_run_page_has_tabs_and_names_diagnostics_for_people(browser, org):
    run = finished_run(org)
    html = browser.get(f"/runs/{run.run_id}").content.decode()
    for tab in ("overview", "actions", "recording", "diagnostics", "code"):
        assert f'data-tab="{tab}"' in html and f'data-tab-panel="{tab}"' in html
    assert "Prompt <span" in html and "llm_prompt" in html
    assert 'id="diag-file-' in html  # the Diagnostics tab's own copy of the step's files


def test_a_running_run_page_has_no_tabs(browser, org):
    run = run_in_status(RunStatus.RUNNING, organization=org)
    assert 'id="run-tabs"' not in browser.get(f"/runs/{run.run_id}").content.decode()


def test_a_running_run_page_ticks_its_duration_and_a_just_finished_one_keeps_listening(browser, org):
    from django.utils import timezone

    running = run_in_status(RunStatus.RUNNING, organization=org, started_at=timezone.now())
    html = browser.get(f"/runs/{running.run_id}").content.decode()
    assert re.search(r'id="fact-duration" data-started="[^"]+"', html)
    assert 'id="run-announcer"' in html and 'aria-live="polite"' in html
    just = run_in_status(RunStatus.CANCELED, organization=org, finished_at=timezone.now())
    assert 'data-settling="1"' in browser.get(f"/runs/{just.run_id}").content.decode()
    old = run_in_status(RunStatus.CANCELED, organization=org, finished_at=timezone.now() - timedelta(hours=1))
    assert 'data-settling="0"' in browser.get(f"/runs/{old.run_id}").content.decode()


def test_a_skyvern_2_run_page_shows_its_thoughts_and_each_step_under_its_mini_goal(browser, org):
    run = run_in_status(
        RunStatus.COMPLETED, organization=org, engine=RunEngine.SKYVERN_V2, run_type=RunType.TASK_V2
    )
    plan = Thought.objects.create(
        run=run, order=0, thought_type="plan", thought_scenario="generate_plan", thought="A sign-up form",
        output={"plan": "Sign up as Ada", "task_type": "navigate"}, observation="Prompt-Kind: goal_plan …",
        answer='{"plan": "Sign up as Ada"}', input_token_count=900, output_token_count=40, thought_cost=0.0012,
    )  # fmt: skip
    steps = [StepFactory(run=run, order=n, block_index=0, block_goal="Sign up as Ada") for n in (0, 1)]
    check = Thought.objects.create(run=run, order=1, thought_type="user_goal_check",
                                   thought_scenario="user_goal_check", output={"user_goal_achieved": True})  # fmt: skip
    start = plan.created_at
    for offset, row in enumerate([plan, *steps, check]):  # the order they happened in
        type(row).objects.filter(pk=row.pk).update(created_at=start + timedelta(seconds=offset))

    html = browser.get(f"/runs/{run.run_id}").content.decode()

    where = [html.index(text) for text in ("Planning", 'id="mini-goal-0"', "Step 1", "Step 2", "Goal check")]
    assert where == sorted(where)
    assert "Next mini-goal (navigate): Sign up as Ada" in html and "A sign-up form" in html
    assert "900 in / 40 out tokens · $0.0012" in html and "Prompt-Kind: goal_plan" in html
    assert "The goal is achieved" in html and "Mini-goal 1</h3>" in html


def test_another_organizations_run_is_not_found(browser):
    run = TaskRunFactory(organization=OrganizationFactory())
    assert browser.get(f"/runs/{run.run_id}").status_code == 404
    assert browser.post(f"/runs/{run.run_id}/cancel").status_code == 404


def test_the_run_page_has_snippets_that_reproduce_the_request(browser, org):
    request = {"prompt": "Say 'hi'", "url": "https://example.com", "engine": "skyvern-1.0", "max_steps": 5,
               "data_extraction_schema": GOOD_SCHEMA, "publish_workflow": False, "title": None}  # fmt: skip
    run = TaskRunFactory(organization=org, request=request)
    context = browser.get(f"/runs/{run.run_id}").context
    curl = shlex.split(context["curl"].replace("\\\n", " "))
    assert json.loads(curl[curl.index("-d") + 1]) == {
        k: v for k, v in request.items() if v not in (None, False)
    }
    compile(context["python"], "snippet.py", "exec")
    assert "run_task(" in context["python"] and "max_steps=5" in context["python"]


# --- buttons --------------------------------------------------------------------------------------


def test_cancel_stops_an_active_run(browser, org):
    run = run_in_status(RunStatus.QUEUED, organization=org)
    response = browser.post(f"/runs/{run.run_id}/cancel", follow=True)
    run.refresh_from_db()
    assert run.status == RunStatus.CANCELED
    assert b"Run canceled." in response.content


def test_run_buttons_need_post_and_a_csrf_token(org, member):
    run = run_in_status(RunStatus.QUEUED, organization=org)
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    assert client.get(f"/runs/{run.run_id}/cancel").status_code == 405
    assert client.post(f"/runs/{run.run_id}/cancel").status_code == 403
    run.refresh_from_db()
    assert run.status == RunStatus.QUEUED


def test_rerun_starts_a_new_run_with_the_same_request(browser, org):
    run = run_in_status(RunStatus.COMPLETED, organization=org, request={
        "prompt": "Again", "url": "https://example.com", "engine": "skyvern-1.0", "max_steps": 3})  # fmt: skip
    response = browser.post(f"/runs/{run.run_id}/rerun")
    new = TaskRun.objects.exclude(pk=run.pk).get()
    assert response["Location"] == reverse("runs:detail", args=[new.run_id])
    assert (new.prompt, new.max_steps, new.status) == ("Again", 3, RunStatus.QUEUED)


def test_a_rerun_links_back_to_the_run_it_came_from(browser, org):
    run = run_in_status(RunStatus.COMPLETED, organization=org, request={
        "prompt": "Again", "url": "https://example.com", "engine": "skyvern-1.0", "max_steps": 3})  # fmt: skip
    html = browser.post(f"/runs/{run.run_id}/rerun", follow=True).content.decode()
    assert f'Started again from <a class="mono" href="/runs/{run.run_id}">{run.run_id}</a>' in html


def test_a_rerun_and_its_source_link_to_each_other_on_every_visit(browser, org):
    run = run_in_status(RunStatus.COMPLETED, organization=org, request={
        "prompt": "Again", "url": "https://example.com", "engine": "skyvern-1.0", "max_steps": 3})  # fmt: skip
    browser.post(f"/runs/{run.run_id}/rerun")
    new = TaskRun.objects.exclude(pk=run.pk).get()
    assert new.rerun_of == run
    browser.get(f"/runs/{new.run_id}")  # the one-time message is spent; the links stay
    new_html = browser.get(f"/runs/{new.run_id}").content.decode()
    assert f'Rerun of <a class="mono" href="/runs/{run.run_id}">{run.run_id}</a>' in new_html
    old_html = browser.get(f"/runs/{run.run_id}").content.decode()
    assert f'Reruns: <a class="mono" href="/runs/{new.run_id}">{new.run_id}</a>' in old_html


def test_run_again_with_more_steps_raises_the_limit(browser, org):
    run = run_in_status(RunStatus.FAILED, organization=org, request={
        "prompt": "Again", "url": "https://example.com", "engine": "skyvern-1.0", "max_steps": 3})  # fmt: skip
    browser.post(f"/runs/{run.run_id}/rerun", {"max_steps": "6"})
    new = TaskRun.objects.exclude(pk=run.pk).get()
    assert (new.max_steps, new.rerun_of) == (6, run)


def test_resending_the_webhook_reports_the_delivery(browser, org, monkeypatch):
    sent = []
    monkeypatch.setattr("runs.dashboard.run_actions.webhook_send",
                        lambda run: sent.append(run.pk) or {"status_code": 200, "latency_ms": 12, "error": None})  # fmt: skip
    run = run_in_status(RunStatus.COMPLETED, organization=org, webhook_url="https://hooks.example/x")
    response = browser.post(f"/runs/{run.run_id}/webhook", follow=True)
    assert sent == [run.pk]
    assert b"Webhook delivered: HTTP 200 in 12 ms." in response.content


# --- API keys, for members ------------------------------------------------------------------------------


def test_a_member_creates_a_key_that_is_shown_once_and_works(browser, org):
    from runs.selectors import api_key_find

    response = browser.post("/keys", {"name": "CI pipeline"})
    raw = re.search(r'id="new-key-value"[^>]*>([^<]+)<', response.content.decode())[1]
    assert api_key_find(raw=raw).organization == org
    listing = browser.get("/keys").content.decode()
    assert "CI pipeline" in listing and raw not in listing


def test_a_member_revokes_one_key_of_their_organization_only(browser, org):
    from runs.services import api_key_create

    mine, _ = api_key_create(organization=org, name="old")
    kept, _ = api_key_create(organization=org, name="kept")
    foreign, _ = api_key_create(organization=OrganizationFactory(), name="theirs")
    assert browser.post(f"/keys/{foreign.key_id}/revoke").status_code == 404
    browser.post(f"/keys/{mine.key_id}/revoke")
    mine.refresh_from_db(), kept.refresh_from_db(), foreign.refresh_from_db()
    assert mine.revoked_at and not kept.revoked_at and not foreign.revoked_at
    assert "theirs" not in browser.get("/keys").content.decode()


def test_discover_shows_every_refusal_at_once_with_the_labels_people_see(browser, monkeypatch):
    monkeypatch.setattr("runs.services.run_requests.engines_supported", lambda: frozenset({"skyvern-1.0"}))
    response = browser.post("/discover", {"prompt": "Do it", "engine": "skyvern-1.0", "max_steps": "100000",
                                          "url": "http://127.0.0.1:9/admin", "webhook_url": "ftp://x/hook"})  # fmt: skip
    html = response.content.decode()
    for field in ("url", "webhook_url", "max_steps"):
        assert f'id="id_{field}_error"' in html, field
    assert not TaskRun.objects.exists()
    max_steps_error = re.search(r'id="id_max_steps_error">([^<]*)<', html)[1]
    assert "Max steps" in max_steps_error and "max_steps" not in max_steps_error


def test_discover_greys_out_engines_the_server_would_refuse_with_the_reason(browser, monkeypatch):
    monkeypatch.setattr(
        "runs.dashboard.forms.engines_supported", lambda: frozenset({"skyvern-1.0", "skyvern-2.0"})
    )
    html = browser.get("/discover").content.decode()
    refused = re.search(r'<option value="openai-cua"[^>]*>([^<]*)<', html)
    assert refused and "disabled" in refused[0] and "not available" in refused[1]
    assert "disabled" not in re.search(r'<option value="skyvern-1.0"[^>]*>', html)[0]


def test_the_runs_list_finds_a_run_by_its_id_and_says_why_a_run_failed(browser, org):
    failed = run_in_status(RunStatus.FAILED, organization=org, failure_reason="The login was refused")
    run_in_status(RunStatus.COMPLETED, organization=org)
    html = browser.get("/runs", {"q": failed.run_id}).content.decode()
    assert html.count('class="run-row"') == 1 and "The login was refused" in html
    assert f'data-href="/runs/{failed.run_id}"' in html


def test_a_live_pages_re_read_leaves_messages_for_the_next_page(browser, org):
    run = run_in_status(RunStatus.RUNNING, organization=org)
    browser.post(f"/runs/{run.run_id}/cancel")
    rebuild = browser.get(f"/runs/{run.run_id}", headers={"X-Live-Rebuild": "1"}).content.decode()
    assert "Run canceled." not in rebuild
    assert "Run canceled." in browser.get(f"/runs/{run.run_id}").content.decode()


def test_each_runs_list_row_offers_cancel_or_rerun(browser, org):
    running = run_in_status(RunStatus.RUNNING, organization=org)
    done = run_in_status(RunStatus.COMPLETED, organization=org)
    html = browser.get("/runs").content.decode()
    assert f'action="/runs/{running.run_id}/cancel"' in html and f'action="/runs/{done.run_id}/rerun"' in html
    assert f'action="/runs/{running.run_id}/rerun"' not in html


# --- Queue health ------------------------------------------------------------------------------------


def test_the_queue_page_counts_only_the_organizations_runs_and_the_workers_online(browser, org, monkeypatch):
    monkeypatch.setattr("runs.dispatch.browser_workers_online", lambda: 2)
    old = run_in_status(RunStatus.QUEUED, organization=org)
    TaskRun.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(minutes=7))
    run_in_status(RunStatus.QUEUED, organization=org)
    run_in_status(RunStatus.RUNNING, organization=org)
    run_in_status(RunStatus.QUEUED, organization=OrganizationFactory())
    html = browser.get("/queue").content.decode()
    assert 'href="/queue" aria-current="page"' in html
    assert re.search(r'id="queue-workers">2<', html) and re.search(r'id="queue-queued">2<', html)
    assert re.search(r'id="queue-running">1<', html) and "waiting 7\xa0minutes" in html
    status = browser.get("/queue/status.json").json()
    assert (status["workers_online"], status["queued"], status["running"]) == (2, 2, 1)
    assert status["oldest_queued_seconds"] >= 7 * 60


def test_the_queue_page_is_for_members_only(client):
    assert client.get("/queue").status_code == 302
    assert client.get("/queue/status.json").status_code == 302


@pytest.mark.parametrize(("online", "shown"), [(0, True), (1, False), (None, False)])
def test_a_queued_run_says_when_no_worker_is_online(browser, org, monkeypatch, online, shown):
    monkeypatch.setattr("runs.dispatch.browser_workers_online", lambda: online)
    run = run_in_status(RunStatus.QUEUED, organization=org)
    html = browser.get(f"/runs/{run.run_id}").content.decode()
    note = re.search(r'<p class="run-warning" id="queue-wait"[^>]*>', html).group(0)
    assert ("hidden" not in note) is shown
    assert "No worker is online to take this run" in html


def test_workers_online_counts_the_browser_queues_workers_and_is_cached(settings, monkeypatch):
    from django.core.cache import cache

    from runs import dispatch

    monkeypatch.undo()  # the real function, with the broadcast replaced
    settings.CELERY_TASK_ALWAYS_EAGER = False
    cache.delete(dispatch.WORKERS_CACHE_KEY)
    asked = []

    class Inspect:
        def active_queues(self):
            asked.append(1)
            return {"w1@h": [{"name": "browser"}], "w2@h": [{"name": "small"}], "w3@h": [{"name": "browser"}]}

    monkeypatch.setattr(dispatch.current_app.control, "inspect", lambda timeout: Inspect())
    assert dispatch.browser_workers_online() == 2
    assert dispatch.browser_workers_online() == 2 and len(asked) == 1
    cache.delete(dispatch.WORKERS_CACHE_KEY)


# --- Runs list: dates ------------------------------------------------------------------------------


def _created(org, when: str) -> TaskRun:
    run = TaskRunFactory(organization=org, status=RunStatus.COMPLETED)
    TaskRun.objects.filter(pk=run.pk).update(created_at=when)
    return run


def test_the_runs_list_filters_by_days_in_the_readers_time_zone(browser, org):
    before = _created(org, "2026-03-02T04:30:00+00:00")  # 1 March, 23:30 in New York
    morning = _created(org, "2026-03-02T12:00:00+00:00")
    late = _created(org, "2026-03-03T04:30:00+00:00")  # 2 March, 23:30 in New York
    after = _created(org, "2026-03-03T05:30:00+00:00")
    html = browser.get("/runs?from=2026-03-02&to=2026-03-02&tz=America/New_York").content.decode()
    assert morning.run_id in html and late.run_id in html
    assert before.run_id not in html and after.run_id not in html
    assert 'value="2026-03-02"' in html
    utc = browser.get("/runs?from=2026-03-02&to=2026-03-02&tz=Nowhere/Special").content.decode()
    assert before.run_id in utc and morning.run_id in utc and late.run_id not in utc


def test_the_date_filter_is_kept_in_the_pagination_links(browser, org):
    for _ in range(26):
        _created(org, "2026-03-02T12:00:00+00:00")
    html = browser.get("/runs?from=2026-03-01&to=2026-03-03&tz=Europe/Paris").content.decode()
    assert 'href="?from=2026-03-01&amp;to=2026-03-03&amp;tz=Europe%2FParis&amp;page=2" rel="next"' in html


# --- Members: an organization's admins add and remove people -------------------------------------------


@pytest.fixture
def admin_browser(member) -> Client:
    from runs.models import Membership

    Membership.objects.filter(user=member).update(role="admin")
    client = Client()
    client.force_login(member)
    return client


def test_an_admin_adds_a_member_who_logs_in_with_the_password_shown_once(admin_browser, org):
    html = admin_browser.get("/runs").content.decode()
    assert 'href="/members"' in html
    response = admin_browser.post("/members", {"username": "newcomer", "role": "member"})
    password = re.search(r'id="new-member-password"[^>]*>([^<]+)<', response.content.decode()).group(1)
    assert Client().login(username="newcomer", password=password)
    from runs.models import Membership

    added = Membership.objects.get(user__username="newcomer")
    assert (added.organization, added.role) == (org, "member")
    assert password not in admin_browser.get("/members").content.decode()


def test_adding_a_taken_username_is_refused_and_moves_nobody(admin_browser, org):
    other = UserFactory(organization=OrganizationFactory())
    response = admin_browser.post("/members", {"username": other.username.upper()})
    assert response.status_code == 400 and "is taken" in response.content.decode()
    assert other.membership.organization != org


def test_a_member_who_is_not_an_admin_cannot_manage_members(browser, org):
    target = UserFactory(organization=org)
    assert 'href="/members"' not in browser.get("/runs").content.decode()
    assert browser.get("/members").status_code == 403
    assert browser.post("/members", {"username": "sneaky"}).status_code == 403
    assert browser.post(f"/members/{target.membership.pk}/remove").status_code == 403
    target.refresh_from_db()
    assert target.membership.organization == org


def test_an_admin_removes_a_member_but_not_themselves_nor_someone_elsewhere(admin_browser, member, org):
    from runs.models import Membership

    leaving = UserFactory(organization=org)
    admin_browser.post(f"/members/{leaving.membership.pk}/remove")
    assert not Membership.objects.filter(user=leaving).exists()
    assert "Removed " in admin_browser.get("/members").content.decode()
    html = admin_browser.post(f"/members/{member.membership.pk}/remove", follow=True).content.decode()
    assert "You cannot remove yourself." in html and Membership.objects.filter(user=member).exists()
    foreign = UserFactory(organization=OrganizationFactory())
    assert admin_browser.post(f"/members/{foreign.membership.pk}/remove").status_code == 404


def test_an_organization_keeps_at_least_one_admin():
    from runs.models import Membership
    from runs.services import MemberChangeRefused, member_remove

    org = OrganizationFactory()
    only_admin = UserFactory(organization=org)
    Membership.objects.filter(user=only_admin).update(role="admin")
    someone = UserFactory(organization=org)
    with pytest.raises(MemberChangeRefused, match="at least one admin"):
        member_remove(membership=Membership.objects.get(user=only_admin), removed_by=someone)


def test_the_first_user_of_an_organization_is_its_admin():
    from runs.services import user_create

    org = OrganizationFactory()
    first = user_create(organization=org, username="first", password="pw-secret-123")
    second = user_create(organization=org, username="second", password="pw-secret-123")
    again = user_create(organization=org, username="first", password="pw-secret-456")
    assert (first.membership.role, second.membership.role, again.membership.role) == (
        "admin",
        "member",
        "admin",
    )
    elsewhere = OrganizationFactory()
    user_create(organization=elsewhere, username="boss", password="pw-secret-123")
    moved = user_create(organization=elsewhere, username="first", password="pw-secret-123")
    assert (moved.membership.organization, moved.membership.role) == (elsewhere, "member")
