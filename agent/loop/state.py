"""What a run carries from step to step, and how a step ends."""

from __future__ import annotations

import inspect
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from agent.actions import ActionContext, Asker
from agent.llm import LLMClient
from agent.loop.observe import observe
from agent.loop.sink import Sink
from agent.prompts import PageView
from agent.schemas import ActionRecord, AgentTask, ThoughtRecord
from agent.totp import current_code

ShouldStop = Callable[[], bool | Awaitable[bool]]
# Called with task.totp_identifier; returns the current code (e.g. one the host received by email).
TotpProvider = Callable[[str | None], str | None | Awaitable[str | None]]

OutcomeKind = Literal["continue", "retry", "fatal", "completed", "terminated", "canceled", "timed_out"]


@dataclass
class StepOutcome:
    """How a step ended: carry on, retry it, or end the run with this status."""

    kind: OutcomeKind
    reason: str | None = None
    output: Any = None
    errors: list[dict[str, Any]] = field(default_factory=list)


async def maybe_await(value: Any) -> Any:
    return await value if inspect.isawaitable(value) else value


@dataclass
class RunState:
    task: AgentTask
    llm: LLMClient
    sink: Sink
    should_stop: ShouldStop | None = None
    deadline: float | None = None  # time.monotonic() value
    totp_provider: TotpProvider | None = None
    allow_hosts: list[str] = field(default_factory=list)
    work_dir: Path = Path(".")
    session: Any = None
    history: list[str] = field(default_factory=list)
    last_extracted: Any = None
    # Reasoning calls between steps (skyvern-2.0), counted into the result's tokens and cost.
    thoughts: list[ThoughtRecord] = field(default_factory=list)
    # A cheaper model for the small helper calls (completion checks, summaries); None: `llm` does them.
    secondary_llm: LLMClient | None = None

    @property
    def helper_llm(self) -> LLMClient:
        """The model for small helper calls: the secondary one when configured, else the main one."""
        secondary = self.secondary_llm
        return secondary if secondary is not None and secondary.configured else self.llm

    async def stop_reason(self) -> Literal["canceled", "timed_out"] | None:
        if self.should_stop is not None and await maybe_await(self.should_stop()):
            return "canceled"
        if self.deadline is not None and time.monotonic() > self.deadline:
            return "timed_out"
        return None

    async def observe_for_llm(self) -> tuple[PageView, list[bytes]]:
        obs = await observe(self.session, with_html=False)
        return obs.view, obs.screenshots

    async def totp_code(self) -> str | None:
        if self.totp_provider is not None:
            code = await maybe_await(self.totp_provider(self.task.totp_identifier))
            if code:
                return str(code)
        return current_code(self.task.totp_secret) if self.task.totp_secret else None

    @property
    def totp_available(self) -> bool:
        return bool(self.task.totp_secret or self.totp_provider)

    def action_context(self, ask: Asker) -> ActionContext:
        return ActionContext(
            session=self.session,
            task=self.task,
            llm=self.llm,
            ask=ask,
            observe=self.observe_for_llm,
            allow_hosts=self.allow_hosts,
            work_dir=self.work_dir,
            totp_code=self.totp_code,
        )

    def remember(self, order: int, record: ActionRecord, note: str | None = None) -> None:
        """Add one line per action to the history the prompts show."""
        self.history.append(history_line(order, record) + (f" ({note})" if note else ""))


def history_line(order: int, record: ActionRecord) -> str:
    target = f" on element {record.element_id}" if record.element_id else ""
    details = []
    if record.text is not None:
        details.append(f"text={record.text!r}")
    if record.option:
        details.append(f"option={record.option}")
    if record.file_url:
        details.append(f"file_url={record.file_url}")
    if record.reasoning:
        details.append(f"because: {record.reasoning}")
    outcome = "ok" if record.status == "completed" else f"FAILED {record.error_type}: {record.error_message}"
    extra = f" [{'; '.join(details)}]" if details else ""
    return f"step {order}: {record.action_type}{target}{extra} -> {outcome}"
