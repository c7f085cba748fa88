"""The action types the LLM may answer with: one table, read by the schema, the prompt and the tests.

`agent.schemas` derives `ActionType`, `ELEMENT_ACTIONS` and the required-field check from it, the planning
prompt lists it (`$actions` in prompts/plan_system.md), and tests/agent/test_catalog.py checks that every
entry has a handler in `agent.actions`. This module imports nothing from `agent`, so anything may import it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ActionSpec:
    name: str
    # Fields PlannedAction refuses to go without; "id" makes it an element action.
    required_fields: tuple[str, ...]
    # The fields as the planning prompt explains them, after "- <name>: ".
    description: str

    @property
    def needs_element(self) -> bool:
        return "id" in self.required_fields


ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec("click", ("id",), "id"),
    ActionSpec("input_text", ("id", "text"), "id, text (replaces the field's content)"),
    ActionSpec(
        "select_option",
        ("id", "option"),
        'id, option {"label": ..., "value": ..., "index": ...} (give the label when you can)',
    ),
    ActionSpec("checkbox", ("id", "is_checked"), "id, is_checked (true or false)"),
    ActionSpec("upload_file", ("id", "file_url"), "id, file_url"),
    ActionSpec("hover", ("id",), "id"),
    ActionSpec("scroll", (), 'direction ("up" or "down"), id (optional: a scrollable container)'),
    ActionSpec(
        "keypress",
        ("key",),
        'key (for example "Enter", "Tab", "Escape"), id (optional: the element to focus first)',
    ),
    ActionSpec("wait", (), "seconds"),
    ActionSpec("goto_url", ("url",), "url"),
    ActionSpec("reload_page", (), "no fields"),
    ActionSpec("go_back", (), "no fields"),
    ActionSpec("extract", (), "no fields (reads the data the user asked for from the current page)"),
    ActionSpec("complete", (), "data (optional)"),
    ActionSpec("terminate", (), "reasoning, error_code (only when the request lists error codes)"),
    ActionSpec("solve_captcha", (), "no fields"),
)

ACTION_TYPES: tuple[str, ...] = tuple(spec.name for spec in ACTIONS)


def prompt_lines() -> str:
    """The action list as the planning prompt shows it, one `- name: fields` line per action."""
    return "\n".join(f"- {spec.name}: {spec.description}" for spec in ACTIONS)
