"""A workflow run's timeline: its blocks in order, each with its children (a loop's inner blocks, one per
iteration, then the block's own steps with their actions and its reasoning calls)."""

from __future__ import annotations

from typing import Any

from runs import selectors
from runs.models import TaskRun
from runs.presenters.timeline import _thought_entry, _timeline_entry, action_to_response, timeline
from runs.presenters.workflows import block_to_response


def workflow_timeline(run: TaskRun) -> list[dict[str, Any]]:
    blocks = selectors.blocks_for_run(run=run)
    actions: dict[int, list[dict[str, Any]]] = {}
    for action in selectors.actions_for_run(run=run):
        actions.setdefault(action.step_id, []).append(action_to_response(action, run=run))
    children: dict[int | None, list[dict[str, Any]]] = {}
    for step in selectors.steps_for_run(run=run):
        children.setdefault(step.workflow_block_id, []).append(
            _timeline_entry(step, run, actions.get(step.pk, []))
        )
    for thought in selectors.thoughts_for_run(run=run):
        children.setdefault(thought.workflow_block_id, []).append(_thought_entry(thought, run))
    by_parent: dict[int | None, list[Any]] = {}
    for block in blocks:
        by_parent.setdefault(block.parent_id, []).append(block)

    def entry(block) -> dict[str, Any]:
        body = block_to_response(block, run)
        inner = [entry(child) for child in by_parent.get(block.pk, [])]
        own = sorted(children.get(block.pk, []), key=lambda item: item["created_at"] or "")
        return {
            "type": "block",
            "status": block.status,
            "order": block.order,
            "retry_index": 0,
            "block": body,
            "thought": None,
            "children": inner + own,
            "created_at": body["created_at"],
            "modified_at": body["modified_at"],
        }

    return [entry(block) for block in by_parent.get(None, [])]


def run_timeline(run: TaskRun) -> list[dict[str, Any]]:
    """GET /v1/runs/{id}/timeline for any run: a workflow run's block tree, else the steps in order."""
    if run.run_type == "workflow_run":
        return workflow_timeline(run)
    return timeline(run)
