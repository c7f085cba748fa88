"""Each step says whether its screenshot went to the model; the small helper calls can use a second model."""

from __future__ import annotations

import json
from typing import Any

import pytest

from agent import AgentTask, BrowserConfig, LLMClient, LLMConfig, NullSink, StepRecord, run_agent
from tests.support.fake_llm import FakeLLM, actions, prompt_kind
from tests.support.vision import image_parts

pytestmark = pytest.mark.browser

YES = '{"goal_achieved": true, "reasoning": "the form is there"}'


class StepsSink(NullSink):
    def __init__(self) -> None:
        self.steps: list[StepRecord] = []
        self.requests: list[dict[str, Any]] = []

    async def step_finished(self, step: StepRecord) -> None:
        self.steps.append(step.model_copy(deep=True))

    async def artifact(
        self, step: Any, artifact_type: str, data: bytes, filename: str, content_type: str
    ) -> None:
        if artifact_type == "llm_request":
            self.requests.append(json.loads(data))


def complete_at_once(messages: list[dict[str, Any]]) -> str:
    if prompt_kind(messages) == "verify":
        return YES
    return actions({"action_type": "complete", "reasoning": "nothing to do", "data": {"ok": True}})


def client(fake: FakeLLM, **config: Any) -> LLMClient:
    return LLMClient(LLMConfig(model=fake.model, api_base=fake.base_url, api_key="test", **config))


async def run(launcher: Any, browser_config: BrowserConfig, page_server: Any, llm: LLMClient, **kw: Any):
    sink = StepsSink()
    task = AgentTask(prompt="Look at the form", url=page_server.url("loop_form.html"))
    result = await run_agent(task, llm, browser_config, sink=sink, launcher=launcher, **kw)
    assert result.status == "completed", result.failure_reason
    return sink


async def test_a_step_says_its_screenshot_went_to_a_model_with_vision(launcher, browser_config, page_server):
    with FakeLLM(complete_at_once) as fake:
        sink = await run(
            launcher,
            browser_config,
            page_server,
            client(fake, vision=True, vision_source="image probe: it saw"),
        )

    plan = next(body for body in fake.requests if prompt_kind(body["messages"]) == "plan")
    assert len(image_parts(plan["messages"])) == 1
    step = sink.steps[0]
    assert step.screenshots_sent == 1
    assert step.screenshot_note == f"sent to {fake.model}: image probe: it saw"
    assert sink.requests[0]["images_sent"] == 1 and sink.requests[0]["vision"] == step.screenshot_note


async def test_a_step_says_why_a_model_without_vision_got_no_screenshot(
    launcher, browser_config, page_server
):
    source = "SKYVERN_LLM_VISION=off"
    with FakeLLM(complete_at_once) as fake:
        sink = await run(
            launcher, browser_config, page_server, client(fake, vision=False, vision_source=source)
        )

    assert not any(image_parts(body["messages"]) for body in fake.requests)
    step = sink.steps[0]
    assert step.screenshots_sent == 0
    assert step.screenshot_note == f"not sent to {fake.model}: {source}"
    assert sink.requests[0]["images"] == 1 and sink.requests[0]["images_sent"] == 0


async def test_the_completion_check_goes_to_the_secondary_model(launcher, browser_config, page_server):
    with FakeLLM(complete_at_once) as main, FakeLLM(complete_at_once, model="openai/small-model") as small:
        sink = await run(
            launcher, browser_config, page_server, client(main, vision=False), secondary_llm=client(small)
        )

    assert main.kinds() == ["plan"]
    assert small.kinds() == ["verify"]
    assert [body["model"] for body in sink.requests] == [main.model, small.model]
    assert sink.steps[0].input_tokens > 0  # both calls are charged to the step


async def test_without_a_secondary_model_the_main_one_does_the_check(launcher, browser_config, page_server):
    with FakeLLM(complete_at_once) as main:
        await run(launcher, browser_config, page_server, client(main, vision=False), secondary_llm=None)

    assert main.kinds() == ["plan", "verify"]
