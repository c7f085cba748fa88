"""`publish_workflow: true` on a task: the task is saved as a workflow (is_saved_task) that runs it again,
and the run carries the workflow's id (`workflow_permanent_id` in its body, `run_request.workflow_id`).

A skyvern-1.0 task becomes one `task` block with its prompt, start page, schema, error codes and step limit;
a skyvern-2.0 task one `task_v2` block with its prompt; once that run completes, a second version holds the
mini-goals it ran instead (one `navigation` block each, then an `extraction` block when the task had a
schema), so running the workflow again needs no planning call. The run's settings (proxy, webhook, TOTP, headers,
model) are the workflow's settings.
"""

from __future__ import annotations

from typing import Any

import yaml

from agent.workflow import check_definition
from runs.exceptions import NotFound
from runs.models import TaskRun, Workflow
from runs.services.workflow_versions import workflow_version_add


def _block(request: dict[str, Any]) -> dict[str, Any]:
    engine = request.get("engine")
    if engine == "skyvern-2.0":
        block = {"block_type": "task_v2", "label": "task", "prompt": request["prompt"]}
        block["max_steps"] = request.get("max_steps")
        if request.get("max_iterations"):
            block["max_iterations"] = request["max_iterations"]
    else:
        block = {
            "block_type": "task",
            "label": "task",
            "navigation_goal": request["prompt"],
            "data_schema": request.get("data_extraction_schema"),
            "error_code_mapping": request.get("error_code_mapping"),
            "max_steps_per_run": request.get("max_steps"),
            "include_action_history_in_verification": bool(
                request.get("include_action_history_in_verification")
            ),
        }
    block["url"] = request.get("url")
    block["totp_identifier"] = request.get("totp_identifier")
    return {key: value for key, value in block.items() if value not in (None, {}, [])}


def _escaped(block: dict[str, Any]) -> dict[str, Any]:
    """A task's text is not a template: braces in it are kept as written."""

    def keep(value: Any) -> Any:
        if isinstance(value, str) and ("{{" in value or "{%" in value):
            return "{% raw %}" + value + "{% endraw %}"
        return value

    return {
        key: keep(value) if key in ("navigation_goal", "prompt", "url") else value
        for key, value in block.items()
    }


def task_publish(*, run: TaskRun) -> Workflow:
    """Save the run's task as a workflow and link the run to it (in the caller's transaction)."""
    request = run.request or {}
    title = run.title or request["prompt"][:80]
    create = {
        "title": title,
        "workflow_definition": {"parameters": [], "blocks": [_escaped(_block(request))]},
    }
    settings = {
        "proxy_location": request.get("proxy_location"),
        "webhook_callback_url": request.get("webhook_url"),
        "totp_verification_url": request.get("totp_url"),
        "totp_identifier": request.get("totp_identifier"),
        "model": request.get("model"),
        "extra_http_headers": request.get("extra_http_headers"),
        "max_screenshot_scrolls": request.get("max_screenshot_scrolls"),
    }
    workflow = Workflow.objects.create(
        organization=run.organization,
        title=title[:500],
        description=f"Saved from task run {run.run_id}",
        definition=check_definition(create["workflow_definition"]),
        source_text=yaml.safe_dump(create, sort_keys=False, allow_unicode=True),
        settings={key: value for key, value in settings.items() if value is not None},
        is_saved_task=True,
    )
    run.workflow = workflow
    run.request = {**request, "workflow_permanent_id": workflow.workflow_permanent_id}
    TaskRun.objects.filter(pk=run.pk).update(workflow=workflow, request=run.request)
    return workflow


def _goal_blocks(run: TaskRun) -> list[dict[str, Any]]:
    goals: dict[int, str] = {}
    for index, goal in (
        run.steps.exclude(block_index=None).order_by("order").values_list("block_index", "block_goal")
    ):
        if goal and index not in goals:
            goals[index] = goal
    request = run.request or {}
    blocks: list[dict[str, Any]] = []
    for number, index in enumerate(sorted(goals), start=1):
        block = {"block_type": "navigation", "label": f"goal_{number}", "navigation_goal": goals[index]}
        if number == 1 and request.get("url"):
            block["url"] = request["url"]
        blocks.append(_escaped(block))
    if blocks and request.get("data_extraction_schema"):
        goal = _escaped({"prompt": request["prompt"]})["prompt"]
        blocks.append(
            {
                "block_type": "extraction",
                "label": "extract",
                "data_extraction_goal": goal,
                "data_schema": request["data_extraction_schema"],
            }
        )
    return blocks


def task_publish_goals(*, run: TaskRun) -> Workflow | None:
    """A completed skyvern-2.0 run that published itself: save the mini-goals it ran as the workflow's next
    version. Nothing happens for other runs, or when the run planned no mini-goal."""
    published = run.workflow
    if published is None or not published.is_saved_task or run.engine != "skyvern-2.0":
        return None
    if published.workflow_permanent_id != (run.request or {}).get("workflow_permanent_id"):
        return None  # a run of the workflow, not the task that published it
    blocks = _goal_blocks(run)
    if not blocks:
        return None
    definition = {"parameters": [], "blocks": blocks}
    try:
        return workflow_version_add(
            organization=run.organization,
            workflow_permanent_id=published.workflow_permanent_id,
            title=published.title,
            description=f"The mini-goals task run {run.run_id} ran",
            definition=check_definition(definition),
            source_text=yaml.safe_dump(
                {"title": published.title, "workflow_definition": definition},
                sort_keys=False,
                allow_unicode=True,
            ),
            settings=published.settings,
            is_saved_task=True,
        )
    except NotFound:
        return None  # deleted while the task ran: it gets no new version
