"""The action types the LLM may answer with: one table, read by the schema, the prompt and the tests.

`agent.schemas` derives `ActionType`, `ELEMENT_ACTIONS` and the required-field check from it, the planning
prompt lists it (`$actions` in prompts/plan_system.md), and tests/agent/test_catalog.py checks that every
entry has a handler in `agent.actions`. A second table, COORDINATE_ACTIONS, lists the engine-level actions
the coordinate engines run at x, y (agent.actions.coordinates); the planning prompt never shows them. This module imports nothing from `agent`, so anything may import it.
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
        'id, option {"label": ..., "value": ..., "index": ...} (give the label when you can; to choose several'
        " in a multi-select list, give a list of such objects: every option listed ends up selected)",
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


@dataclass(frozen=True)
class CoordinateSpec:
    """An engine-level action: a coordinate engine (openai-cua, anthropic-cua, ui-tars) asks for it in its
    provider's own shape and translates it; no planning prompt offers it, so skyvern-1.0 never sees it."""

    name: str
    # Fields agent.schemas.CoordinateAction refuses to go without.
    required_fields: tuple[str, ...]
    # The Skyvern ActionType the host stores (the public API knows no double_click or right_click).
    wire_type: str


COORDINATE_ACTIONS: tuple[CoordinateSpec, ...] = (
    CoordinateSpec("click", ("x", "y"), "click"),  # button: left (default), right, middle, back, forward
    CoordinateSpec("double_click", ("x", "y"), "click"),
    CoordinateSpec("right_click", ("x", "y"), "click"),
    CoordinateSpec("move", ("x", "y"), "move"),
    CoordinateSpec("drag", ("path",), "drag"),  # path: two or more points, the first is where it starts
    CoordinateSpec("scroll", ("x", "y"), "scroll"),  # scroll_x / scroll_y in pixels, positive is right/down
    CoordinateSpec("mouse_down", (), "left_mouse"),
    CoordinateSpec("mouse_up", (), "left_mouse"),
    CoordinateSpec("type", ("text",), "input_text"),
    CoordinateSpec("keypress", ("keys",), "keypress"),  # keys: a list, pressed together ("CTRL", "A")
    CoordinateSpec("wait", (), "wait"),
)

COORDINATE_TYPES: tuple[str, ...] = tuple(spec.name for spec in COORDINATE_ACTIONS)


def prompt_lines() -> str:
    """The action list as the planning prompt shows it, one `- name: fields` line per action."""
    return "\n".join(f"- {spec.name}: {spec.description}" for spec in ACTIONS)
