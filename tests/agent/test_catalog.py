"""The action catalog is the one list of action types: schema, handlers and prompt all agree with it."""

from __future__ import annotations

from typing import get_args

import pytest

from agent.actions import HANDLERS
from agent.catalog import ACTIONS
from agent.prompts import KIND_MARKER, PageView, plan_messages
from agent.schemas import ACTION_TYPES, ELEMENT_ACTIONS, ActionType, PlannedAction

PLAN_PROMPT = plan_messages(goal="g", page=PageView(url="http://x.test/", title="t", text="x"), history=[])
PLAN_SYSTEM = PLAN_PROMPT[0]["content"]


@pytest.mark.parametrize("spec", ACTIONS, ids=lambda spec: spec.name)
def test_every_action_type_has_a_handler_and_a_line_in_the_planning_prompt(spec) -> None:
    assert spec.name in HANDLERS
    assert f"\n- {spec.name}: {spec.description}\n" in PLAN_SYSTEM
    for name in spec.required_fields:  # the prompt mentions every field the schema insists on
        assert name in spec.description


def test_there_is_no_handler_for_an_action_the_catalog_does_not_offer() -> None:
    assert set(HANDLERS) == set(ACTION_TYPES)


def test_the_schema_names_come_from_the_catalog() -> None:
    assert get_args(ActionType) == ACTION_TYPES == tuple(spec.name for spec in ACTIONS)
    assert ELEMENT_ACTIONS == {"click", "input_text", "select_option", "checkbox", "upload_file", "hover"}
    with pytest.raises(ValueError, match="checkbox needs id, is_checked"):
        PlannedAction(action_type="checkbox")


def test_the_planning_prompt_still_starts_with_its_kind() -> None:
    assert PLAN_SYSTEM.startswith(f"{KIND_MARKER}plan\n")
    assert "$" not in PLAN_SYSTEM  # every placeholder was filled
