"""The legacy /api/v1 shapes: tasks, task responses and steps."""

from typing import Any

from runs import selectors
from runs.choices import TERMINAL_STATUSES, ArtifactType
from runs.models import Step, TaskRun
from runs.presenters.links import artifact_url
from runs.presenters.runs import app_url, errors_list, iso, run_to_response


def legacy_task_request(run: TaskRun) -> dict[str, Any]:
    """The TaskBase part of a legacy task: the v1 request under its old field names."""
    request = run.request or {}
    proxy = request.get("proxy_location")
    return {
        "title": run.title or None,
        "url": run.url,
        "webhook_callback_url": run.webhook_url or None,
        "totp_verification_url": request.get("totp_url"),
        "totp_identifier": request.get("totp_identifier"),
        "navigation_goal": run.prompt,
        "data_extraction_goal": None,
        "navigation_payload": None,
        "error_code_mapping": request.get("error_code_mapping"),
        "proxy_location": proxy if isinstance(proxy, str) else None,
        "extracted_information_schema": request.get("data_extraction_schema"),
        "complete_criterion": None,
        "terminate_criterion": None,
        "task_type": "general",
        "application": None,
    }


def legacy_task(run: TaskRun) -> dict[str, Any]:
    """A Task, as GET /api/v1/tasks lists them."""
    return {
        **legacy_task_request(run),
        "created_at": iso(run.created_at),
        "modified_at": iso(run.modified_at),
        "task_id": run.run_id,
        "status": run.status,
        "extracted_information": run.output,
        "failure_reason": run.failure_reason,
        "organization_id": run.organization.organization_id,
        "workflow_run_id": None,
        "order": None,
        "retry": None,
        "max_steps_per_run": run.max_steps,
        "errors": errors_list(run.errors),
    }


def legacy_task_response(run: TaskRun) -> dict[str, Any]:
    """A TaskResponse, as GET /api/v1/tasks/{task_id} answers."""
    body = run_to_response(run)
    return {
        "request": legacy_task_request(run),
        "task_id": run.run_id,
        "status": run.status,
        "created_at": body["created_at"],
        "modified_at": body["modified_at"],
        "extracted_information": run.output,
        "action_screenshot_urls": body["screenshot_urls"],
        "screenshot_url": body["screenshot_urls"][0] if body["screenshot_urls"] else None,
        "recording_url": body["recording_url"],
        "browser_console_log_url": _latest_url(run, ArtifactType.BROWSER_CONSOLE_LOG),
        "downloaded_files": body["downloaded_files"],
        "downloaded_file_urls": [file["url"] for file in body["downloaded_files"]],
        "failure_reason": run.failure_reason,
        "errors": body["errors"],
        "max_steps_per_run": run.max_steps,
        "workflow_run_id": None,
        "app_url": body["app_url"],
    }


def task_v2_response(run: TaskRun) -> dict[str, Any]:
    """A run in the shape of Skyvern's task v2 (GET /api/v2/tasks/{task_id})."""
    request = run.request or {}
    return {
        "task_id": run.run_id,
        "status": run.status,
        "prompt": run.prompt,
        "url": run.url or None,
        "output": run.output,
        "summary": None,
        "failure_reason": run.failure_reason,
        "organization_id": run.organization.organization_id,
        "workflow_run_id": None,
        "webhook_callback_url": run.webhook_url or None,
        "totp_verification_url": request.get("totp_url"),
        "totp_identifier": request.get("totp_identifier"),
        "proxy_location": request.get("proxy_location"),
        "created_at": iso(run.created_at),
        "modified_at": iso(run.modified_at),
        "app_url": app_url(run),
    }


def _latest_url(run: TaskRun, artifact_type: str) -> str | None:
    artifact = selectors.artifact_latest(run=run, artifact_type=artifact_type)
    return artifact_url(artifact) if artifact else None


def legacy_steps(run: TaskRun, steps: list[Step]) -> list[dict[str, Any]]:
    """Steps in execution order. `is_last` marks the step a finished run ended on (the last attempt of its
    last step), whatever the worker recorded."""
    finished = run.status in TERMINAL_STATUSES
    return [
        legacy_step(step, run=run, is_last=step.is_last or (finished and index == len(steps) - 1))
        for index, step in enumerate(steps)
    ]


def legacy_step(step: Step, *, run: TaskRun, is_last: bool | None = None) -> dict[str, Any]:
    return {
        "created_at": iso(step.created_at),
        "modified_at": iso(step.modified_at),
        "task_id": run.run_id,
        "step_id": step.step_id,
        "status": step.status,
        "output": step.output if isinstance(step.output, dict) else None,
        "order": step.order,
        "is_last": step.is_last if is_last is None else is_last,
        "retry_index": step.retry_index,
        "organization_id": run.organization.organization_id,
        "input_token_count": step.input_token_count,
        "output_token_count": step.output_token_count,
        "reasoning_token_count": step.reasoning_token_count,
        "cached_token_count": step.cached_token_count,
        "step_cost": step.step_cost,
        "llm_model": step.llm_model or None,
    }
