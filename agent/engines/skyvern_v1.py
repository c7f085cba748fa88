"""skyvern-1.0: each step observes the page (elements with ids, screenshots), asks the model for a list of
actions, runs them, and verifies a claimed completion with a second call (agent.loop.step)."""

from __future__ import annotations

from agent.engines.base import Driver, StepBody
from agent.llm import NOT_CONFIGURED
from agent.loop.state import RunState, StepOutcome
from agent.loop.step import run_step


class SkyvernV1:
    name = "skyvern-1.0"
    chooses_start_url = True  # with no URL, the chat model picks the first page

    def preflight(self, state: RunState) -> str | None:
        return None if state.llm.configured else NOT_CONFIGURED

    async def run(self, driver: Driver) -> StepOutcome:
        state = driver.state
        return await run_steps(driver, lambda step: run_step(state, step))


async def run_steps(driver: Driver, body: StepBody) -> StepOutcome:
    """Steps in order until one ends the run; a step whose outcome is "retry" is run again, up to
    max_retries_per_step times. Every engine that takes one turn per step drives its turns with this."""
    task = driver.state.task
    order, retry = 0, 0
    while True:
        stopped = await driver.stopped()
        if stopped:
            return stopped
        if order >= task.max_steps:
            return max_steps_reached(task.max_steps)
        outcome = await driver.record_step(order, retry, body)
        if outcome.kind == "continue":
            order, retry = order + 1, 0
        elif outcome.kind == "retry" and retry < task.max_retries_per_step:
            retry += 1
        elif outcome.kind == "retry":
            attempts = task.max_retries_per_step + 1
            return StepOutcome("fatal", f"Step {order} failed {attempts} times; last error: {outcome.reason}")
        else:
            return outcome


def max_steps_reached(max_steps: int) -> StepOutcome:
    reason = f"Reached the maximum steps ({max_steps})"
    return StepOutcome("fatal", reason, errors=[{"error_code": "REACH_MAX_STEPS", "reasoning": reason}])
