"""How a stored run becomes an agent run (runs.execution) and what the sink makes of the agent's reports."""

from __future__ import annotations

import asyncio
import json

import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer

from agent import ActionRecord, StepRecord
from runs.choices import RunStatus
from runs.execution.inputs import agent_task_for, browser_for, llm_for
from runs.execution.runner import run_execute
from runs.execution.sink import DbSink
from runs.execution.watch import RunWatch
from runs.live import events
from runs.models import Action, Step, TaskRun
from runs.services import run_cancel
from runs.services.proxies import proxy_url_for
from tests.support.factories import TaskRunFactory, run_in_status


@pytest.fixture(autouse=True)
def isolated(settings, tmp_path, artifact_storage, in_memory_channel_layer):
    settings.RUNS_WORK_DIR = tmp_path / "work"
    settings.SKYVERN_PROXY_MAP = {}


# --- building the agent's inputs ------------------------------------------------------------------


def test_the_agent_task_carries_the_requests_goal_schema_and_limits(db):
    run = TaskRunFactory(
        prompt="Find the price",
        url="https://shop.example/",
        max_steps=7,
        request={
            "prompt": "Find the price",
            "data_extraction_schema": '{"type": "object", "properties": {"price": {"type": "number"}}}',
            "error_code_mapping": {"SOLD_OUT": "the product is sold out"},
            "include_action_history_in_verification": True,
            "totp_identifier": "me@example.com",
        },
    )

    task = agent_task_for(run)

    assert (task.prompt, task.url, task.max_steps) == ("Find the price", "https://shop.example/", 7)
    assert task.data_extraction_schema["properties"]["price"] == {"type": "number"}
    assert task.error_code_mapping == {"SOLD_OUT": "the product is sold out"}
    assert task.include_action_history_in_verification is True
    assert task.totp_identifier == "me@example.com"


def test_the_planners_iteration_limit_reaches_the_agent_task(db):
    limited = agent_task_for(TaskRunFactory(request={"prompt": "p", "max_iterations": 3}))
    default = agent_task_for(TaskRunFactory(request={"prompt": "p", "max_iterations": None}))

    assert (limited.max_iterations, default.max_iterations) == (3, 10)


def test_the_model_comes_from_the_request_or_else_the_settings(db, settings):
    settings.SKYVERN_LLM_MODEL = "openai/gpt-4o-mini"
    settings.SKYVERN_LLM_API_BASE = "http://llm.internal/v1"

    default = llm_for(TaskRunFactory(request={}))
    chosen = llm_for(TaskRunFactory(request={"model": {"model_name": "anthropic/claude-3-5-sonnet"}}))

    assert default.config.model == "openai/gpt-4o-mini"
    assert default.config.api_base == "http://llm.internal/v1"
    assert chosen.config.model == "anthropic/claude-3-5-sonnet"


def test_proxy_locations_map_to_proxy_urls(settings):
    settings.SKYVERN_PROXY_MAP = {"RESIDENTIAL_DE": "http://u:p@de.proxy:8000"}

    assert proxy_url_for("RESIDENTIAL_DE") == "http://u:p@de.proxy:8000"
    assert proxy_url_for("NONE") is None
    assert proxy_url_for({"url": "http://own.proxy:3128"}) == "http://own.proxy:3128"
    assert proxy_url_for("RESIDENTIAL_GB") is None  # none configured: direct, with a warning on the run
    assert proxy_url_for({"country": "de", "city": "Berlin"}) == "http://u:p@de.proxy:8000"


def test_proxies_are_looked_up_by_city_then_subdivision_then_country(settings):
    settings.SKYVERN_PROXY_MAP = {
        "US-CA": "http://ca.proxy:1",
        "US-CA-San Diego": "http://sd.proxy:1",
        "US": "http://us:1",
    }

    assert proxy_url_for({"country": "US", "subdivision": "CA", "city": "San Diego"}) == "http://sd.proxy:1"
    assert proxy_url_for({"country": "US", "subdivision": "CA", "city": "Fresno"}) == "http://ca.proxy:1"
    assert proxy_url_for("US-CA") == "http://ca.proxy:1"
    assert proxy_url_for({"country": "US", "subdivision": "NY"}) == "http://us:1"


def test_a_proxy_url_template_serves_every_location(settings):
    settings.SKYVERN_PROXY_MAP = {}
    settings.SKYVERN_PROXY_URL_TEMPLATE = (
        "http://user-cc-{country_lower}-st-{subdivision_lower}:pw@gate.example:7000"
    )

    assert (
        proxy_url_for({"country": "US", "subdivision": "CA"})
        == "http://user-cc-us-st-ca:pw@gate.example:7000"
    )
    assert proxy_url_for("RESIDENTIAL_GB") == "http://user-cc-gb-st-:pw@gate.example:7000"


def test_the_default_residential_location_runs_without_a_proxy_when_none_is_configured(settings):
    settings.SKYVERN_PROXY_MAP = {}
    assert proxy_url_for(None) is None
    assert proxy_url_for("RESIDENTIAL") is None

    settings.SKYVERN_PROXY_MAP = {"RESIDENTIAL": "http://res.proxy:8000"}
    assert proxy_url_for(None) == "http://res.proxy:8000"


def test_the_browser_gets_the_proxy_its_time_zone_headers_and_a_run_folder(db, settings):
    settings.SKYVERN_PROXY_MAP = {"RESIDENTIAL_JP": "http://jp.proxy:8000"}
    run = TaskRunFactory(
        request={
            "proxy_location": "RESIDENTIAL_JP",
            "extra_http_headers": {"X-Test": "1"},
            "user_agent": "Bot/1",
        }
    )

    browser = browser_for(run)

    assert browser.proxy_url == "http://jp.proxy:8000"
    assert browser.timezone_id == "Asia/Tokyo"
    assert browser.extra_http_headers == {"X-Test": "1"} and browser.user_agent == "Bot/1"
    assert browser.run_dir == settings.RUNS_WORK_DIR / run.run_id


def test_a_run_with_an_unconfigured_proxy_location_goes_direct_and_says_so(db, settings, caplog):
    settings.SKYVERN_PROXY_MAP = {}
    settings.SKYVERN_LLM_MODEL = ""  # the run ends at once after its set-up; the warning is what counts
    run = run_in_status(RunStatus.RUNNING, request={"proxy_location": "RESIDENTIAL_FR"})

    run_execute(run=run)

    run.refresh_from_db()
    warnings = [e for e in run.errors if e.get("warning")]
    assert [w["error_code"] for w in warnings] == ["PROXY_NOT_CONFIGURED"]
    assert "RESIDENTIAL_FR" in warnings[0]["reasoning"] and "went direct" in warnings[0]["reasoning"]
    assert "RESIDENTIAL_FR" in caplog.text
    assert "proxy" not in (run.failure_reason or "").lower()


def test_a_browser_address_in_a_private_network_is_refused(db, settings):
    settings.SKYVERN_ALLOW_PRIVATE_HOSTS = []
    run = run_in_status(RunStatus.RUNNING, request={"browser_address": "http://10.1.2.3:9222"})

    run_execute(run=run)

    run.refresh_from_db()
    assert run.status == RunStatus.FAILED and "browser_address refused" in run.failure_reason


def test_a_run_without_a_configured_llm_fails_saying_how_to_configure_one(db, settings):
    settings.SKYVERN_LLM_MODEL = ""
    run = run_in_status(RunStatus.RUNNING, request={})

    run_execute(run=run)

    run.refresh_from_db()
    assert run.status == RunStatus.FAILED
    assert "SKYVERN_LLM_MODEL" in run.failure_reason


# --- cancellation ---------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
async def test_the_watch_asks_the_agent_to_stop_soon_after_a_cancel():
    run = await sync_to_async(run_in_status)(RunStatus.RUNNING, request={})
    watch = RunWatch(run)
    task = asyncio.create_task(watch.watch())
    try:
        await asyncio.sleep(0.6)
        assert not watch.should_stop()
        await sync_to_async(run_cancel)(run=await TaskRun.objects.aget(pk=run.pk))
        for _ in range(20):
            if watch.should_stop():
                break
            await asyncio.sleep(0.1)
        assert watch.should_stop()
    finally:
        task.cancel()


# --- the sink -------------------------------------------------------------------------------------


async def _drain(layer, channel: str) -> list[dict]:
    received = []
    while True:
        try:
            message = await asyncio.wait_for(layer.receive(channel), timeout=0.2)
        except TimeoutError:
            return received
        received.append(json.loads(message["text"]))


@pytest.mark.django_db(transaction=True)
async def test_the_sink_saves_each_step_and_action_then_publishes_them_in_order(redis_url):
    run = await sync_to_async(run_in_status)(RunStatus.RUNNING, request={})
    layer = get_channel_layer()
    channel = await layer.new_channel()
    await layer.group_add(events.run_group(run.run_id), channel)
    sink = DbSink(run)
    step = StepRecord(order=0)
    action = ActionRecord(index=0, action_type="click", element_id="e3", reasoning="the Submit button")

    await sink.step_started(step)
    await sink.artifact(step, "llm_prompt", b"prompt", "prompt.txt", "text/plain")
    await sink.action_recorded(step, action, b"\x89PNG shot")
    step.status, step.input_tokens, step.output_tokens, step.cost = "completed", 120, 8, 0.01
    await sink.step_finished(step)

    published = await _drain(layer, channel)
    assert [e["type"] for e in published] == ["step.started", "action", "step.finished"]
    assert [e["seq"] for e in published] == sorted(e["seq"] for e in published)
    assert published[1]["data"]["action_type"] == "click"
    assert "/artifacts/" in published[1]["data"]["screenshot_url"]
    assert published[2]["data"]["input_token_count"] == 120
    stored_step = await Step.objects.aget(run=run)
    assert (stored_step.status, stored_step.output_token_count) == ("completed", 8)
    stored_action = await Action.objects.select_related("screenshot").aget(step=stored_step)
    assert stored_action.element_id == "e3" and stored_action.screenshot.artifact_type == "screenshot_action"
    refreshed = await TaskRun.objects.aget(pk=run.pk)
    assert (refreshed.step_count, refreshed.input_tokens) == (1, 120)
    assert await run.artifacts.filter(artifact_type="llm_prompt").aexists()


@pytest.mark.django_db(transaction=True)
async def test_the_sink_shows_a_chosen_start_url_and_counts_thought_tokens(redis_url):
    from agent import ThoughtRecord

    run = await sync_to_async(run_in_status)(RunStatus.RUNNING, request={}, url="")
    sink = DbSink(run)
    thought = ThoughtRecord(
        order=0, thought_type="metadata", output={"url": "https://shop.example"}, input_tokens=40, cost=0.002
    )

    await sink.thought(thought)
    await sink.start_url_chosen("https://shop.example")

    stored = await TaskRun.objects.aget(pk=run.pk)
    assert stored.url == "https://shop.example"
    assert stored.input_tokens == 40 and stored.total_cost == pytest.approx(0.002)
    assert await stored.thoughts.acount() == 1


@pytest.mark.django_db(transaction=True)
async def test_a_cancel_is_seen_by_the_very_next_action_check():
    run = await sync_to_async(run_in_status)(RunStatus.RUNNING, request={})
    watch = RunWatch(run)  # not polling: the check itself must read the stored status

    assert await watch.stop_requested() is False
    await sync_to_async(run_cancel)(run=await TaskRun.objects.aget(pk=run.pk))

    assert await watch.stop_requested() is True
    assert watch.should_stop()
