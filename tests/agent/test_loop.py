"""Whole runs: real Chromium, local pages, a scripted LLM reached through real litellm."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Callable
from typing import Any

import pytest

from agent import (
    ActionRecord,
    AgentResult,
    AgentTask,
    BrowserConfig,
    LLMClient,
    LLMConfig,
    NullSink,
    StepRecord,
    run_agent,
)
from tests.support.fake_llm import (
    FakeLLM,
    FakeReply,
    actions,
    element_id,
    is_correction,
    page_text,
    prompt_kind,
)

pytestmark = pytest.mark.browser  # drives Chromium

YES = '{"goal_achieved": true, "reasoning": "done"}'
NO = '{"goal_achieved": false, "reasoning": "the form is not sent yet"}'


class RecordingSink(NullSink):
    """Keeps copies of everything the loop reports, in order."""

    def __init__(self) -> None:
        self.events: list[tuple[Any, ...]] = []
        self.artifacts: list[tuple[int | None, str, str, bytes]] = []
        self.on_action: Callable[[ActionRecord], None] | None = None

    async def browser_ready(self, session: Any) -> None:
        self.events.append(("browser_ready", session.page.url))

    async def step_started(self, step: StepRecord) -> None:
        self.events.append(("step_started", step.order, step.retry_index, step.status))

    async def action_recorded(self, step: StepRecord, action: ActionRecord, screenshot: bytes | None) -> None:
        self.events.append(("action", step.order, action.action_type, action.status, bool(screenshot)))
        if self.on_action:
            self.on_action(action)

    async def step_finished(self, step: StepRecord) -> None:
        self.events.append(("step_finished", step.model_copy(deep=True)))

    async def artifact(
        self, step: StepRecord | None, artifact_type: str, data: bytes, filename: str, content_type: str
    ) -> None:
        self.artifacts.append((step.order if step else None, artifact_type, filename, data))

    def steps(self) -> list[StepRecord]:
        return [event[1] for event in self.events if event[0] == "step_finished"]

    def kinds(self) -> set[str]:
        return {artifact[1] for artifact in self.artifacts}


class WatchedSink(RecordingSink):
    """A host with a viewer on the run page the whole time."""

    def __init__(self) -> None:
        super().__init__()
        self.frames: list[str] = []
        self.polls = 0

    async def live_wanted(self) -> bool:
        self.polls += 1
        return True

    async def live_frame(self, image: str) -> None:
        self.frames.append(image)


class PreLiveSink:
    """A host written before live_wanted/live_frame: the original methods only, no NullSink base."""

    def __init__(self) -> None:
        self.steps = 0

    async def browser_ready(self, session: Any) -> None:
        pass

    async def step_started(self, step: StepRecord) -> None:
        self.steps += 1

    async def action_recorded(self, step: StepRecord, action: ActionRecord, screenshot: bytes | None) -> None:
        pass

    async def step_finished(self, step: StepRecord) -> None:
        pass

    async def artifact(
        self, step: Any, artifact_type: str, data: bytes, filename: str, content_type: str
    ) -> None:
        pass


def screencast_tasks() -> list[asyncio.Task[Any]]:
    return [task for task in asyncio.all_tasks() if task.get_name() == "screencast" and not task.done()]


@pytest.fixture
def run(launcher: Any, browser_config: BrowserConfig) -> Callable[..., Any]:
    """`await run(fake, task, sink=..., should_stop=..., browser={...}, **llm_overrides)`."""

    async def go(
        fake: FakeLLM,
        task: AgentTask,
        sink: Any = None,
        should_stop: Any = None,
        browser: dict[str, Any] | None = None,
        **llm: Any,
    ) -> AgentResult:
        config = LLMConfig(
            model=fake.model, api_base=fake.base_url, api_key="test", retry_backoff=0.01, **llm
        )
        browser_cfg = browser_config.model_copy(update=browser or {})
        return await run_agent(
            task, LLMClient(config), browser_cfg, sink=sink, should_stop=should_stop, launcher=launcher
        )

    return go


def signup_script(messages: list[dict[str, Any]]) -> str:
    """Fill the newsletter form, then complete once the thank-you page shows."""
    kind = prompt_kind(messages)
    if kind == "verify":
        return YES if "Thank you, Ada" in page_text(messages) else NO
    if "Thank you" in page_text(messages):
        return actions({"action_type": "complete", "reasoning": "signed up", "data": {"signed_up": True}})
    return actions(
        {
            "action_type": "input_text",
            "id": element_id(messages, "Your name"),
            "text": "Ada",
            "reasoning": "name",
        },
        {
            "action_type": "select_option",
            "id": element_id(messages, "Weekly"),
            "option": {"label": "Monthly"},
        },
        {"action_type": "click", "id": element_id(messages, "Sign up"), "reasoning": "send the form"},
    )


async def test_it_fills_a_form_and_completes_after_the_check(run: Any, page_server: Any) -> None:
    sink = RecordingSink()
    task = AgentTask(prompt="Sign up as Ada for the monthly plan", url=page_server.url("loop_form.html"))
    with FakeLLM(signup_script) as fake:
        result = await run(fake, task, sink)
    assert result.status == "completed", result.failure_reason
    assert result.output == {"signed_up": True}
    assert fake.kinds() == ["plan", "plan", "verify"]
    steps = sink.steps()
    assert [(s.order, s.retry_index, s.status) for s in steps] == [(0, 0, "completed"), (1, 0, "completed")]
    assert [a.action_type for a in steps[0].actions] == ["input_text", "select_option", "click"]
    assert steps[1].actions[0].data["completion_check"]["goal_achieved"] is True
    assert sink.events[0][0] == "browser_ready"
    assert ("action", 0, "click", "completed", True) in sink.events
    expected = {"screenshot_llm", "screenshot_action", "screenshot_final", "llm_prompt", "llm_request"}
    expected |= {"llm_response", "llm_response_parsed", "visible_elements_tree", "html_scrape"}
    assert expected <= sink.kinds()
    assert result.step_count == 2 and result.final_screenshot


async def test_tokens_and_cost_are_added_up(run: Any, page_server: Any) -> None:
    task = AgentTask(prompt="Sign up as Ada", url=page_server.url("loop_form.html"))
    sink = RecordingSink()
    # A model litellm has a price for, so completion_cost has something to compute.
    with FakeLLM(signup_script, model="openai/gpt-4o-mini") as fake:
        result = await run(fake, task, sink)
    assert result.status == "completed"
    assert result.input_tokens == sum(s.input_tokens for s in sink.steps()) > 0
    assert result.output_tokens == sum(s.output_tokens for s in sink.steps()) > 0
    assert result.total_cost > 0
    assert sink.steps()[0].llm_model == "openai/gpt-4o-mini"


async def test_an_unconfirmed_complete_lets_the_run_continue(run: Any, page_server: Any) -> None:
    verdicts = iter([NO, YES])

    def script(messages: list[dict[str, Any]]) -> str:
        if prompt_kind(messages) == "verify":
            return next(verdicts)
        return actions({"action_type": "complete"})

    task = AgentTask(prompt="Just look", url=page_server.url("loop_form.html"))
    with FakeLLM(script) as fake:
        result = await run(fake, task)
    assert result.status == "completed" and result.step_count == 2
    second_plan = fake.requests[2]["messages"][1]["content"]
    assert "completion check found the goal not achieved yet" in second_plan


PRODUCT_SCHEMA = {
    "type": "object",
    "properties": {"name": {"type": "string"}, "price": {"type": "number"}},
    "required": ["name", "price"],
}


def extraction_script(*extractions: str) -> Callable[[list[dict[str, Any]]], str]:
    answers = iter(extractions)

    def script(messages: list[dict[str, Any]]) -> str:
        kind = prompt_kind(messages)
        if kind == "extract":
            return next(answers)
        return YES if kind == "verify" else actions({"action_type": "complete"})

    return script


async def test_it_extracts_output_matching_the_schema(run: Any, page_server: Any) -> None:
    task = AgentTask(
        prompt="Get the price",
        url=page_server.url("loop_product.html"),
        data_extraction_schema=PRODUCT_SCHEMA,
    )
    with FakeLLM(extraction_script('Here it is: ```json\n{"name": "Blue mug", "price": 12.5}\n```')) as fake:
        result = await run(fake, task)
    assert result.status == "completed"
    assert result.output == {"name": "Blue mug", "price": 12.5}
    assert fake.kinds() == ["plan", "verify", "extract"]


async def test_extraction_is_repaired_once_with_the_validation_error(run: Any, page_server: Any) -> None:
    task = AgentTask(
        prompt="Get the price",
        url=page_server.url("loop_product.html"),
        data_extraction_schema=PRODUCT_SCHEMA,
    )
    answers = extraction_script(
        '{"name": "Blue mug", "price": "12.50 EUR"}', '{"name": "Blue mug", "price": 12.5}'
    )
    with FakeLLM(answers) as fake:
        result = await run(fake, task)
    assert result.status == "completed" and result.output["price"] == 12.5
    repair = fake.requests[-1]["messages"]
    assert is_correction(repair) and "$.price" in repair[-1]["content"]


async def test_extraction_failing_twice_names_the_broken_field(run: Any, page_server: Any) -> None:
    task = AgentTask(
        prompt="Get the price",
        url=page_server.url("loop_product.html"),
        data_extraction_schema=PRODUCT_SCHEMA,
    )
    with FakeLLM(extraction_script('{"name": "Blue mug"}', '{"name": "Blue mug", "price": "n/a"}')) as fake:
        result = await run(fake, task)
    assert result.status == "failed"
    assert "$.price" in result.failure_reason and "not of type 'number'" in result.failure_reason


async def test_it_stops_at_the_maximum_steps(run: Any, page_server: Any) -> None:
    task = AgentTask(prompt="Scroll forever", url=page_server.url("loop_form.html"), max_steps=2)
    with FakeLLM(lambda messages: actions({"action_type": "scroll", "direction": "down"})) as fake:
        result = await run(fake, task)
    assert result.status == "failed"
    assert result.failure_reason == "Reached the maximum steps (2)"
    assert result.errors[0]["error_code"] == "REACH_MAX_STEPS"
    assert result.step_count == 2


async def test_terminate_surfaces_the_users_error_code(run: Any, page_server: Any) -> None:
    task = AgentTask(
        prompt="Buy the mug",
        url=page_server.url("loop_product.html"),
        error_code_mapping={"OUT_OF_STOCK": "the product cannot be bought because it is out of stock"},
    )
    reply = actions(
        {"action_type": "terminate", "reasoning": "The mug is out of stock", "error_code": "OUT_OF_STOCK"}
    )

    def script(messages: list[dict[str, Any]]) -> str:
        assert "OUT_OF_STOCK" in messages[1]["content"]  # the plan prompt lists the user's codes
        return reply

    with FakeLLM(script) as fake:
        result = await run(fake, task)
    assert result.status == "terminated"
    assert result.output == {"error": "OUT_OF_STOCK"}
    assert result.errors == [{"error_code": "OUT_OF_STOCK", "reasoning": "The mug is out of stock"}]
    assert result.failure_reason == "The mug is out of stock"


async def test_a_cancel_takes_effect_within_one_action(run: Any, page_server: Any) -> None:
    sink = RecordingSink()
    stop = {"now": False}

    def flip(action: ActionRecord) -> None:
        stop["now"] = True

    sink.on_action = flip
    task = AgentTask(prompt="Wait around", url=page_server.url("loop_form.html"))
    wait = {"action_type": "wait", "seconds": 0.01}
    with FakeLLM([actions(wait, wait, wait)]) as fake:
        result = await run(fake, task, sink, should_stop=lambda: stop["now"])
    assert result.status == "canceled"
    assert [e for e in sink.events if e[0] == "action"] == [("action", 0, "wait", "completed", True)]


async def test_an_async_should_stop_cancels_before_the_first_step(run: Any, page_server: Any) -> None:
    async def stop() -> bool:
        return True

    with FakeLLM([]) as fake:
        result = await run(
            fake, AgentTask(prompt="x", url=page_server.url("loop_form.html")), should_stop=stop
        )
    assert result.status == "canceled" and fake.requests == []


async def test_an_invalid_answer_is_reported_once_then_the_step_is_retried(
    run: Any, page_server: Any
) -> None:
    sink = RecordingSink()
    replies = ["I think I should click", '{"actions": [{"action_type": "fly", "id": "1"}]}']
    replies += [actions({"action_type": "complete"}), YES]
    with FakeLLM(replies) as fake:
        result = await run(fake, AgentTask(prompt="x", url=page_server.url("loop_form.html")), sink)
    assert result.status == "completed"
    correction = fake.requests[1]["messages"]
    assert is_correction(correction) and "no JSON object" in correction[-1]["content"]
    assert [(s.order, s.retry_index, s.status) for s in sink.steps()] == [
        (0, 0, "failed"),
        (0, 1, "completed"),
    ]
    assert "invalid LLM response" in sink.steps()[0].output["error"]


async def test_a_step_failing_past_its_retries_fails_the_run(run: Any, page_server: Any) -> None:
    task = AgentTask(prompt="x", url=page_server.url("loop_form.html"), max_retries_per_step=1)
    with FakeLLM(lambda messages: actions({"action_type": "click", "id": "does-not-exist"})) as fake:
        result = await run(fake, task)
    assert result.status == "failed" and result.step_count == 2
    assert result.failure_reason.startswith("Step 0 failed 2 times")
    assert "element" in result.failure_reason


async def test_an_answer_in_skyverns_own_action_shape_is_taken_and_its_extras_kept(
    run: Any, page_server: Any
) -> None:
    sink = RecordingSink()
    recorded: list[ActionRecord] = []
    sink.on_action = recorded.append
    skyvern_shaped = {"action_type": "CLICK", "id": 1, "confidence_float": 0.9, "user_detail_query": None}
    replies = [json.dumps({"actions": [skyvern_shaped]}), '{"actions": [{"action_type": "COMPLETE"}]}', YES]
    with FakeLLM(replies) as fake:
        result = await run(fake, AgentTask(prompt="x", url=page_server.url("loop_form.html")), sink)
    assert result.status == "completed"
    assert not any(is_correction(request["messages"]) for request in fake.requests)  # no second try
    (click,) = recorded[:1]
    assert (click.action_type, click.element_id, click.raw) == ("click", "1", skyvern_shaped)


async def test_a_click_without_an_id_still_goes_back_to_the_model(run: Any, page_server: Any) -> None:
    replies = ['{"actions": [{"action_type": "click", "confidence_float": 0.9}]}']
    replies += ['{"actions": [{"action_type": "COMPLETE"}]}', YES]
    with FakeLLM(replies) as fake:
        result = await run(fake, AgentTask(prompt="x", url=page_server.url("loop_form.html")))
    assert result.status == "completed"
    assert "click needs id" in fake.requests[1]["messages"][-1]["content"]


async def test_a_click_that_downloads_is_recorded_and_collected(run: Any, page_server: Any) -> None:
    sink = RecordingSink()

    plans = iter(["click", "complete"])

    def script(messages: list[dict[str, Any]]) -> str:
        if prompt_kind(messages) == "verify":
            return YES
        if next(plans) == "complete":
            return actions({"action_type": "complete"})
        return actions({"action_type": "click", "id": element_id(messages, "brochure")})

    with FakeLLM(script) as fake:
        result = await run(
            fake, AgentTask(prompt="Get the brochure", url=page_server.url("loop_form.html")), sink
        )
    assert result.status == "completed"
    assert [p.name for p in result.downloaded_files] == ["brochure.csv"]
    assert sink.steps()[0].actions[0].download_triggered
    downloads = [a for a in sink.artifacts if a[1] == "download"]
    assert downloads and downloads[0][2] == "brochure.csv" and downloads[0][3].startswith(b"id,total")


async def test_vision_models_get_the_screenshot(run: Any, page_server: Any) -> None:
    with FakeLLM([actions({"action_type": "complete"}), YES]) as fake:
        result = await run(fake, AgentTask(prompt="x", url=page_server.url("loop_form.html")), vision=True)
    assert result.status == "completed"
    parts = fake.requests[0]["messages"][1]["content"]
    assert any(
        p.get("type") == "image_url" and p["image_url"]["url"].startswith("data:image/png") for p in parts
    )


async def test_without_a_model_the_run_fails_clearly(launcher: Any, browser_config: BrowserConfig) -> None:
    task = AgentTask(prompt="x", url="http://127.0.0.1:9/")
    result = await run_agent(task, LLMClient(LLMConfig(model=None)), browser_config, launcher=launcher)
    assert result.status == "failed"
    assert result.failure_reason.startswith("No LLM is configured: set SKYVERN_LLM_MODEL")


async def test_a_rejected_api_key_fails_the_run_clearly(run: Any, page_server: Any) -> None:
    with FakeLLM([FakeReply("Incorrect API key provided", status=401)]) as fake:
        result = await run(fake, AgentTask(prompt="x", url=page_server.url("loop_form.html")))
    assert result.status == "failed" and len(fake.requests) == 1
    assert (
        result.failure_reason.startswith("No LLM is configured")
        and "Incorrect API key" in result.failure_reason
    )


async def test_a_server_error_is_retried(run: Any, page_server: Any) -> None:
    with FakeLLM([FakeReply("overloaded", status=503), actions({"action_type": "complete"}), YES]) as fake:
        result = await run(fake, AgentTask(prompt="x", url=page_server.url("loop_form.html")))
    assert result.status == "completed" and len(fake.requests) == 3


async def test_a_blocked_start_url_fails_with_the_reason(run: Any) -> None:
    with FakeLLM([]) as fake:
        result = await run(fake, AgentTask(prompt="x", url="http://169.254.169.254/latest/meta-data/"))
    assert result.status == "failed"
    assert "blocked" in result.failure_reason and "169.254.169.254" in result.failure_reason


async def test_a_recorded_run_hands_over_the_video(run: Any, page_server: Any) -> None:
    sink = RecordingSink()
    task = AgentTask(prompt="x", url=page_server.url("loop_form.html"))
    with FakeLLM([actions({"action_type": "complete"}), YES]) as fake:
        result = await run(fake, task, sink, browser={"record_video": True})
    assert result.status == "completed"
    assert result.recording_path and result.recording_path.stat().st_size > 0
    recordings = [a for a in sink.artifacts if a[1] == "recording"]
    assert len(recordings) == 1 and recordings[0][0] is None and recordings[0][3]


async def test_screenshot_scrolls_show_the_model_more_of_the_page(run: Any, page_server: Any) -> None:
    sink = RecordingSink()
    task = AgentTask(prompt="x", url=page_server.url("actions_form.html"), max_screenshot_scrolls=2)
    with FakeLLM([actions({"action_type": "complete"}), YES]) as fake:
        result = await run(fake, task, sink, vision=True)
    assert result.status == "completed"
    images = [p for p in fake.requests[0]["messages"][1]["content"] if p.get("type") == "image_url"]
    assert len(images) == 3
    assert len([a for a in sink.artifacts if a[1] == "screenshot_llm" and a[0] == 0]) == 3


async def test_a_watched_run_sends_live_frames_to_the_sink(run: Any, page_server: Any) -> None:
    sink = WatchedSink()
    task = AgentTask(prompt="Sign up as Ada for the monthly plan", url=page_server.url("loop_form.html"))
    with FakeLLM(signup_script) as fake:
        result = await run(fake, task, sink)
    assert result.status == "completed", result.failure_reason
    assert sink.polls >= 1 and sink.frames
    assert base64.b64decode(sink.frames[-1])[:2] == b"\xff\xd8"  # a JPEG
    assert screencast_tasks() == []  # closed with the run


async def test_a_sink_without_the_live_methods_still_runs(run: Any, page_server: Any) -> None:
    sink = PreLiveSink()
    with FakeLLM([actions({"action_type": "complete"}), YES]) as fake:
        result = await run(fake, AgentTask(prompt="x", url=page_server.url("loop_form.html")), sink)
    assert result.status == "completed" and sink.steps == 1


async def test_cancelling_the_run_task_closes_the_screencast(run: Any, page_server: Any) -> None:
    sink = WatchedSink()
    task = AgentTask(prompt="Watch the ticker", url=page_server.url("ticker.html"))
    # Cancelled during the long wait: after the LLM answered, while the ticker keeps the frames coming.
    plan = actions({"action_type": "wait", "seconds": 0.01}, {"action_type": "wait", "seconds": 30})
    with FakeLLM([plan]) as fake:
        running = asyncio.create_task(run(fake, task, sink))
        for _ in range(300):  # up to 15 s
            waiting = any(event[0] == "action" for event in sink.events)
            if (waiting and len(sink.frames) >= 2) or running.done():
                break
            await asyncio.sleep(0.05)
        running.cancel()
        with pytest.raises(asyncio.CancelledError):
            await running
    assert len(sink.frames) >= 2
    assert screencast_tasks() == []


class StartUrlSink(NullSink):
    def __init__(self) -> None:
        self.chosen: list[str] = []
        self.thoughts: list[Any] = []

    async def start_url_chosen(self, url: str) -> None:
        self.chosen.append(url)

    async def thought(self, thought: Any) -> None:
        self.thoughts.append(thought)


async def test_a_task_without_a_url_starts_where_the_model_chooses(run: Any, page_server: Any) -> None:
    form = page_server.url("loop_form.html")

    def script(messages: list[dict[str, Any]]) -> str:
        if prompt_kind(messages) == "start_url":
            return json.dumps({"url": form, "reasoning": "the newsletter form"})
        return signup_script(messages)

    sink = StartUrlSink()
    with FakeLLM(script) as fake:
        result = await run(fake, AgentTask(prompt="Sign up Ada for the newsletter"), sink=sink)
    assert result.status == "completed"
    assert fake.kinds()[0] == "start_url"
    assert sink.chosen == [form]
    assert (
        sink.thoughts[0].output == {"url": form} and sink.thoughts[0].thought_scenario == "generate_metadata"
    )


async def test_a_start_url_the_model_cannot_give_leaves_the_run_on_a_blank_page(run: Any) -> None:
    def script(messages: list[dict[str, Any]]) -> str:
        if prompt_kind(messages) == "start_url":
            return "I would rather not say"
        return actions({"action_type": "terminate", "reasoning": "nothing to do on a blank page"})

    sink = StartUrlSink()
    with FakeLLM(script) as fake:
        result = await run(fake, AgentTask(prompt="Do something"), sink=sink)
    assert result.status == "terminated"
    assert sink.chosen == []
    assert fake.kinds()[:2] == ["start_url", "plan"]
    assert sink.thoughts[0].output is None and sink.thoughts[0].answer == "I would rather not say"
