"""Pydantic models at the agent's edges: the task in, the records out, and the LLM's action list.

The host (Django) builds an `AgentTask`, receives `StepRecord`/`ActionRecord` through its sink and an
`AgentResult` at the end. `PlannedAction` is what the LLM must answer with: a wrong value (a click without
an id) is reported back to the model instead of half-working, while keys it does not know (a model's own
`confidence_float`) are ignored and kept in the action's raw record. `CoordinateAction` is what the
coordinate engines translate their provider's actions into.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from agent.catalog import ACTION_TYPES, ACTIONS, COORDINATE_ACTIONS, COORDINATE_TYPES

# Built from the catalog, so a new action is added in one place. Static checkers cannot read a Literal
# made at runtime; pydantic can, and it is what validates the LLM's answers.
ActionType = Literal[ACTION_TYPES]  # type: ignore[valid-type]
# Action types that need an element id to do anything.
ELEMENT_ACTIONS = frozenset(spec.name for spec in ACTIONS if spec.needs_element)
_REQUIRED: dict[str, tuple[str, ...]] = {spec.name: spec.required_fields for spec in ACTIONS}
CoordinateType = Literal[COORDINATE_TYPES]  # type: ignore[valid-type]
_COORDINATE_REQUIRED = {spec.name: spec.required_fields for spec in COORDINATE_ACTIONS}

RunStatus = Literal["completed", "failed", "terminated", "canceled", "timed_out"]
StepStatus = Literal["running", "completed", "failed", "canceled"]


def utcnow() -> datetime:
    return datetime.now(UTC)


class AgentTask(BaseModel):
    """What the host asks the agent to do (Skyvern's task request, minus transport fields)."""

    prompt: str
    url: str | None = None
    title: str | None = None
    data_extraction_schema: dict[str, Any] | list[Any] | None = None
    error_code_mapping: dict[str, str] | None = None
    max_steps: int = Field(default=10, ge=1)
    include_action_history_in_verification: bool = False
    totp_identifier: str | None = None
    totp_secret: str | None = Field(default=None, exclude=True, repr=False)
    # Stored secrets as {name: value}: prompts show only `{{name}}`, the value is typed into the page and
    # redacted from everything the agent sends out (agent/secrets.py). `secret_labels` says what each is.
    secrets: dict[str, str] = Field(default_factory=dict, exclude=True, repr=False)
    secret_labels: dict[str, str] = Field(default_factory=dict)
    navigation_payload: dict[str, Any] | list[Any] | str | None = None
    max_retries_per_step: int = Field(default=2, ge=0)
    max_screenshot_scrolls: int | None = Field(default=None, ge=0)
    # skyvern-2.0: how many times the planner may pick a next mini-goal before the run gives up.
    max_iterations: int = Field(default=10, ge=1)


class SelectOption(BaseModel):
    model_config = ConfigDict(extra="ignore")

    label: str | None = None
    value: str | None = None
    index: int | None = None

    @model_validator(mode="before")
    @classmethod
    def _text_is_a_label(cls, value: Any) -> Any:
        return {"label": value} if isinstance(value, str) else value

    @model_validator(mode="after")
    def _one_is_set(self) -> SelectOption:
        if self.label is None and self.value is None and self.index is None:
            raise ValueError("option needs at least one of label, value or index")
        return self


class PlannedAction(BaseModel):
    """One action as the LLM proposes it. Field names follow Skyvern's wire shape (`id`, `option`...).

    Unknown keys are dropped (models answering in Skyvern's own shape add `confidence_float`,
    `user_detail_query`...); `raw` keeps the action exactly as the model wrote it when it had any.
    """

    model_config = ConfigDict(extra="ignore")

    action_type: ActionType
    id: str | None = None
    reasoning: str | None = None
    text: str | None = None
    option: SelectOption | None = None
    # Several options at once (a multi-select list). The model may also send `option` as a list; either
    # way `option` stays the first one, so readers of the single form keep working.
    options: list[SelectOption] | None = None
    file_url: str | None = None
    is_checked: bool | None = None
    direction: Literal["up", "down"] | None = None
    key: str | None = None
    seconds: float | None = Field(default=None, ge=0, le=60)
    url: str | None = None
    data: Any = None
    error_code: str | None = None
    raw: dict[str, Any] | None = Field(default=None, exclude=True)

    @model_validator(mode="before")
    @classmethod
    def _keep_raw(cls, value: Any) -> Any:
        if not isinstance(value, dict):
            return value
        fields = {name: item for name, item in value.items() if name != "raw"}
        return {**fields, "raw": dict(value)} if set(value) - set(cls.model_fields) else fields

    @model_validator(mode="before")
    @classmethod
    def _options_list(cls, value: Any) -> Any:
        if not isinstance(value, dict):
            return value
        option, options = value.get("option"), value.get("options")
        if isinstance(option, list):
            options = options or option
        if isinstance(options, list) and options:
            first = option[0] if isinstance(option, list) and option else option
            return {**value, "option": first or options[0], "options": options}
        return value

    @field_validator("action_type", "direction", mode="before")
    @classmethod
    def _lowercase(cls, value: Any) -> Any:
        # Models copy examples in either case and spelling ("CLICK", "Input-Text"); all mean the same.
        return value.strip().lower().replace("-", "_").replace(" ", "_") if isinstance(value, str) else value

    @field_validator("id", mode="before")
    @classmethod
    def _id_as_text(cls, value: Any) -> Any:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else value

    @model_validator(mode="after")
    def _required_fields(self) -> PlannedAction:
        missing = [name for name in _REQUIRED[self.action_type] if getattr(self, name) is None]
        if missing:
            raise ValueError(f"{self.action_type} needs {', '.join(missing)}")
        return self


class CoordinateAction(BaseModel):
    """One engine-level action at viewport pixels (agent.catalog.COORDINATE_ACTIONS), translated from a
    provider's action; `raw` is that action as the provider sent it."""

    model_config = ConfigDict(extra="forbid")

    kind: CoordinateType
    x: float | None = None
    y: float | None = None
    button: Literal["left", "right", "middle", "back", "forward"] = "left"
    clicks: int = Field(default=1, ge=1, le=3)
    path: list[tuple[float, float]] | None = Field(default=None, min_length=2)
    scroll_x: float = 0
    scroll_y: float = 0
    text: str | None = None
    keys: list[str] | None = Field(default=None, min_length=1)
    seconds: float | None = Field(default=None, ge=0, le=60)
    reasoning: str | None = None
    raw: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _required_fields(self) -> CoordinateAction:
        missing = [name for name in _COORDINATE_REQUIRED[self.kind] if getattr(self, name) is None]
        if missing:
            raise ValueError(f"{self.kind} needs {', '.join(missing)}")
        return self

    @property
    def point(self) -> tuple[float, float] | None:
        """Where it lands: x, y, or a drag's last point."""
        if self.path:
            return self.path[-1]
        return (self.x, self.y) if self.x is not None and self.y is not None else None


class ActionPlan(BaseModel):
    """The planning answer. Extra top-level keys (a model's own notes) are tolerated, actions are not."""

    actions: list[PlannedAction] = Field(min_length=1)


class Verdict(BaseModel):
    """The completion check's answer."""

    goal_achieved: bool
    reasoning: str | None = None


class ActionResult(BaseModel):
    """What an action handler reports. Handlers never raise; they describe the failure here."""

    success: bool
    error_type: str | None = None
    error_message: str | None = None
    data: Any = None
    download_triggered: bool = False

    @classmethod
    def ok(cls, data: Any = None, *, download_triggered: bool = False) -> ActionResult:
        return cls(success=True, data=data, download_triggered=download_triggered)

    @classmethod
    def fail(cls, error_type: str, message: str, data: Any = None) -> ActionResult:
        return cls(success=False, error_type=error_type, error_message=message, data=data)


class ActionRecord(BaseModel):
    """One executed action, as the host stores it (Skyvern's Action row)."""

    index: int
    action_type: str
    element_id: str | None = None
    reasoning: str | None = None
    text: str | None = None
    option: dict[str, Any] | None = None
    file_url: str | None = None
    status: Literal["completed", "failed"] = "completed"
    error_type: str | None = None
    error_message: str | None = None
    data: Any = None
    download_triggered: bool = False
    # Coordinate engines: where the action landed on the screenshot (viewport pixels), and the action as
    # the provider sent it (unknown keys kept), so nothing the model said is lost.
    x: float | None = None
    y: float | None = None
    raw: dict[str, Any] | None = None
    # Element actions: the target described in the page at action time (role + accessible name, label,
    # placeholder, text, name/id, CSS path and the locator candidates built from them; agent.scripts), and
    # where it happened (`url` before the action, `url_after`), so a run can become a replayable script.
    locator: dict[str, Any] | None = None
    page: dict[str, Any] | None = None


class Charged:
    """What a step and a thought share: they count the LLM replies made for them, into their own
    input_tokens, output_tokens, reasoning_tokens, cached_tokens, cost and llm_model fields (declared there,
    so each keeps its field order)."""

    def charge(self, reply: Any) -> None:
        """Count an LLM reply (agent.llm.LLMReply): its tokens, cost and model."""
        self.input_tokens += reply.input_tokens
        self.output_tokens += reply.output_tokens
        self.reasoning_tokens += reply.reasoning_tokens
        self.cached_tokens += reply.cached_tokens
        self.cost += reply.cost
        self.llm_model = reply.model or self.llm_model


class StepRecord(Charged, BaseModel):
    """One observe → decide → act round, as the host stores it (Skyvern's Step row)."""

    order: int
    retry_index: int = 0
    status: StepStatus = "running"
    input_tokens: int = 0
    output_tokens: int = 0
    reasoning_tokens: int = 0
    cached_tokens: int = 0
    cost: float = 0.0
    llm_model: str | None = None
    output: dict[str, Any] | None = None
    actions: list[ActionRecord] = Field(default_factory=list)
    started_at: datetime = Field(default_factory=utcnow)
    finished_at: datetime | None = None
    # Engines that split a run into mini-goals (skyvern-2.0): which one this step served.
    block_index: int | None = None
    block_goal: str | None = None
    # Whether the step's LLM calls carried the page's screenshots: how many went (None: no call had any to
    # send), and in words which model got them or why it did not (its vision setting).
    screenshots_sent: int | None = None
    screenshot_note: str | None = None


ThoughtType = Literal["plan", "metadata", "user_goal_check", "internal_plan", "failure_describe"]
ThoughtScenario = Literal[
    "generate_plan",
    "user_goal_check",
    "failure_describe",
    "summarization",
    "generate_metadata",
    "extract_loop_values",
    "generate_task_in_loop",
    "generate_general_task",
]


class ThoughtRecord(Charged, BaseModel):
    """One reasoning call that is not a browser step (a planner, validator or summary call), as the host
    stores it (Skyvern's Thought)."""

    order: int
    thought_type: ThoughtType = "plan"
    thought_scenario: ThoughtScenario | None = None
    user_input: str | None = None
    observation: str | None = None
    thought: str | None = None
    answer: str | None = None
    output: dict[str, Any] | None = None
    block_index: int | None = None
    input_tokens: int = 0
    output_tokens: int = 0
    reasoning_tokens: int = 0
    cached_tokens: int = 0
    cost: float = 0.0
    llm_model: str | None = None
    created_at: datetime = Field(default_factory=utcnow)


class AgentResult(BaseModel):
    status: RunStatus
    output: Any = None
    failure_reason: str | None = None
    errors: list[dict[str, Any]] = Field(default_factory=list)
    downloaded_files: list[Path] = Field(default_factory=list)
    recording_path: Path | None = None
    final_screenshot: bytes | None = None
    step_count: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    total_cost: float = 0.0
