"""Prompt tokens the provider served from its cache: from the LLM's usage to the step and the run page."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async
from django.test import Client

from agent import LLMClient, LLMConfig, StepRecord
from agent.llm import parse_plan
from agent.loop.sink import NullSink
from agent.loop.talk import StepTalker
from agent.prompts import PageView, plan_messages
from runs.choices import RunStatus
from runs.execution.sink import DbSink
from runs.models import Step
from tests.support.factories import UserFactory, run_in_status
from tests.support.fake_llm import FakeLLM, FakeReply, actions


@pytest.fixture(autouse=True)
def isolated(settings, tmp_path, artifact_storage, in_memory_channel_layer):
    settings.RUNS_WORK_DIR = tmp_path / "work"


async def _one_planning_call(llm: FakeLLM, step: StepRecord) -> None:
    client = LLMClient(LLMConfig(model=llm.model, api_base=llm.base_url, api_key="test"))
    view = PageView(url="https://shop.example/", title="Shop", text="[1]<button>Buy")
    messages = plan_messages(goal="Buy the lamp", page=view, history=[])
    await StepTalker(client, NullSink(), step)(messages, parse_plan)


@pytest.mark.django_db(transaction=True)
async def test_cached_prompt_tokens_reach_the_step_and_the_run_page(org):
    reply = FakeReply(actions({"action_type": "click", "id": "1"}), prompt_tokens=1800, cached_tokens=1024)
    run = await sync_to_async(run_in_status)(RunStatus.RUNNING, organization=org, request={})
    sink, step = DbSink(run), StepRecord(order=0)
    await sink.step_started(step)
    with FakeLLM([reply]) as llm:
        await _one_planning_call(llm, step)
    step.status = "completed"
    await sink.step_finished(step)

    stored = await Step.objects.aget(run=run)
    assert (stored.input_token_count, stored.cached_token_count) == (1800, 1024)
    browser = Client()
    await sync_to_async(browser.force_login)(await sync_to_async(UserFactory)(organization=org))
    page = (await sync_to_async(browser.get)(f"/runs/{run.run_id}")).content.decode()
    assert "1800 in (1024 cached) / " in page


@pytest.mark.django_db(transaction=True)
async def test_a_step_whose_provider_reports_no_cache_shows_no_cached_count(org):
    run = await sync_to_async(run_in_status)(RunStatus.RUNNING, organization=org, request={})
    sink, step = DbSink(run), StepRecord(order=0)
    await sink.step_started(step)
    with FakeLLM([FakeReply(actions({"action_type": "complete"}), prompt_tokens=900)]) as llm:
        await _one_planning_call(llm, step)
    step.status = "completed"
    await sink.step_finished(step)

    browser = Client()
    await sync_to_async(browser.force_login)(await sync_to_async(UserFactory)(organization=org))
    page = (await sync_to_async(browser.get)(f"/runs/{run.run_id}")).content.decode()
    assert "900 in / " in page and "cached" not in page
