"""What an engine is: given the open browser and the run's state, it drives steps until the run ends.

The generic driver (agent.loop.runner) opens the browser and the start page before an engine runs, and
collects the final screenshot, downloads and recording after it; the engine only decides and acts. Every
step it takes goes through `driver.record_step`, so the host's sink sees steps, actions, artifacts, tokens
and cost the same way whatever the engine.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Protocol

from agent.loop.state import RunState, StepOutcome
from agent.schemas import StepRecord

StepBody = Callable[[StepRecord], Awaitable[StepOutcome]]


class Driver(Protocol):
    state: RunState
    steps: list[StepRecord]

    async def record_step(
        self,
        order: int,
        retry: int,
        body: StepBody,
        *,
        block_index: int | None = None,
        block_goal: str | None = None,
    ) -> StepOutcome:
        """Open a step for the sink, run `body` on it, close it with the outcome's status. Engines that
        split a run into mini-goals pass which one the step serves (the sink sees it from the start)."""
        ...

    async def stopped(self) -> StepOutcome | None:
        """An outcome when the run was canceled or ran out of time, else None."""
        ...


class Engine(Protocol):
    """One way of deciding what to do. `name` is the public engine name (`skyvern-1.0`, ...)."""

    name: str

    def preflight(self, state: RunState) -> str | None:
        """A reason the run cannot start (e.g. no model configured), checked before the browser opens."""
        ...

    async def run(self, driver: Driver) -> StepOutcome:
        """Drive the run to an outcome that ends it (completed, terminated, fatal, canceled, timed_out)."""
        ...
