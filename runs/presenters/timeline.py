"""A run's steps and actions as the API (timeline, legacy steps and actions) and the live events show them."""

from typing import Any

from runs import selectors
from runs.models import Action, Step, TaskRun, Thought
from runs.presenters.links import artifact_url
from runs.presenters.runs import iso


def step_summary(step: Step, *, finished: bool) -> dict[str, Any]:
    """What the live events say of a step: who it is, and its tokens and cost once it finished."""
    data = {
        "step_id": step.step_id,
        "order": step.order,
        "retry_index": step.retry_index,
        "status": step.status,
        "block_index": step.block_index,
        "block_goal": step.block_goal or None,
    }
    if finished:
        data |= {
            "input_token_count": step.input_token_count,
            "output_token_count": step.output_token_count,
            "cached_token_count": step.cached_token_count,  # the provider's prompt cache, when it says
            "step_cost": step.step_cost,
            "screenshots_sent": step.screenshots_sent,
            "screenshot_note": step.screenshot_note or None,
        }
    return data


def action_to_response(action: Action, *, run: TaskRun) -> dict[str, Any]:
    step = action.step
    return {
        "action_type": action.action_type,
        "status": action.status,
        "action_id": action.action_id,
        "organization_id": run.organization.organization_id,
        "workflow_run_id": None,
        "task_id": run.run_id,
        "step_id": step.step_id,
        "step_order": step.order,
        "action_order": action.index,
        "index": action.index,  # the run page's live script orders actions by it
        "x": action.x,  # coordinate engines: where the action landed on the screenshot
        "y": action.y,
        "reasoning": action.reasoning or None,
        "element_id": action.element_id or None,
        "text": action.text,
        "option": action.option if isinstance(action.option, dict) else None,
        "file_url": action.file_url,
        "response": None,
        "result": action.result,
        "screenshot_url": artifact_url(action.screenshot) if action.screenshot else None,
        "created_at": iso(action.created_at),
        "modified_at": iso(action.modified_at),
    }


def timeline(run: TaskRun) -> list[dict[str, Any]]:
    """One entry per step attempt, in execution order, each with its actions; the reasoning calls of
    engines that plan between steps (thoughts) stand between them, in the order they happened."""
    actions_by_step: dict[int, list[dict[str, Any]]] = {}
    for action in selectors.actions_for_run(run=run):
        actions_by_step.setdefault(action.step_id, []).append(action_to_response(action, run=run))
    entries = [
        _timeline_entry(step, run, actions_by_step.get(step.pk, []))
        for step in selectors.steps_for_run(run=run)
    ]
    thoughts = [_thought_entry(thought, run) for thought in selectors.thoughts_for_run(run=run)]
    return sorted(entries + thoughts, key=lambda entry: entry["created_at"]) if thoughts else entries


def thought_to_response(thought: Thought, *, run: TaskRun | None = None) -> dict[str, Any]:
    """A Thought in Skyvern's shape."""
    run = run or thought.run
    return {
        "thought_id": thought.thought_id,
        "task_id": run.run_id,
        "organization_id": run.organization.organization_id,
        "workflow_run_id": None,
        "workflow_run_block_id": None,
        "user_input": thought.user_input or None,
        "observation": thought.observation or None,
        "thought": thought.thought or None,
        "answer": thought.answer or None,
        "thought_type": thought.thought_type,
        "thought_scenario": thought.thought_scenario or None,
        "output": thought.output,
        "order": thought.order,
        "block_index": thought.block_index,
        "input_token_count": thought.input_token_count,
        "output_token_count": thought.output_token_count,
        "reasoning_token_count": thought.reasoning_token_count,
        "cached_token_count": thought.cached_token_count,
        "thought_cost": thought.thought_cost,
        "created_at": iso(thought.created_at),
        "modified_at": iso(thought.modified_at),
    }


def _thought_entry(thought: Thought, run: TaskRun) -> dict[str, Any]:
    body = thought_to_response(thought, run=run)
    return {
        "type": "thought",
        "status": "completed",
        "order": thought.order,
        "retry_index": 0,
        "block": None,
        "thought": body,
        "children": [],
        "created_at": body["created_at"],
        "modified_at": body["modified_at"],
    }


def _timeline_entry(step: Step, run: TaskRun, actions: list[dict[str, Any]]) -> dict[str, Any]:
    block = {
        "workflow_run_block_id": step.step_id,
        "workflow_run_id": run.run_id,
        "organization_id": run.organization.organization_id,
        "block_type": "task",
        "label": _label(step),
        "status": step.status,
        "output": step.output,
        "engine": run.engine,
        "task_id": run.run_id,
        "url": run.url or None,
        "navigation_goal": step.block_goal or run.prompt,
        "actions": actions,
        "duration": (step.modified_at - step.created_at).total_seconds(),
        "step_id": step.step_id,
        "order": step.order,
        "retry_index": step.retry_index,
        "input_token_count": step.input_token_count,
        "output_token_count": step.output_token_count,
        "step_cost": step.step_cost,
        "created_at": iso(step.created_at),
        "modified_at": iso(step.modified_at),
    }
    return {
        "type": "block",
        "status": step.status,
        "order": step.order,
        "retry_index": step.retry_index,
        "block": block,
        "thought": None,
        "children": [],
        "created_at": block["created_at"],
        "modified_at": block["modified_at"],
    }


def _label(step: Step) -> str:
    label = f"Step {step.order}" + (f" (retry {step.retry_index})" if step.retry_index else "")
    return f"Mini-goal {step.block_index + 1} · {label}" if step.block_index is not None else label
