"""A workflow run's blocks as a tree for the run page (a loop's iterations under it, in order)."""

from __future__ import annotations

from typing import Any

from runs import selectors
from runs.choices import RunType
from runs.models import TaskRun


def block_tree(run: TaskRun) -> list[dict[str, Any]]:
    """[{"block", "children", "steps"}] for a workflow run; [] for any other run."""
    if run.run_type != RunType.WORKFLOW_RUN:
        return []
    blocks = selectors.blocks_for_run(run=run)
    steps: dict[int, int] = {}
    for step in selectors.steps_for_run(run=run):
        if step.workflow_block_id is not None:
            steps[step.workflow_block_id] = steps.get(step.workflow_block_id, 0) + 1
    by_parent: dict[int | None, list] = {}
    for block in blocks:
        by_parent.setdefault(block.parent_id, []).append(block)

    def node(block) -> dict[str, Any]:
        children = [node(child) for child in by_parent.get(block.pk, [])]
        return {"block": block, "children": children, "steps": steps.get(block.pk, 0)}

    return [node(block) for block in by_parent.get(None, [])]
