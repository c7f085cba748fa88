"""A finished run's actions → the plan a script replays: one step per action that changed the page.

Each step is a plain dict (it is stored as JSON):

    {"action": "input_text", "locators": [{"by": "role", "role": "textbox", "name": "Email"}, ...],
     "value": "ada@example.com", "parameter": "email", "url": "http://…/form", "wait_url": None,
     "target": "the field labelled 'Email'"}

`value` is what was typed or chosen (a parameter's default when `parameter` is set), `url` the page the
action happened on (the state a replay expects before it), `wait_url` the page it led to when it navigated.
The last step is `complete`, carrying the run's output and the page it ended on.
"""

from __future__ import annotations

import keyword
import re
from typing import Any
from urllib.parse import urlsplit

# Actions a replay repeats. Scrolls and waits are left out: Playwright scrolls to what it acts on, and a
# replay waits for page states instead of for seconds.
REPLAYED = {
    "click",
    "input_text",
    "select_option",
    "checkbox",
    "upload_file",
    "hover",
    "keypress",
    "goto_url",
}
VALUE_FIELDS = {"input_text": "text", "upload_file": "file_url"}


def build_plan(
    actions: list[dict[str, Any]],
    *,
    prompt: str = "",
    navigation_payload: Any = None,
    known_parameters: dict[str, Any] | None = None,
    output: Any = None,
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """(steps, parameters) from the run's actions in order (ActionRecord dicts). Parameters are values that
    came from the navigation payload or the prompt (or a parameter of the script the run replayed).
    `output` is the run's output, which the replay gives back when it reaches the end."""
    namer = _Namer(navigation_payload, known_parameters or {})
    steps: list[dict[str, Any]] = []
    for action in actions:
        if action.get("status", "completed") != "completed":
            continue
        kind = action.get("action_type")
        if kind in REPLAYED:
            step = _step(action)
            if step is not None:
                namer.lift(step, action, prompt)
                steps.append(step)
        elif kind == "complete":
            steps.append(_complete(action, output))
    return steps, namer.parameters


def _step(action: dict[str, Any]) -> dict[str, Any] | None:
    kind = action["action_type"]
    locator = action.get("locator") or {}
    page = action.get("page") or {}
    candidates = list(locator.get("candidates") or [])
    if kind not in ("keypress", "goto_url") and not candidates:
        return None  # an element action recorded before locators were (or one that could not be read)
    before, after = page.get("url"), page.get("url_after")
    given = {**(page.get("action") or {}), **(action.get("raw") or {})}  # is_checked, key, url
    step: dict[str, Any] = {
        "action": kind,
        "locators": candidates,
        "url": before,
        "wait_url": after if after and before and _path(after) != _path(before) else None,
        "target": describe_target(locator),
    }
    if kind in VALUE_FIELDS:
        step["value"] = action.get(VALUE_FIELDS[kind])
    elif kind == "select_option":
        option = action.get("option") or {}
        step["value"] = option.get("label") or option.get("value")
    elif kind == "checkbox":
        step["value"] = bool(given.get("is_checked", True))
    elif kind == "keypress":
        step["value"] = given.get("key") or action.get("text") or "Enter"
    elif kind == "goto_url":
        step["value"] = given.get("url") or after
    return step


def _complete(action: dict[str, Any], output: Any) -> dict[str, Any]:
    page = action.get("page") or {}
    data = action.get("data")
    if output is None and isinstance(data, dict):
        output = data.get("output")
    return {"action": "complete", "locators": [], "url": page.get("url"), "output": output}


def describe_target(locator: dict[str, Any]) -> str:
    """The element in words, for comments and for the goal of an AI fallback."""
    if locator.get("target"):  # a replayed step's record carries the words of the plan it followed
        return str(locator["target"])
    for key, words in (("label", "the field labelled"), ("placeholder", "the field with placeholder")):
        if locator.get(key):
            return f"{words} {locator[key]!r}"
    role, name = locator.get("role"), locator.get("name")
    if role and name:
        return f"the {role} {name!r}"
    if locator.get("text"):
        return f"the element showing {locator['text']!r}"
    return f"the <{locator.get('tag') or 'element'}> at {locator.get('css') or 'an unknown place'}"


def _path(url: str | None) -> str:
    """Which page: scheme, host and path (a query string or fragment is the same page in another state)."""
    parts = urlsplit(url or "")
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


def same_page(url: str | None, expected: str | None) -> bool:
    """Loose page check for replays: the same path (hosts differ when a script runs elsewhere)."""
    return expected is None or urlsplit(url or "").path == urlsplit(expected).path


class _Namer:
    """Lifts values out as parameters with readable, unique Python names."""

    def __init__(self, payload: Any, known: dict[str, Any]) -> None:
        self.payload = _flatten(payload)
        self.known = known
        self.parameters: dict[str, Any] = {}

    def lift(self, step: dict[str, Any], action: dict[str, Any], prompt: str) -> None:
        value = step.get("value")
        if step["action"] not in ("input_text", "select_option", "upload_file") or not isinstance(value, str):
            return
        name = (action.get("raw") or {}).get("script_parameter") or self._known_name(value)
        if name is None:
            name = self._payload_name(value)
        if (
            name is None
            and value
            and (value.casefold() in prompt.casefold() or step["action"] == "input_text")
        ):
            name = self._unique(_identifier(_label_of(action) or "value"))
        if name is None:
            return
        step["parameter"] = name
        self.parameters[name] = value

    def _known_name(self, value: str) -> str | None:
        return next((k for k, v in self.known.items() if v == value and k not in self.parameters), None)

    def _payload_name(self, value: str) -> str | None:
        for key, item in self.payload.items():
            if str(item) == value:
                return self._unique(_identifier(key))
        return None

    def _unique(self, name: str) -> str:
        candidate, n = name, 2
        while candidate in self.parameters:
            candidate, n = f"{name}_{n}", n + 1
        return candidate


def _flatten(payload: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(payload, dict):
        out: dict[str, Any] = {}
        for key, item in payload.items():
            out.update(_flatten(item, f"{prefix}_{key}" if prefix else str(key)))
        return out
    if isinstance(payload, list):
        return {
            f"{prefix or 'item'}_{i}": item for i, item in enumerate(payload) if not isinstance(item, dict)
        }
    return {prefix: payload} if prefix and payload is not None else {}


def _label_of(action: dict[str, Any]) -> str:
    locator = action.get("locator") or {}
    return (
        locator.get("label")
        or locator.get("name_attr")
        or locator.get("placeholder")
        or locator.get("name")
        or ""
    )


def _identifier(text: str) -> str:
    name = re.sub(r"[^0-9a-zA-Z]+", "_", text).strip("_").lower()[:40] or "value"
    if name[0].isdigit() or keyword.iskeyword(name) or name in ("page", "run", "main"):
        name = f"value_{name}"
    return name
