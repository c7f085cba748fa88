"""A workflow run's blocks as a tree for the run page (a loop's iterations under it, in order)."""

from __future__ import annotations

import json
import pprint
import shlex
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


def workflow_snippets(*, run: TaskRun, base_url: str) -> dict[str, str]:
    """The Code tab of a workflow run: the same run again, with curl and with the official SDK."""
    request = run.request or {}
    body = {"workflow_id": request.get("workflow_id"), "parameters": request.get("parameters") or {}}
    if request.get("title"):
        body["title"] = request["title"]
    text = json.dumps(body, indent=2)
    curl = "\n".join(
        [
            f"curl -X POST {shlex.quote(base_url + '/v1/run/workflows')} \\",
            '  -H "x-api-key: $SKYVERN_API_KEY" \\',
            '  -H "Content-Type: application/json" \\',
            f"  -d {shlex.quote(text)}",
        ]
    )
    parameters = pprint.pformat(body["parameters"], indent=2, width=90, sort_dicts=False).replace(
        "\n", "\n    "
    )
    python = "\n".join(
        [
            "import os",
            "",
            "from skyvern.client import Skyvern",
            "",
            f'client = Skyvern(base_url="{base_url}", api_key=os.environ["SKYVERN_API_KEY"])',
            "run = client.run_workflow(",
            f'    agent_id="{body["workflow_id"]}",',
            f"    parameters={parameters},",
            ")",
            "print(run.run_id, run.status)",
            "# Later: client.get_run(run.run_id).output",
        ]
    )
    return {"curl": curl, "python": python}
