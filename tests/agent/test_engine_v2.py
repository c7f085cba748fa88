"""skyvern-2.0 runs: real Chromium, local pages, a scripted LLM over real HTTP (planner, goal check,
summary, and the skyvern-1.0 calls each mini-goal makes)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest

from agent import (
    AgentResult,
    AgentTask,
    BrowserConfig,
    LLMClient,
    LLMConfig,
    NullSink,
    StepRecord,
    ThoughtRecord,
    run_agent,
)
from agent.prompts import PROMPT_KINDS
from tests.support.fake_llm import (
    FakeLLM,
    FakeReply,
    actions,
    element_id,
    goal_reached,
    is_correction,
    mini_goal,
    page_text,
    prompt_kind,
)

pytestmark = pytest.mark.browser  # drives Chromium

VERIFIED = '{"goal_achieved": true, "reasoning": "done"}'


class ThoughtSink(NullSink):
    """Keeps the steps (as they started and finished) and the thoughts, in order."""

    def __init__(self) -> None:
        self.started: list[tuple[int, int, int | None, str | None]] = []
        self.finished: list[StepRecord] = []
        self.thoughts: list[ThoughtRecord] = []
        self.order: list[str] = []

    async def step_started(self, step: StepRecord) -> None:
        self.started.append((step.order, step.retry_index, step.block_index, step.block_goal))
        self.order.append(f"step {step.order}")

    async def step_finished(self, step: StepRecord) -> None:
        self.finished.append(step.model_copy(deep=True))

    async def thought(self, thought: ThoughtRecord) -> None:
        self.thoughts.append(thought.model_copy(deep=True))
        self.order.append(thought.thought_scenario or thought.thought_type)


def by_kind(**scripts: Any) -> Callable[[list[dict[str, Any]]], str]:
    """A script answering each prompt kind from a list (in order) or a callable (messages -> answer)."""
    queues = {kind: iter(script) for kind, script in scripts.items() if isinstance(script, list)}

    def answer(messages: list[dict[str, Any]]) -> str:
        kind = prompt_kind(messages)
        if kind in queues:
            return next(queues[kind])
        return scripts[kind](messages)

    return answer


def sign_up(messages: list[dict[str, Any]]) -> str:
    """The mini-goal worker on the newsletter form: fill and send it, complete on the thank-you page."""
    if "Thank you" in page_text(messages):
        return actions({"action_type": "complete", "reasoning": "signed up"})
    return actions(
        {"action_type": "input_text", "id": element_id(messages, "Your name"), "text": "Ada"},
        {
            "action_type": "select_option",
            "id": element_id(messages, "Weekly"),
            "option": {"label": "Monthly"},
        },
        {"action_type": "click", "id": element_id(messages, "Sign up"), "reasoning": "send the form"},
    )


def read_mug(messages: list[dict[str, Any]]) -> str:
    name = re.search(r"(\w+ mug)", page_text(messages)).group(1)
    price = re.search(r"([0-9]+\.[0-9]+)", page_text(messages)).group(1)
    return json.dumps({"name": name, "price": float(price)})


@pytest.fixture
def run(launcher: Any, browser_config: BrowserConfig) -> Callable[..., Any]:
    """`await run(fake, task, sink)`: a skyvern-2.0 run on a fresh context of the shared Chromium."""

    async def go(fake: FakeLLM, task: AgentTask, sink: Any = None, should_stop: Any = None) -> AgentResult:
        config = LLMConfig(model=fake.model, api_base=fake.base_url, api_key="test", retry_backoff=0.01)
        return await run_agent(
            task,
            LLMClient(config),
            browser_config,
            sink=sink,
            should_stop=should_stop,
            launcher=launcher,
            engine="skyvern-2.0",
        )

    return go


def test_every_kind_the_engine_sends_is_a_known_prompt_kind() -> None:
    assert {"goal_plan", "goal_check", "goal_summary", "plan", "verify", "extract"} <= set(PROMPT_KINDS)


async def test_two_mini_goals_run_in_turn_and_the_goal_check_waits_for_the_second(
    run: Any, page_server: Any
) -> None:
    """Sign up (navigate), then read the confirmation (extract); a bad planner answer is corrected once."""
    script = by_kind(
        goal_plan=[
            '{"thoughts": "a form", "plan": "Sign up as Ada for the monthly plan"}',  # no task_type
            mini_goal("Sign up as Ada for the monthly plan", completion_criterion="a thank-you page shows"),
            mini_goal("Read the confirmation message", "extract"),
        ],
        plan=sign_up,
        verify=lambda messages: VERIFIED,
        extract=lambda messages: '{"message": "Thank you, Ada!"}',
        goal_check=[goal_reached(False, "The confirmation is not read yet"), goal_reached(True)],
        goal_summary=lambda messages: '{"summary": "Signed up", "message": "Thank you, Ada!"}',
    )
    sink = ThoughtSink()
    task = AgentTask(prompt="Sign up as Ada for the monthly plan", url=page_server.url("loop_form.html"))
    with FakeLLM(script) as fake:
        result = await run(fake, task, sink)

    assert result.status == "completed", result.failure_reason
    assert result.output == {"summary": "Signed up", "message": "Thank you, Ada!"}
    assert fake.kinds() == [
        "goal_plan", "goal_plan", "plan", "plan", "verify", "goal_check", "goal_plan", "extract", "goal_check",
        "goal_summary",
    ]  # fmt: skip
    assert is_correction(fake.requests[1]["messages"])
    # Steps are numbered across mini-goals and carry the mini-goal they served from their start.
    navigate = "Sign up as Ada for the monthly plan"
    assert sink.started == [
        (0, 0, 0, navigate),
        (1, 0, 0, navigate),
        (2, 0, 1, "Read the confirmation message"),
    ]
    assert [a.action_type for a in sink.finished[2].actions] == ["extract"]
    assert sink.order == [
        "generate_plan", "step 0", "step 1", "user_goal_check", "generate_plan", "step 2", "user_goal_check",
        "summarization",
    ]  # fmt: skip
    assert [(t.order, t.thought_type, t.block_index) for t in sink.thoughts] == [
        (0, "plan", 0), (1, "user_goal_check", 0), (2, "plan", 1), (3, "user_goal_check", 1),
        (4, "user_goal_check", 1),
    ]  # fmt: skip
    first = sink.thoughts[0]
    assert (
        "Prompt-Kind: goal_plan" in first.observation
        and "--- answer after the correction ---" in first.answer
    )
    assert first.thought == f"Next: {navigate}" and first.output["task_type"] == "navigate"
    assert first.input_tokens > 0 and first.output_tokens > 0
    # The mini-goal's worker got the planner's instruction and criterion, with the whole goal as context.
    worker_goal = fake.requests[2]["messages"][1]["content"]
    assert "The mini-goal is done when: a thank-you page shows" in worker_goal
    second_plan = fake.requests[6]["messages"][1]["content"]
    assert "Mini-goal 1 (navigate) 'Sign up as Ada for the monthly plan': completed" in second_plan
    assert "Goal check: not achieved yet: The confirmation is not read yet" in second_plan
    charged = sink.finished + sink.thoughts
    assert result.input_tokens == sum(item.input_tokens for item in charged)
    assert result.step_count == 3


async def test_a_loop_runs_the_mini_goal_for_each_value_and_the_output_follows_the_schema(
    run: Any, page_server: Any
) -> None:
    schema = {
        "type": "object",
        "properties": {
            "mugs": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {"name": {"type": "string"}, "price": {"type": "number"}},
                    "required": ["name", "price"],
                },
            }
        },
        "required": ["mugs"],
    }
    links = ["mini_goal_item.html?id=red", "mini_goal_item.html?id=green", "mini_goal_item.html?id=blue"]

    def summary(messages: list[dict[str, Any]]) -> str:
        if not is_correction(messages):
            return '{"mugs": [{"name": "Red mug", "price": "9.00 EUR"}]}'  # breaks the schema
        gathered = (
            messages[1]["content"].split("Data gathered by the mini-goals:\n")[1].split("\n\nCurrent")[0]
        )
        return json.dumps({"mugs": [item["data"] for item in json.loads(gathered)]})

    script = by_kind(
        goal_plan=[
            mini_goal("Read the mug's name and price", "loop", loop_values=links, loop_task_type="extract")
        ],
        extract=read_mug,
        goal_check=[goal_reached(True, "Every mug was read")],
        goal_summary=summary,
    )
    sink = ThoughtSink()
    task = AgentTask(
        prompt="Get the name and price of every mug",
        url=page_server.url("mini_goal_list.html"),
        data_extraction_schema=schema,
    )
    with FakeLLM(script) as fake:
        result = await run(fake, task, sink)

    assert result.status == "completed", result.failure_reason
    assert result.output == {
        "mugs": [
            {"name": "Red mug", "price": 9.0},
            {"name": "Green mug", "price": 11.5},
            {"name": "Blue mug", "price": 12.5},
        ]
    }
    assert fake.kinds() == [
        "goal_plan",
        "extract",
        "extract",
        "extract",
        "goal_check",
        "goal_summary",
        "goal_summary",
    ]
    assert [(order, block) for order, _, block, _ in sink.started] == [(0, 0), (1, 1), (2, 2)]
    assert sink.started[1][3] == "Read the mug's name and price [mini_goal_item.html?id=green]"
    # Each round opened its link, then read the page.
    rounds = [[(a.action_type, a.status) for a in step.actions] for step in sink.finished]
    assert rounds == [[("goto_url", "completed"), ("extract", "completed")]] * 3
    assert sink.finished[2].actions[1].data == {"name": "Blue mug", "price": 12.5}
    correction = fake.requests[-1]["messages"][-1]["content"]
    assert "$.mugs[0].price" in correction
    assert sink.thoughts[-1].thought_scenario == "summarization" and sink.thoughts[-1].output == result.output


async def test_a_goal_check_that_disagrees_sends_the_planner_back_to_work(run: Any, page_server: Any) -> None:
    script = by_kind(
        goal_plan=[goal_reached(True, "Looks done"), mini_goal("Sign up as Ada for the monthly plan")],
        plan=sign_up,
        verify=lambda messages: VERIFIED,
        goal_check=[goal_reached(False, "The form was never sent"), goal_reached(True)],
        goal_summary=lambda messages: '{"summary": "Signed up"}',
    )
    sink = ThoughtSink()
    task = AgentTask(prompt="Sign up as Ada for the monthly plan", url=page_server.url("loop_form.html"))
    with FakeLLM(script) as fake:
        result = await run(fake, task, sink)

    assert result.status == "completed" and result.output == {"summary": "Signed up"}
    assert fake.kinds()[:3] == ["goal_plan", "goal_check", "goal_plan"]
    assert (
        "Goal check: not achieved yet: The form was never sent" in fake.requests[2]["messages"][1]["content"]
    )
    assert sink.order[:3] == ["generate_plan", "user_goal_check", "generate_plan"]
    assert sink.thoughts[1].block_index is None  # no mini-goal had run yet


async def test_the_run_fails_after_the_maximum_iterations(run: Any, page_server: Any) -> None:
    script = by_kind(
        goal_plan=lambda messages: mini_goal("Read the product", "extract"),
        extract=lambda messages: '{"seen": true}',
        goal_check=lambda messages: goal_reached(False, "Still looking"),
    )
    sink = ThoughtSink()
    task = AgentTask(prompt="Find a cheap mug", url=page_server.url("loop_product.html"), max_iterations=2)
    with FakeLLM(script) as fake:
        result = await run(fake, task, sink)

    assert result.status == "failed"
    assert result.failure_reason == "Reached the maximum iterations (2) without achieving the goal"
    assert result.errors[0]["error_code"] == "REACH_MAX_ITERATIONS"
    assert fake.kinds() == ["goal_plan", "extract", "goal_check"] * 2
    assert "planning round 2 of at most 2" in fake.requests[3]["messages"][1]["content"]


async def test_browser_steps_across_mini_goals_stop_at_max_steps(run: Any, page_server: Any) -> None:
    script = by_kind(
        goal_plan=lambda messages: mini_goal("Scroll to the end"),
        plan=lambda messages: actions({"action_type": "scroll", "direction": "down"}),
        goal_check=lambda messages: goal_reached(False),
    )
    sink = ThoughtSink()
    task = AgentTask(prompt="Scroll", url=page_server.url("long.html"), max_steps=3)
    with FakeLLM(script) as fake:
        result = await run(fake, task, sink)

    assert result.status == "failed" and result.failure_reason == "Reached the maximum steps (3)"
    assert result.errors[0]["error_code"] == "REACH_MAX_STEPS"
    assert [order for order, *_ in sink.started] == [0, 1, 2]


async def test_the_planner_stops_the_run_with_the_users_error_code(run: Any, page_server: Any) -> None:
    stop = {"thoughts": "Sold out", "should_terminate": True, "termination_reason": "The mug is out of stock"}
    script = by_kind(goal_plan=[json.dumps({**stop, "error_code": "OUT_OF_STOCK"})])
    task = AgentTask(
        prompt="Buy the blue mug",
        url=page_server.url("loop_product.html"),
        error_code_mapping={"OUT_OF_STOCK": "The product cannot be bought"},
    )
    with FakeLLM(script) as fake:
        result = await run(fake, task)

    assert result.status == "terminated" and result.failure_reason == "The mug is out of stock"
    assert result.errors == [{"error_code": "OUT_OF_STOCK", "reasoning": "The mug is out of stock"}]
    assert "OUT_OF_STOCK" in fake.requests[0]["messages"][1]["content"]


async def test_a_cancel_between_mini_goals_ends_the_run(run: Any, page_server: Any) -> None:
    sink = ThoughtSink()
    script = by_kind(
        goal_plan=lambda messages: mini_goal("Read the product", "extract"),
        extract=lambda messages: '{"seen": true}',
    )
    task = AgentTask(prompt="Read it", url=page_server.url("loop_product.html"))
    with FakeLLM(script) as fake:
        result = await run(fake, task, sink, should_stop=lambda: len(sink.finished) >= 1)

    assert result.status == "canceled"
    assert fake.kinds() == ["goal_plan", "extract"]


async def test_without_a_url_the_start_page_thought_comes_first_and_numbering_continues(
    run: Any, page_server: Any
) -> None:
    stop = {"thoughts": "Sold out", "should_terminate": True, "termination_reason": "Out of stock"}
    script = by_kind(
        start_url=[
            FakeReply(
                json.dumps({"url": page_server.url("loop_product.html"), "reasoning": "the shop"}),
                cached_tokens=1024,
            )
        ],
        goal_plan=[json.dumps(stop)],
    )
    sink = ThoughtSink()
    with FakeLLM(script) as fake:
        result = await run(fake, AgentTask(prompt="Buy the blue mug"), sink)

    assert result.status == "terminated"
    assert [(t.order, t.thought_scenario) for t in sink.thoughts] == [
        (0, "generate_metadata"),
        (1, "generate_plan"),
    ]
    start = sink.thoughts[0]
    assert start.input_tokens > 0 and start.cached_tokens == 1024  # the start page's call is counted in full
    assert "Blue mug" in fake.requests[1]["messages"][1]["content"]


async def test_a_mini_goal_the_worker_gives_up_on_goes_back_to_the_planner(
    run: Any, page_server: Any
) -> None:
    give_up = actions({"action_type": "terminate", "reasoning": "There is no Buy button"})
    stop = {
        "thoughts": "Cannot buy",
        "should_terminate": True,
        "termination_reason": "The mug cannot be bought",
    }
    script = by_kind(
        goal_plan=[mini_goal("Buy the blue mug"), json.dumps(stop)],
        plan=[give_up],
        goal_check=[goal_reached(False)],
    )
    with FakeLLM(script) as fake:
        result = await run(
            fake, AgentTask(prompt="Buy the blue mug", url=page_server.url("loop_product.html"))
        )

    assert result.status == "terminated" and result.failure_reason == "The mug cannot be bought"
    assert fake.kinds() == ["goal_plan", "plan", "goal_check", "goal_plan"]
    second_plan = fake.requests[3]["messages"][1]["content"]
    assert "failed, the worker gave up: There is no Buy button" in second_plan
