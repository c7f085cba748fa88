"""skyvern-2.0: a planner splits the user's goal into mini-goals, a worker carries each one out in the
browser, and a goal check decides after each one whether the whole goal holds.

Every planner, goal-check and summary call is a thought (agent.schemas.ThoughtRecord) the sink sees;
every browser step carries the mini-goal it served (block_index, block_goal).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from playwright.async_api import Error as PlaywrightError

from agent.actions import AnswerError, extraction_parser, first_line
from agent.engines.base import Driver
from agent.engines.skyvern_v2.answers import PlannerAnswer, parse_goal_check, parse_planner, parse_summary
from agent.engines.skyvern_v2.mini_goals import MiniGoal, MiniGoalRunner, Steps, url_of
from agent.engines.skyvern_v2.thinker import Thinker
from agent.llm import NOT_CONFIGURED, LLMError, LLMNotConfigured
from agent.loop.state import RunState, StepOutcome
from agent.prompts import Budget, goal_check_messages, goal_plan_messages, goal_summary_messages
from agent.schemas import AgentTask, ThoughtScenario, ThoughtType

Prompt = tuple[list[dict[str, Any]], list[bytes]]
# How much of a mini-goal's data the planner and the goal check see in the history line.
RESULT_PREVIEW_CHARS = 1500


class SkyvernV2:
    name = "skyvern-2.0"
    chooses_start_url = True  # with no URL, the chat model picks the first page (agent.loop.start_url)

    def preflight(self, state: RunState) -> str | None:
        return None if state.llm.configured else NOT_CONFIGURED

    async def run(self, driver: Driver) -> StepOutcome:
        try:
            return await _Planning(driver).run()
        except _RunEnds as end:
            return end.outcome


class _RunEnds(Exception):
    """Raised from anywhere in the loop to end the run with `outcome`."""

    def __init__(self, outcome: StepOutcome) -> None:
        super().__init__(outcome.reason)
        self.outcome = outcome


class _Planning:
    """One run's planning loop and what it has learnt so far (the task history, the data gathered)."""

    def __init__(self, driver: Driver) -> None:
        self.driver = driver
        self.state = driver.state
        self.task: AgentTask = driver.state.task
        self.thinker = Thinker(driver.state)
        self.steps = Steps(max_steps=self.task.max_steps)
        self.runner = MiniGoalRunner(driver, self.steps)
        self.history: list[str] = list(driver.state.history)  # e.g. the driver's note on the start page
        self.gathered: list[dict[str, Any]] = []
        self.blocks = 0

    async def run(self) -> StepOutcome:
        """1. Observe the page; the planner says: achieved, stop, or the next mini-goal.
        2. Carry the mini-goal out (each value of a loop in turn) and note how it ended in the history.
        3. Check the whole goal against the page and the history; when it holds, write the output.
        4. After max_iterations planner calls without success, the run fails.
        """
        rounds = self.task.max_iterations
        for number in range(1, rounds + 1):
            await self._check_stop()
            plan = await self._plan(number)
            if plan.should_terminate:
                return _terminated(self.task, plan)
            if not plan.user_goal_achieved:
                await self._carry_out(plan)
                await self._check_stop()
            if await self._goal_achieved():
                return await self._summarize()
        return _max_iterations(rounds)

    async def _check_stop(self) -> None:
        stopped = await self.driver.stopped()
        if stopped:
            raise _RunEnds(stopped)

    # --- the three reasoning calls -----------------------------------------------------------------

    async def _plan(self, number: int) -> PlannerAnswer:
        async def prompt() -> Prompt:
            view, images = await self.state.observe_for_llm()
            budget = Budget(number, self.task.max_iterations, self.steps.left, self.task.max_steps)
            messages = goal_plan_messages(
                goal=self.task.prompt,
                page=view,
                history=self.history,
                budget=budget,
                payload=self.task.navigation_payload,
                error_codes=self.task.error_code_mapping,
                schema=self.task.data_extraction_schema,
            )
            return messages, images

        return await self._think(
            prompt, parse_planner, "plan", "generate_plan", block_index=self.blocks, what="The planner"
        )

    async def _goal_achieved(self) -> bool:
        async def prompt() -> Prompt:
            view, images = await self.state.observe_for_llm()
            return goal_check_messages(goal=self.task.prompt, page=view, history=self.history), images

        check = await self._think(
            prompt,
            parse_goal_check,
            "user_goal_check",
            "user_goal_check",
            self._last_block(),
            "The goal check",
        )
        if not check.user_goal_achieved:
            self.history.append(f"Goal check: not achieved yet: {check.thoughts or 'no reason given'}")
        return check.user_goal_achieved

    async def _summarize(self) -> StepOutcome:
        schema = self.task.data_extraction_schema

        async def prompt() -> Prompt:
            view, images = await self.state.observe_for_llm()
            messages = goal_summary_messages(
                goal=self.task.prompt, page=view, history=self.history, gathered=self.gathered, schema=schema
            )
            return messages, images

        parse = extraction_parser(schema) if schema is not None else parse_summary
        # Like skyvern-1.0's final extraction: one correction, then the run fails naming the field.
        what = "Could not extract data matching data_extraction_schema" if schema is not None else None
        output = await self._think(
            prompt, parse, "user_goal_check", "summarization", self._last_block(), "The summary", failure=what
        )
        return StepOutcome("completed", output=output)

    async def _think(
        self,
        prompt: Callable[[], Awaitable[Prompt]],
        parse: Callable[[str], Any],
        thought_type: ThoughtType,
        scenario: ThoughtScenario,
        block_index: int | None,
        what: str,
        *,
        failure: str | None = None,
    ) -> Any:
        """One reasoning call, tried again (fresh page, new thought) like a failed step; then the run fails."""
        attempts = 1 if failure else self.task.max_retries_per_step + 1
        error = ""
        for _ in range(attempts):
            await self._check_stop()
            try:
                messages, images = await prompt()
                return await self.thinker.think(
                    messages,
                    parse,
                    images,
                    thought_type=thought_type,
                    scenario=scenario,
                    block_index=block_index,
                )
            except LLMNotConfigured as exc:
                raise _RunEnds(StepOutcome("fatal", str(exc))) from exc
            except (LLMError, AnswerError) as exc:
                error = str(exc)
            except PlaywrightError as exc:
                error = f"could not read the page: {first_line(exc)}"
            except RuntimeError as exc:  # every tab is closed
                raise _RunEnds(StepOutcome("fatal", f"Browser error: {exc}")) from exc
        reason = f"{failure}: {error}" if failure else f"{what} failed {attempts} times; last error: {error}"
        raise _RunEnds(StepOutcome("fatal", reason))

    # --- mini-goals -------------------------------------------------------------------------------

    async def _carry_out(self, plan: PlannerAnswer) -> None:
        if plan.task_type == "loop":
            for value in plan.loop_values:
                await self._mini_goal(plan, plan.loop_task_type, value)
        else:
            await self._mini_goal(plan, "extract" if plan.task_type == "extract" else "navigate")

    async def _mini_goal(self, plan: PlannerAnswer, kind: Any, value: str | None = None) -> None:
        goal = MiniGoal(
            index=self.blocks,
            kind=kind,
            goal=(plan.plan or "").strip(),
            criterion=plan.completion_criterion,
            value=value,
            url=url_of(value, self._page_url()) if value else None,
        )
        self.blocks += 1
        result = await self.runner.run(goal)
        if result.end is not None:
            raise _RunEnds(result.end)
        line = f"Mini-goal {goal.index + 1} ({kind}) {goal.label!r}: {result.status}, {result.detail}"
        if result.data is not None:
            self.gathered.append({"mini_goal": goal.label, "data": result.data})
            line += f"; result: {_preview(result.data)}"
        self.history.append(line)

    def _last_block(self) -> int | None:
        return self.blocks - 1 if self.blocks else None

    def _page_url(self) -> str:
        try:
            return self.state.session.page.url
        except Exception:  # no open tab: a relative loop value then stays text
            return ""


def _preview(data: Any) -> str:
    text = json.dumps(data, ensure_ascii=False, default=str)
    return text if len(text) <= RESULT_PREVIEW_CHARS else text[:RESULT_PREVIEW_CHARS] + "…"


def _terminated(task: AgentTask, plan: PlannerAnswer) -> StepOutcome:
    """The planner stopped the run; its error code counts only when the user's mapping has it (as in 1.0)."""
    reason = plan.termination_reason or plan.thoughts or "The planner stopped the task"
    code = plan.error_code if plan.error_code in (task.error_code_mapping or {}) else None
    if code is None:
        return StepOutcome("terminated", reason)
    return StepOutcome(
        "terminated", reason, output={"error": code}, errors=[{"error_code": code, "reasoning": reason}]
    )


def _max_iterations(rounds: int) -> StepOutcome:
    reason = f"Reached the maximum iterations ({rounds}) without achieving the goal"
    return StepOutcome("fatal", reason, errors=[{"error_code": "REACH_MAX_ITERATIONS", "reasoning": reason}])
