"""A run's steps and actions as the API (timeline, legacy steps and actions) and the live events show them."""

from typing import Any

from runs import selectors
from runs.models import Action, Step, TaskRun
from runs.presenters.links import artifact_url
from runs.presenters.runs import iso


def step_summary(step: Step, *, finished: bool) -> dict[str, Any]:
    """What the live events say of a step: who it is, and its tokens and cost once it finished."""
    data = {
        "step_id": step.step_id,
        "order": step.order,
        "retry_index": step.retry_index,
        "status": step.status,
    }
    if finished:
        data |= {
            "input_token_count": step.input_token_count,
            "output_token_count": step.output_token_count,
            "step_cost": step.step_cost,
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
    """One entry per step attempt, in execution order, each with its actions."""
    actions_by_step: dict[int, list[dict[str, Any]]] = {}
    for action in selectors.actions_for_run(run=run):
        actions_by_step.setdefault(action.step_id, []).append(action_to_response(action, run=run))
    return [
        _timeline_entry(step, run, actions_by_step.get(step.pk, []))
        for step in selectors.steps_for_run(run=run)
    ]


def _timeline_entry(step: Step, run: TaskRun, actions: list[dict[str, Any]]) -> dict[str, Any]:
    block = {
        "workflow_run_block_id": step.step_id,
        "workflow_run_id": run.run_id,
        "organization_id": run.organization.organization_id,
        "block_type": "task",
        "label": f"Step {step.order}" + (f" (retry {step.retry_index})" if step.retry_index else ""),
        "status": step.status,
        "output": step.output,
        "engine": run.engine,
        "task_id": run.run_id,
        "url": run.url or None,
        "navigation_goal": run.prompt,
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
