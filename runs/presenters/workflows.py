"""Workflows and workflow runs in Skyvern's shapes (Workflow, WorkflowRun) and a workflow run's block tree.

Skyvern's Workflow gives every parameter and block the ids its own database has (workflow_parameter_id,
output_parameter...); they are derived here from the version's id, so the SDK's models parse the answer."""

from __future__ import annotations

from typing import Any

from runs.models import TaskRun, Workflow, WorkflowRunBlock
from runs.presenters.runs import app_url, iso


def _stamped(workflow: Workflow) -> dict[str, Any]:
    return {
        "workflow_id": workflow.workflow_id,
        "created_at": iso(workflow.created_at),
        "modified_at": iso(workflow.modified_at),
    }


def _parameter(workflow: Workflow, parameter: dict[str, Any], index: int) -> dict[str, Any]:
    kind = parameter.get("parameter_type", "workflow")
    body = {**parameter, **_stamped(workflow), "parameter_type": kind}
    body.setdefault(f"{kind}_parameter_id", f"{kind[:2]}p_{workflow.workflow_id}_{index}")
    if kind == "workflow":
        body["workflow_parameter_id"] = (
            body.get("workflow_parameter_id") or f"wp_{workflow.workflow_id}_{index}"
        )
    return body


def _block(workflow: Workflow, block: dict[str, Any]) -> dict[str, Any]:
    label = block["label"]
    body = {
        **block,
        "output_parameter": {
            "key": f"{label}_output",
            "output_parameter_id": f"op_{workflow.workflow_id}_{label}",
            "parameter_type": "output",
            **_stamped(workflow),
        },
    }
    if block.get("block_type") == "for_loop":
        body["loop_blocks"] = [_block(workflow, inner) for inner in block.get("loop_blocks") or []]
    return body


def workflow_to_response(workflow: Workflow) -> dict[str, Any]:
    definition = workflow.definition or {}
    settings = workflow.settings or {}
    return {
        "workflow_id": workflow.workflow_id,
        "organization_id": workflow.organization.organization_id,
        "title": workflow.title,
        "workflow_permanent_id": workflow.workflow_permanent_id,
        "version": workflow.version,
        "is_saved_task": workflow.is_saved_task,
        "is_template": False,
        "description": workflow.description or None,
        "workflow_definition": {
            "version": definition.get("version", 1),
            "parameters": [
                _parameter(workflow, p, i) for i, p in enumerate(definition.get("parameters", []))
            ],
            "blocks": [_block(workflow, b) for b in definition.get("blocks", [])],
        },
        "proxy_location": settings.get("proxy_location"),
        "webhook_callback_url": settings.get("webhook_callback_url"),
        "totp_verification_url": settings.get("totp_verification_url"),
        "totp_identifier": settings.get("totp_identifier"),
        "persist_browser_session": bool(settings.get("persist_browser_session")),
        "model": settings.get("model"),
        "status": workflow.status,
        "max_screenshot_scrolls": settings.get("max_screenshot_scrolls"),
        "extra_http_headers": settings.get("extra_http_headers"),
        "run_with": settings.get("run_with"),
        "ai_fallback": bool(settings.get("ai_fallback", False)),
        "cache_key": settings.get("cache_key"),
        "run_sequentially": settings.get("run_sequentially"),
        "sequential_key": settings.get("sequential_key"),
        "folder_id": settings.get("folder_id"),
        "import_error": None,
        "created_at": iso(workflow.created_at),
        "modified_at": iso(workflow.modified_at),
        "deleted_at": iso(workflow.deleted_at),
        # Not in Skyvern's schema: the text the definition was written in (the dashboard's editor).
        "source_text": workflow.source_text,
    }


def workflow_run_to_response(run: TaskRun) -> dict[str, Any]:
    """A WorkflowRun (GET /v1/workflows/runs, the SDK's get_workflow_runs)."""
    workflow = run.workflow
    request = run.request or {}
    return {
        "workflow_run_id": run.run_id,
        "workflow_id": workflow.workflow_id if workflow else "",
        "workflow_permanent_id": workflow.workflow_permanent_id
        if workflow
        else request.get("workflow_id", ""),
        "organization_id": run.organization.organization_id,
        "browser_session_id": run.browser_session_id,
        "status": run.status,
        "proxy_location": request.get("proxy_location"),
        "webhook_callback_url": run.webhook_url or None,
        "totp_verification_url": request.get("totp_url"),
        "totp_identifier": request.get("totp_identifier"),
        "failure_reason": run.failure_reason,
        "extra_http_headers": request.get("extra_http_headers"),
        "queued_at": iso(run.queued_at),
        "started_at": iso(run.started_at),
        "finished_at": iso(run.finished_at),
        "created_at": iso(run.created_at),
        "modified_at": iso(run.modified_at),
        "workflow_title": workflow.title if workflow else None,
        "run_with": request.get("run_with"),
        "ai_fallback": request.get("ai_fallback"),
        "parameters": request.get("parameters"),
        "output": run.output,
        "app_url": app_url(run),
    }


def block_to_response(block: WorkflowRunBlock, run: TaskRun) -> dict[str, Any]:
    """A WorkflowRunBlock in Skyvern's shape (plus loop_index / loop_value and the parent's id)."""
    inputs = block.inputs or {}
    return {
        "workflow_run_block_id": block.block_id,
        "workflow_run_id": run.run_id,
        "organization_id": run.organization.organization_id,
        "parent_workflow_run_block_id": block.parent.block_id if block.parent_id else None,
        "block_type": block.block_type,
        "label": block.label,
        "status": block.status,
        "output": block.output,
        "failure_reason": block.failure_reason,
        "loop_index": block.loop_index,
        "loop_value": block.loop_value,
        "url": inputs.get("url"),
        "navigation_goal": inputs.get("navigation_goal"),
        "data_extraction_goal": inputs.get("data_extraction_goal"),
        "prompt": inputs.get("prompt"),
        "inputs": inputs,
        "input_token_count": block.input_tokens,
        "output_token_count": block.output_tokens,
        "duration": (block.finished_at - block.started_at).total_seconds()
        if block.started_at and block.finished_at
        else None,
        "order": block.order,
        "created_at": iso(block.created_at),
        "modified_at": iso(block.modified_at),
    }
