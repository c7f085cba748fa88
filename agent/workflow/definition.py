"""A workflow definition ({"parameters": [...], "blocks": [...]}, Skyvern's workflow_definition) and the
checks made before it is saved: every problem names the block (or parameter) it is in."""

from __future__ import annotations

from typing import Any

from agent.workflow.templating import BUILTIN_NAMES, LOOP_NAMES, TemplateProblem, expression_names, names_in

# Block types this engine runs, with the settings each must have.
BLOCK_TYPES: dict[str, tuple[str, ...]] = {
    "task": (),
    "task_v2": ("prompt",),
    "navigation": ("navigation_goal",),
    "extraction": ("data_extraction_goal",),
    "action": ("navigation_goal",),
    "login": (),
    "goto_url": ("url",),
    "wait": (),
    "for_loop": ("loop_blocks",),
    "validation": (),
    "text_prompt": ("prompt",),
    "http_request": ("url",),
    "file_download": ("navigation_goal",),
}
BROWSER_BLOCKS = frozenset(
    {"task", "task_v2", "navigation", "extraction", "action", "login", "goto_url", "file_download"}
)
PARAMETER_TYPES = frozenset({"string", "integer", "float", "boolean", "json", "file_url", "credential_id"})
# Settings that are not templates (schemas are JSON, loop references are checked on their own).
NOT_TEMPLATES = frozenset(
    {"block_type", "label", "loop_blocks", "data_schema", "json_schema", "loop_variable_reference"}
)
# Blocks whose output is never a list, so a loop over it is a mistake.
NEVER_LISTS = frozenset({"goto_url", "wait", "validation", "login", "http_request", "navigation", "action"})
ENGINES = ("skyvern-1.0", "skyvern-2.0")


class DefinitionError(ValueError):
    """A definition that cannot be saved; the message names the block or parameter and the problem."""


def check_definition(definition: Any) -> dict[str, Any]:
    """The definition as it will be stored, or DefinitionError naming the first problem."""
    if not isinstance(definition, dict):
        raise DefinitionError("workflow_definition must be an object with parameters and blocks")
    parameters = _parameters(definition.get("parameters") or [])
    blocks = definition.get("blocks")
    if not isinstance(blocks, list) or not blocks:
        raise DefinitionError("workflow_definition.blocks must be a non-empty list of blocks")
    known = {p["key"]: p for p in parameters}
    _check_blocks(blocks, known, labels={}, in_loop=False, seen=set())
    return {"version": definition.get("version") or 1, "parameters": parameters, "blocks": blocks}


def _parameters(items: Any) -> list[dict[str, Any]]:
    if not isinstance(items, list):
        raise DefinitionError("workflow_definition.parameters must be a list")
    found: list[dict[str, Any]] = []
    for index, item in enumerate(items):
        where = f"parameter {index}"
        if not isinstance(item, dict) or not isinstance(item.get("key"), str) or not item["key"].strip():
            raise DefinitionError(f"{where}: every parameter needs a key")
        key = item["key"]
        kind = item.get("parameter_type") or "workflow"
        if kind not in ("workflow", "credential", "output", "context"):
            raise DefinitionError(f"parameter {key!r}: parameter_type {kind!r} is not supported")
        if kind == "workflow" and item.get("workflow_parameter_type") not in PARAMETER_TYPES:
            raise DefinitionError(
                f"parameter {key!r}: workflow_parameter_type must be one of {', '.join(sorted(PARAMETER_TYPES))}"
            )
        if not key.isidentifier() or key in BUILTIN_NAMES | LOOP_NAMES:
            raise DefinitionError(
                f"parameter {key!r}: the key must be a name (letters, digits, _), not reserved"
            )
        if any(p["key"] == key for p in found):
            raise DefinitionError(f"parameter {key!r}: the key is used twice")
        found.append({**item, "parameter_type": kind})
    return found


def _check_blocks(
    blocks: list[Any], params: dict[str, dict], labels: dict[str, dict], in_loop: bool, seen: set[str]
) -> None:
    """Blocks in order: each may name the parameters, the blocks before it and (in a loop) the loop value."""
    for index, block in enumerate(blocks):
        if not isinstance(block, dict):
            raise DefinitionError(f"block {index}: a block must be an object")
        label = block.get("label")
        if not isinstance(label, str) or not label.strip():
            raise DefinitionError(f"block {index}: every block needs a label")
        kind = block.get("block_type")
        if kind not in BLOCK_TYPES:
            raise DefinitionError(
                f"block {label!r}: unknown block_type {kind!r}; use one of {', '.join(BLOCK_TYPES)}"
            )
        if label in seen:
            raise DefinitionError(f"block {label!r}: the label is used by another block")
        if not label.isidentifier() or label in params or label in BUILTIN_NAMES | LOOP_NAMES:
            raise DefinitionError(
                f"block {label!r}: a label must be a name (letters, digits, _) that no parameter uses"
            )
        seen.add(label)
        for name in BLOCK_TYPES[kind]:
            if block.get(name) in (None, "", []):
                raise DefinitionError(f"block {label!r}: {kind} needs {name}")
        _check_settings(block, label)
        _check_names(block, label, params, labels, in_loop)
        if kind == "for_loop":
            _check_loop(block, label, params, labels, seen)
        labels[label] = block


def _check_settings(block: dict[str, Any], label: str) -> None:
    engine = block.get("engine")
    if engine is not None and engine not in ENGINES:
        raise DefinitionError(f"block {label!r}: engine {engine!r} cannot run in a workflow; use {ENGINES}")
    for name in ("max_steps_per_run", "max_steps", "wait_sec", "max_iterations", "timeout"):
        value = block.get(name)
        if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 0):
            raise DefinitionError(f"block {label!r}: {name} must be a whole number ≥ 0")
    for name in ("data_schema", "json_schema"):
        value = block.get(name)
        if value is not None and not isinstance(value, dict | list | str):
            raise DefinitionError(f"block {label!r}: {name} must be a JSON schema")


def _check_names(block: dict[str, Any], label: str, params: dict, labels: dict, in_loop: bool) -> None:
    settings = {key: value for key, value in block.items() if key not in NOT_TEMPLATES}
    try:
        names = names_in(settings)
    except TemplateProblem as exc:
        raise DefinitionError(f"block {label!r}: {exc}") from None
    allowed = _allowed_names(params, labels, in_loop)
    unknown = sorted(names - allowed)
    if unknown:
        raise DefinitionError(
            f"block {label!r}: the template names {', '.join(unknown)}, which is no parameter and no "
            "earlier block's output"
        )


def _allowed_names(params: dict, labels: dict, in_loop: bool) -> set[str]:
    names = set(params) | set(labels) | {f"{label}_output" for label in labels} | BUILTIN_NAMES
    return names | LOOP_NAMES if in_loop else names


def _check_loop(block: dict[str, Any], label: str, params: dict, labels: dict, seen: set[str]) -> None:
    key, reference = block.get("loop_over_parameter_key"), block.get("loop_variable_reference")
    if not key and not reference:
        raise DefinitionError(
            f"block {label!r}: for_loop needs loop_over_parameter_key or loop_variable_reference"
        )
    if key:
        _check_loop_parameter(label, params.get(key), key)
    else:
        _check_loop_reference(label, str(reference), params, labels)
    inner = block.get("loop_blocks")
    if not isinstance(inner, list) or not inner:
        raise DefinitionError(f"block {label!r}: loop_blocks must be a non-empty list of blocks")
    _check_blocks(inner, params, dict(labels), in_loop=True, seen=seen)


def _check_loop_parameter(label: str, parameter: dict | None, key: str) -> None:
    if parameter is None:
        raise DefinitionError(f"block {label!r}: loop_over_parameter_key {key!r} is no parameter")
    kind = parameter.get("workflow_parameter_type")
    default = parameter.get("default_value")
    if kind not in (None, "json") or (default is not None and not isinstance(default, list)):
        raise DefinitionError(
            f"block {label!r}: the loop is over parameter {key!r}, which is not a list "
            f"({kind} parameter); loop over a json parameter holding a list"
        )


def _check_loop_reference(label: str, reference: str, params: dict, labels: dict) -> None:
    try:
        names = expression_names(reference)
    except TemplateProblem as exc:
        raise DefinitionError(f"block {label!r}: loop_variable_reference {exc}") from None
    head = reference.strip().strip("{} ").split(".")[0].split("[")[0]
    source = labels.get(head.removesuffix("_output")) if head not in params else None
    unknown = sorted(names - _allowed_names(params, labels, in_loop=False))
    if unknown:
        raise DefinitionError(
            f"block {label!r}: loop_variable_reference names {', '.join(unknown)}, which is no parameter "
            "and no earlier block"
        )
    if source is not None and source.get("block_type") in NEVER_LISTS:
        raise DefinitionError(
            f"block {label!r}: the loop is over the output of {source['label']!r} "
            f"({source['block_type']}), which is not a list"
        )
    parameter = params.get(head)
    if parameter is not None and parameter.get("workflow_parameter_type") not in (None, "json"):
        _check_loop_parameter(label, parameter, head)


def parameter_keys(definition: dict[str, Any]) -> list[dict[str, Any]]:
    """The workflow parameters a run gives values to (credentials and outputs are not asked for)."""
    return [p for p in definition.get("parameters", []) if p.get("parameter_type", "workflow") == "workflow"]
