"""Carrying out one skyvern-2.0 mini-goal in the browser, as steps the sink sees under that mini-goal.

- navigate: a skyvern-1.0 sub-run (agent.loop.step.run_step) whose goal is the mini-goal and its
  completion criterion, with its own step budget and a fresh action history;
- extract: one step that reads the mini-goal's information off the current page.

A loop round whose value is a URL opens it first, as the first action of the round's first step. Steps
are numbered across the whole run (`Steps`), so (order, retry) stays unique whatever the mini-goal.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Literal
from urllib.parse import urljoin, urlsplit

from playwright.async_api import Error as PlaywrightError

from agent.actions import AnswerError, extract_data, first_line, run_action
from agent.engines.base import Driver, StepBody
from agent.engines.skyvern_v1 import max_steps_reached
from agent.llm import LLMError, LLMNotConfigured
from agent.loop.state import RunState, StepOutcome
from agent.loop.step import record_action, run_step
from agent.loop.talk import StepTalker
from agent.schemas import ActionResult, AgentTask, PlannedAction, StepRecord

# Steps one navigate mini-goal may take before the planner hears it did not finish.
MINI_GOAL_MAX_STEPS = 8
# How many recent actions of a mini-goal the planner is told about.
HISTORY_TAIL = 6
# A relative loop value ending like this is a page to open, not a word ("12.50", "Blue").
PAGE_SUFFIXES = (".html", ".htm", ".php", ".asp", ".aspx")


@dataclass
class MiniGoal:
    index: int  # the block index steps and thoughts carry
    kind: Literal["navigate", "extract"]
    goal: str
    criterion: str | None = None
    value: str | None = None  # the loop value of this round
    url: str | None = None  # the value as a URL to open first, when it is one
    opened: bool = False

    @property
    def label(self) -> str:
        return f"{self.goal} [{self.value}]" if self.value else self.goal


@dataclass
class MiniGoalResult:
    status: Literal["completed", "failed", "unfinished"]
    detail: str
    data: Any = None
    end: StepOutcome | None = None  # set when the whole run ends here (cancel, fatal, max steps...)


@dataclass
class Steps:
    """The browser steps of the whole run: the next order to use and the run's cap (max_steps)."""

    max_steps: int
    next_order: int = 0

    @property
    def left(self) -> int:
        return max(0, self.max_steps - self.next_order)


def url_of(value: str, base: str) -> str | None:
    """The loop value as an absolute URL when it looks like a link (not a name or a number), else None."""
    value = value.strip()
    if not value or any(c.isspace() for c in value) or "…" in value:
        return None
    parts = urlsplit(value)
    if parts.scheme in ("http", "https"):
        return value
    if parts.scheme or parts.netloc:  # mailto:, javascript:, //host...
        return None
    path = parts.path
    if path.startswith(("/", "./", "../")) or "/" in path or path.endswith(PAGE_SUFFIXES):
        return urljoin(base, value)
    return urljoin(base, value) if not path and parts.query else None


class MiniGoalRunner:
    def __init__(self, driver: Driver, steps: Steps) -> None:
        self.driver = driver
        self.state = driver.state
        self.steps = steps

    async def run(self, goal: MiniGoal) -> MiniGoalResult:
        if goal.kind == "extract":
            return await self._drive(goal, self.state, self._extract_body(goal), budget=1)
        sub = self._sub_state(goal)
        result = await self._drive(goal, sub, self._navigate_body(goal, sub), budget=MINI_GOAL_MAX_STEPS)
        if result.status != "completed" and sub.history:
            result.detail += "; last actions: " + " | ".join(sub.history[-HISTORY_TAIL:])
        return result

    def _sub_state(self, goal: MiniGoal) -> RunState:
        """The run's state with the mini-goal as the task: same browser, sink, stop checks and secrets."""
        task: AgentTask = self.state.task
        prompt = goal.goal
        if goal.value and not goal.url:
            prompt += f"\n\nThe value for this round: {goal.value}"
        if goal.criterion:
            prompt += f"\n\nThe mini-goal is done when: {goal.criterion}"
        prompt += (
            "\n\nThis mini-goal is one part of a larger task; do only the mini-goal, then answer complete. "
            f"For context, the user's whole goal is:\n{task.prompt}"
        )
        sub_task = task.model_copy(update={"prompt": prompt, "data_extraction_schema": None})
        return replace(self.state, task=sub_task, history=[], last_extracted=None)

    async def _drive(self, goal: MiniGoal, state: RunState, body: StepBody, *, budget: int) -> MiniGoalResult:
        """Steps until the mini-goal ends; a failed step is retried like in skyvern-1.0."""
        taken, retry = 0, 0
        while True:
            stopped = await self.driver.stopped()
            if stopped:
                return MiniGoalResult("failed", stopped.reason or stopped.kind, end=stopped)
            if self.steps.left <= 0:
                return MiniGoalResult(
                    "failed", "no browser steps left", end=max_steps_reached(self.steps.max_steps)
                )
            if taken >= budget:
                return MiniGoalResult("unfinished", f"not finished after {taken} steps")
            outcome = await self.driver.record_step(
                self.steps.next_order, retry, body, block_index=goal.index, block_goal=goal.label
            )
            if outcome.kind == "retry" and retry < state.task.max_retries_per_step:
                retry += 1
                continue
            self.steps.next_order += 1
            taken, retry = taken + 1, 0
            if outcome.kind == "continue":
                continue
            return _ended(outcome, taken, state.task.max_retries_per_step + 1)

    def _navigate_body(self, goal: MiniGoal, sub: RunState) -> StepBody:
        async def body(step: StepRecord) -> StepOutcome:
            opened = await self._open(goal, sub, step)
            return opened or await run_step(sub, step)

        return body

    def _extract_body(self, goal: MiniGoal) -> StepBody:
        state = self.state

        async def body(step: StepRecord) -> StepOutcome:
            opened = await self._open(goal, state, step)
            if opened:
                return opened
            ask = StepTalker(state.llm, state.sink, step)
            ctx = state.action_context(ask)
            ctx.task = state.task.model_copy(update={"prompt": goal.label, "data_extraction_schema": None})
            try:
                data = await extract_data(ctx)
            except LLMNotConfigured as exc:
                return StepOutcome("fatal", str(exc))
            except (LLMError, AnswerError) as exc:
                return StepOutcome("retry", f"extraction failed: {exc}")
            except PlaywrightError as exc:
                return StepOutcome("retry", f"could not read the page: {first_line(exc)}")
            except RuntimeError as exc:  # every tab is closed
                return StepOutcome("fatal", f"Browser error: {exc}")
            planned = PlannedAction(action_type="extract", reasoning=goal.label)
            await record_action(state, step, planned, ActionResult.ok(data=data))
            return StepOutcome("completed", output=data)

        return body

    async def _open(self, goal: MiniGoal, state: RunState, step: StepRecord) -> StepOutcome | None:
        """Open the round's URL once, as a recorded goto_url action; a retry when it fails."""
        if goal.url is None or goal.opened:
            return None
        planned = PlannedAction(action_type="goto_url", url=goal.url, reasoning="Open this round's value")
        result = await run_action(state.action_context(StepTalker(state.llm, state.sink, step)), planned)
        await record_action(state, step, planned, result)
        if not result.success:
            return StepOutcome("retry", f"could not open {goal.url}: {result.error_message}")
        goal.opened = True
        return None


def _ended(outcome: StepOutcome, taken: int, attempts: int) -> MiniGoalResult:
    """How a mini-goal ended, from the outcome of its last step."""
    steps = f"{taken} step{'s' if taken != 1 else ''}"
    if outcome.kind == "completed":
        return MiniGoalResult("completed", f"done in {steps}", data=outcome.output)
    if outcome.kind == "retry":
        return MiniGoalResult("failed", f"a step failed {attempts} times; last error: {outcome.reason}")
    if outcome.kind == "terminated" and not outcome.errors:
        # Only the mini-goal is given up; the planner decides about the run (a user error code ends it).
        return MiniGoalResult("failed", f"the worker gave up: {outcome.reason}")
    return MiniGoalResult("failed", outcome.reason or outcome.kind, end=outcome)
