"""A run's parameter values: given ones checked against their declared types, defaults for the rest."""

from __future__ import annotations

import json
import math
from typing import Any

from agent.workflow.definition import parameter_keys


class ParameterError(ValueError):
    """Missing or wrongly typed values; the message names every parameter concerned."""


def _coerce(kind: str, value: Any) -> Any:
    """The value as `kind`, or ValueError. Strings that spell the type (form fields, query strings) are read."""
    if kind in ("string", "file_url", "credential_id"):
        if isinstance(value, str):
            return value
        if isinstance(value, int | float) and not isinstance(value, bool):
            return str(value)
        raise ValueError("a string")
    if kind == "integer":
        if isinstance(value, bool):
            raise ValueError("an integer")
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            return int(value.strip())
        raise ValueError("an integer")
    if kind == "float":
        if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
            return float(value)
        try:
            number = float(value) if isinstance(value, str) else math.nan
        except ValueError:
            number = math.nan
        if math.isfinite(number):
            return number
        raise ValueError("a number")
    if kind == "boolean":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in ("true", "false"):
            return value.strip().lower() == "true"
        raise ValueError("true or false")
    if kind == "json":
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                raise ValueError("JSON") from None
        return value
    raise ValueError(f"of a known type (not {kind})")


def resolve_parameters(definition: dict[str, Any], given: dict[str, Any] | None) -> dict[str, Any]:
    """Every workflow parameter's value for a run, or ParameterError listing all the problems."""
    given = dict(given or {})
    values: dict[str, Any] = {}
    problems: list[str] = []
    for parameter in parameter_keys(definition):
        key, kind = parameter["key"], parameter.get("workflow_parameter_type", "string")
        if key in given and given[key] is not None:
            raw = given.pop(key)
        elif parameter.get("default_value") is not None:
            raw = parameter["default_value"]
            given.pop(key, None)
        else:
            problems.append(f"{key} is missing ({kind})")
            continue
        try:
            values[key] = _coerce(kind, raw)
        except ValueError as exc:
            problems.append(f"{key} must be {exc} ({kind} parameter), not {json.dumps(raw)[:80]}")
    unknown = sorted(given)
    if unknown:
        problems.append(f"unknown parameter(s): {', '.join(unknown)}")
    if problems:
        raise ParameterError("Workflow parameters: " + "; ".join(problems))
    return values
