"""Block settings are Jinja templates (`{{ label.output }}`, `{{ label_output }}`, `{{ parameter_key }}`,
`{{ current_value }}` in a loop), rendered in a sandbox: a name that is not defined is an error, never an
empty string, and templates cannot reach Python internals."""

from __future__ import annotations

from functools import cache
from typing import Any

from jinja2 import StrictUndefined, TemplateError, Undefined, meta
from jinja2.sandbox import SandboxedEnvironment

# Names every block may use besides parameters and earlier blocks.
BUILTIN_NAMES = frozenset({"workflow_run_id", "workflow_title"})
LOOP_NAMES = frozenset({"current_value", "current_item", "current_index"})


class TemplateProblem(ValueError):
    """A template that does not parse or does not render (the message says which name or why)."""


@cache
def _env() -> SandboxedEnvironment:
    return SandboxedEnvironment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True)


def names_in(value: Any) -> set[str]:
    """The top-level names the templates inside `value` (a string, list or dict, nested) refer to."""
    found: set[str] = set()
    for text in _strings(value):
        if "{{" not in text and "{%" not in text:
            continue
        try:
            found |= meta.find_undeclared_variables(_env().parse(text))
        except TemplateError as exc:
            raise TemplateProblem(f"template {text!r} does not parse: {exc}") from None
    return found


def _strings(value: Any):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def render(value: Any, context: dict[str, Any]) -> Any:
    """`value` with every string rendered against `context`; dicts and lists keep their shape."""
    if isinstance(value, str):
        if "{{" not in value and "{%" not in value:
            return value
        try:
            return _env().from_string(value).render(context)
        except TemplateError as exc:
            raise TemplateProblem(f"template {value!r} failed: {exc}") from None
    if isinstance(value, dict):
        return {key: render(item, context) for key, item in value.items()}
    if isinstance(value, list):
        return [render(item, context) for item in value]
    return value


def evaluate(expression: str, context: dict[str, Any]) -> Any:
    """The value (not its text) of `expression`, written bare (`extract.output.items`) or in braces."""
    text = expression.strip()
    if text.startswith("{{") and text.endswith("}}"):
        text = text[2:-2].strip()
    try:
        result = _env().compile_expression(text, undefined_to_none=False)(**context)
    except TemplateError as exc:
        raise TemplateProblem(f"{expression!r} failed: {exc}") from None
    if isinstance(result, Undefined):
        raise TemplateProblem(f"{expression!r} names nothing defined")
    return result


def expression_names(expression: str) -> set[str]:
    text = expression.strip()
    if not (text.startswith("{{") and text.endswith("}}")):
        text = "{{ " + text + " }}"
    return names_in(text)
