"""What the workflow engine reports to its host, and the settings a host gives it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from agent.browser import BrowserConfig
from agent.llm import LLMClient
from agent.loop import NullSink, Sink
from agent.loop.state import ShouldStop, TotpProvider
from agent.schemas import AgentResult, AgentTask


@dataclass
class BlockRun:
    """One execution of a block (a loop's iterations each run their inner blocks again)."""

    label: str
    block_type: str
    order: int
    parent: BlockRun | None = None
    loop_index: int | None = None
    loop_value: Any = None
    inputs: dict[str, Any] | None = None
    status: str = "running"
    output: Any = None
    failure_reason: str | None = None
    input_tokens: int = 0
    output_tokens: int = 0
    cost: float = 0.0
    ref: Any = None  # the host's handle (its row)


@dataclass
class WorkflowOptions:
    llm: LLMClient
    browser: BrowserConfig
    launcher: Any = None  # like run_agent's: BrowserConfig -> async context manager yielding a session
    should_stop: ShouldStop | None = None
    timeout: float | None = None
    totp_provider: TotpProvider | None = None
    secondary_llm: LLMClient | None = None
    max_steps: int | None = None  # a cap on every browser block's steps (x-max-steps-override)
    workflow_run_id: str = ""
    title: str = ""


@dataclass
class WorkflowResult:
    status: str
    output: dict[str, Any] = field(default_factory=dict)
    failure_reason: str | None = None
    input_tokens: int = 0
    output_tokens: int = 0
    total_cost: float = 0.0
    step_count: int = 0


class WorkflowHost:
    """Does nothing; hosts subclass it to persist and publish blocks."""

    async def block_started(self, block: BlockRun) -> None:
        pass

    async def block_finished(self, block: BlockRun) -> None:
        pass

    def block_sink(self, block: BlockRun) -> Sink:
        """Where the agent's steps, actions and thoughts of this block go."""
        return NullSink()

    def run_sink(self) -> Sink:
        """Where the run's own artifacts (the recording) go."""
        return NullSink()

    async def block_engine(self, block: BlockRun, task: AgentTask) -> Any:
        """An engine object that runs this browser block instead of the agent (a script's replay), or None
        for the agent."""
        return None

    async def block_ran(self, block: BlockRun, task: AgentTask, result: AgentResult, engine: Any) -> None:
        """A browser block's agent or replay finished: the host may keep what it did (a script)."""

    async def login(self, block: BlockRun, inputs: dict[str, Any]) -> dict[str, Any] | None:
        """The login block's credential as AgentTask fields: {"secrets": {placeholder: value},
        "secret_labels": {...}, "totp_secret"?}; None when there is none (the block then fails saying so)."""
        return None
