"""What skyvern-2.0's planner and goal check must answer, and how their answers are parsed.

Both models ignore keys they do not know (models add their own notes) but check the ones they use; a
parse error is a ValueError written for the model, so the thinker can send it back as a correction.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from agent.llm import extract_json, validate_answer

TaskType = Literal["navigate", "extract", "loop"]
# A loop over more values than this is cut short: the planner can start another loop for the rest.
MAX_LOOP_VALUES = 20


class PlannerAnswer(BaseModel):
    """The planner's decision: the goal is achieved, the run should stop, or here is the next mini-goal."""

    model_config = ConfigDict(extra="ignore")

    thoughts: str = ""
    user_goal_achieved: bool = False
    should_terminate: bool = False
    termination_reason: str | None = None
    error_code: str | None = None
    plan: str | None = None
    completion_criterion: str | None = None
    task_type: TaskType | None = None
    loop_values: list[str] = Field(default_factory=list)
    loop_task_type: Literal["navigate", "extract"] = "navigate"

    @field_validator("task_type", mode="before")
    @classmethod
    def _lowercase(cls, value: Any) -> Any:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("loop_task_type", mode="before")
    @classmethod
    def _round_kind(cls, value: Any) -> Any:
        return "navigate" if value is None else cls._lowercase(value)

    @field_validator("loop_values", mode="before")
    @classmethod
    def _values_as_text(cls, value: Any) -> Any:
        # Models list links as strings, numbers or small objects; each round gets it as text.
        if value is None:
            return []
        if isinstance(value, list):
            return [item if isinstance(item, str) else _compact(item) for item in value[:MAX_LOOP_VALUES]]
        return value

    @model_validator(mode="after")
    def _next_step_is_clear(self) -> PlannerAnswer:
        if self.user_goal_achieved or self.should_terminate:
            return self
        if not (self.plan or "").strip():
            raise ValueError("plan is required unless user_goal_achieved or should_terminate is true")
        if self.task_type is None:
            raise ValueError('task_type is required: "navigate", "extract" or "loop"')
        if self.task_type == "loop" and not self.loop_values:
            raise ValueError("a loop needs loop_values: the values to repeat the mini-goal for")
        return self


class GoalCheck(BaseModel):
    """The goal check's verdict on the whole user goal."""

    model_config = ConfigDict(extra="ignore")

    thoughts: str = ""
    user_goal_achieved: bool


def _compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def parse_planner(text: str) -> PlannerAnswer:
    return validate_answer(extract_json(text), PlannerAnswer)


def parse_goal_check(text: str) -> GoalCheck:
    return validate_answer(extract_json(text), GoalCheck)


def parse_summary(text: str) -> dict[str, Any]:
    """A summary without a schema: any JSON object."""
    data = extract_json(text)
    if not isinstance(data, dict):
        raise ValueError("the answer must be a JSON object")
    return data
