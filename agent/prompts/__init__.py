"""Prompt templates (the .md files beside this module) and the builders that fill them.

Every system prompt starts with a `Prompt-Kind: <kind>` line. Models ignore it, but it lets a scripted
test LLM (tests/support/fake_llm.py) tell a planning call from a completion check or an extraction.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from string import Template
from typing import Any

from agent import catalog

KIND_MARKER = "Prompt-Kind: "
# skyvern-1.0 sends plan, verify and extract; skyvern-2.0 adds its planner, goal check and summary (and
# runs each mini-goal with the 1.0 kinds).
PROMPT_KINDS = ("plan", "verify", "extract", "goal_plan", "goal_check", "goal_summary", "start_url")
# The coordinate engines' requests (openai_cua.md, anthropic_cua.md, ui_tars.md, cua_task.md); their
# extraction call at the end is an "extract".
CUA_PROMPT_KINDS = ("openai-cua", "anthropic-cua", "ui-tars")
# First words of the message sent after an unusable answer (see correction.md).
CORRECTION_MARKER = "Your previous answer could not be used"
PAGE_OPEN = "<<<PAGE "
PAGE_CLOSE = "<<<END PAGE "
TOTP_PLACEHOLDER = "{{totp_code}}"
# Where the part of a planning request that stays the same for a whole run ends (plan_user.md): what comes
# before it is marked for the provider's prompt cache (agent.llm.mark_cacheable).
CACHE_SPLIT = "\nActions already taken (oldest first):"

_DIR = Path(__file__).parent


@cache
def _template(name: str) -> Template:
    return Template((_DIR / f"{name}.md").read_text(encoding="utf-8"))


def render(name: str, **values: Any) -> str:
    """Fill template `name` ($placeholders); a missing value is a bug, so it raises KeyError."""
    return _template(name).substitute(**values)


@dataclass(frozen=True)
class PageView:
    """What the prompts show of the current page."""

    url: str
    title: str
    text: str


def fence_page(text: str) -> str:
    """Wrap untrusted page text between boundary lines with a random token the page cannot forge."""
    token = secrets.token_hex(8)
    return f"{PAGE_OPEN}{token}>>>\n{text}\n{PAGE_CLOSE}{token}>>>"


def _json(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False, default=str)


def _history(lines: list[str]) -> str:
    return "\n".join(f"- {line}" for line in lines) if lines else "(none yet)"


def plan_messages(
    *,
    goal: str,
    page: PageView,
    history: list[str],
    payload: dict[str, Any] | None = None,
    error_codes: dict[str, str] | None = None,
    totp_available: bool = False,
    schema: Any = None,
    secret_labels: dict[str, str] | None = None,
) -> list[dict[str, Any]]:
    """`secret_labels` ({name: what it is}) lists the stored secrets the model may type as placeholders."""
    codes = render("error_codes", mapping=_json(error_codes)) if error_codes else ""
    secrets_text = _secrets_section(secret_labels) if secret_labels else ""
    extraction = render("plan_extraction", schema=_json(schema)) if schema is not None else ""
    user = render(
        "plan_user",
        goal=goal,
        payload=_json(payload) if payload else "(none)",
        extraction=extraction,
        totp=(render("totp") if totp_available else "") + secrets_text,
        error_codes=codes,
        history=_history(history),
        url=page.url,
        title=page.title,
        page=fence_page(page.text),
    )
    system = render("plan_system", actions=catalog.prompt_lines())
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]


def _secrets_section(labels: dict[str, str]) -> str:
    lines = "\n".join(f"- {{{{{name}}}}}" + (f": {label}" if label else "") for name, label in labels.items())
    return render("secrets", lines=lines)


def verify_messages(*, goal: str, page: PageView, history: list[str] | None) -> list[dict[str, Any]]:
    """`history` is None when the task does not want the action history in the check."""
    note = ", and the actions taken so far" if history is not None else ""
    history_text = f"\nActions taken (oldest first):\n{_history(history)}\n" if history is not None else ""
    system = render("verify_system", history_note=note)
    user = render(
        "verify_user",
        goal=goal,
        history=history_text,
        url=page.url,
        title=page.title,
        page=fence_page(page.text),
    )
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]


def extract_messages(*, goal: str, page: PageView, schema: Any) -> list[dict[str, Any]]:
    user = render(
        "extract_user",
        goal=goal,
        schema=_json(schema) if schema is not None else "(none: answer with whatever JSON fits best)",
        url=page.url,
        title=page.title,
        page=fence_page(page.text),
    )
    return [{"role": "system", "content": render("extract_system")}, {"role": "user", "content": user}]


@dataclass(frozen=True)
class Budget:
    """Where a skyvern-2.0 run stands, as the planner is told: planning round, browser steps left."""

    round: int
    max_rounds: int
    steps_left: int
    max_steps: int


def goal_plan_messages(
    *,
    goal: str,
    page: PageView,
    history: list[str],
    budget: Budget,
    payload: dict[str, Any] | list[Any] | str | None = None,
    error_codes: dict[str, str] | None = None,
    schema: Any = None,
) -> list[dict[str, Any]]:
    """skyvern-2.0's planner: is the goal achieved, should the run stop, or what is the next mini-goal."""
    user = render(
        "goal_plan_user",
        goal=goal,
        payload=_json(payload) if payload else "(none)",
        extraction=render("goal_plan_extraction", schema=_json(schema)) if schema is not None else "",
        error_codes=render("goal_plan_error_codes", mapping=_json(error_codes)) if error_codes else "",
        history=_history(history),
        round=budget.round,
        max_rounds=budget.max_rounds,
        steps_left=budget.steps_left,
        max_steps=budget.max_steps,
        url=page.url,
        title=page.title,
        page=fence_page(page.text),
    )
    return [{"role": "system", "content": render("goal_plan_system")}, {"role": "user", "content": user}]


def goal_check_messages(*, goal: str, page: PageView, history: list[str]) -> list[dict[str, Any]]:
    """skyvern-2.0's validator: does the page and the history show the whole goal achieved?"""
    user = render(
        "goal_check_user",
        goal=goal,
        history=_history(history),
        url=page.url,
        title=page.title,
        page=fence_page(page.text),
    )
    return [{"role": "system", "content": render("goal_check_system")}, {"role": "user", "content": user}]


def goal_summary_messages(
    *, goal: str, page: PageView, history: list[str], gathered: list[Any], schema: Any
) -> list[dict[str, Any]]:
    """skyvern-2.0's last call: the run's output, in the user's schema when there is one."""
    if schema is not None:
        shape = f"The answer must match this JSON schema:\n{_json(schema)}"
    else:
        shape = (
            "No format was requested: answer with a small JSON object, "
            '{"summary": "one or two sentences on what was done and found"}, '
            "plus one key for each piece of information the user asked for."
        )
    user = render(
        "goal_summary_user",
        goal=goal,
        shape=shape,
        history=_history(history),
        gathered=_json(gathered) if gathered else "(nothing)",
        url=page.url,
        title=page.title,
        page=fence_page(page.text),
    )
    return [{"role": "system", "content": render("goal_summary_system")}, {"role": "user", "content": user}]


def correction_messages(messages: list[dict[str, Any]], bad_answer: str, error: str) -> list[dict[str, Any]]:
    """The conversation so far plus the unusable answer and what was wrong with it."""
    return [
        *messages,
        {"role": "assistant", "content": bad_answer},
        {"role": "user", "content": render("correction", error=error)},
    ]


def start_url_messages(*, goal: str) -> list[dict[str, Any]]:
    """Ask where to start when the task gave no URL."""
    return [{"role": "system", "content": render("start_url")}, {"role": "user", "content": f"Task: {goal}"}]
