"""Database rows → the JSON bodies of Skyvern's API. Every function returns JSON-ready dicts, so the
WebSocket events (runs.events) can send exactly what GET /v1/runs/{id} answers.

Timestamps are ISO 8601 strings in the form Django's JSON encoder writes (UTC, millisecond precision,
"Z"), so a value looks the same whether it arrived over HTTP or over a socket.
"""

from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder

from runs import selectors
from runs.artifact_links import artifact_uri, artifact_url
from runs.choices import ArtifactType
from runs.models import Action, Artifact, Step, TaskRun

SCREENSHOT_URLS_LIMIT = 3
_encoder = DjangoJSONEncoder()


def iso(value: datetime | None) -> str | None:
    return _encoder.default(value) if value is not None else None


def app_url(run: TaskRun) -> str:
    return f"{settings.PUBLIC_BASE_URL}/runs/{run.run_id}"


def run_to_response(run: TaskRun) -> dict[str, Any]:
    """The TaskRunResponse body of GET /v1/runs/{run_id}."""
    return runs_to_response([run])[0]


def runs_to_response(runs: list[TaskRun]) -> list[dict[str, Any]]:
    """run_to_response for a page of runs, with their artifacts read in two queries in all."""
    media = selectors.media_for_runs(run_pks=[run.pk for run in runs], screenshots=SCREENSHOT_URLS_LIMIT)
    return [_run_body(run, media[run.pk]) for run in runs]


def _run_body(run: TaskRun, media: selectors.RunMedia) -> dict[str, Any]:
    return {
        "run_id": run.run_id,
        "run_type": run.run_type,
        "status": run.status,
        "output": run.output,
        "downloaded_files": [_file_info(artifact) for artifact in media.downloads],
        "recording_url": artifact_url(media.recording) if media.recording else None,
        "screenshot_urls": [artifact_url(shot) for shot in media.screenshots],
        "failure_reason": run.failure_reason,
        "errors": _errors(run.errors),
        "created_at": iso(run.created_at),
        "modified_at": iso(run.modified_at),
        "queued_at": iso(run.queued_at),
        "started_at": iso(run.started_at),
        "finished_at": iso(run.finished_at),
        "app_url": app_url(run),
        "browser_session_id": run.browser_session_id,
        "browser_profile_id": None,
        "max_screenshot_scrolls": (run.request or {}).get("max_screenshot_scrolls"),
        "script_run": None,
        "step_count": run.step_count,
        "run_request": run.request or None,
        # Not in Skyvern's schema; the dashboard shows them and SDK models accept extra fields.
        "title": run.title or None,
        "input_token_count": run.input_tokens,
        "output_token_count": run.output_tokens,
        "total_cost": run.total_cost,
    }


def _file_info(artifact: Artifact) -> dict[str, Any]:
    """FileInfo for a file the run downloaded (stored as an artifact of type "download")."""
    return {
        "url": artifact_url(artifact),
        "checksum": artifact.checksum or None,
        "filename": artifact.filename or None,
        "file_size": artifact.size,
        "modified_at": iso(artifact.modified_at),
        "artifact_id": artifact.artifact_id,
    }


def _errors(errors: Any) -> list[dict[str, Any]]:
    """The run's errors as objects, whatever the worker stored (a bare string becomes {"message": ...})."""
    if not isinstance(errors, list):
        return []
    return [error if isinstance(error, dict) else {"message": str(error)} for error in errors]


def artifact_to_response(artifact: Artifact) -> dict[str, Any]:
    run = artifact.run
    return {
        "artifact_id": artifact.artifact_id,
        "artifact_type": artifact.artifact_type,
        "uri": artifact_uri(artifact),
        "signed_url": artifact_url(artifact),
        "organization_id": run.organization.organization_id,
        "run_id": run.run_id,
        "task_id": run.run_id,
        "step_id": artifact.step.step_id if artifact.step else None,
        "workflow_run_id": None,
        "workflow_run_block_id": None,
        "observer_cruise_id": None,
        "observer_thought_id": None,
        "ai_suggestion_id": None,
        "filename": artifact.filename or None,
        "content_type": artifact.content_type or None,
        "size": artifact.size,
        "checksum": artifact.checksum or None,
        "created_at": iso(artifact.created_at),
        "modified_at": iso(artifact.modified_at),
    }


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


# Legacy /api/v1 shapes.


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
        "errors": _errors(run.errors),
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


def _latest_url(run: TaskRun, artifact_type: str) -> str | None:
    artifact = run.artifacts.filter(artifact_type=artifact_type).order_by("-created_at", "-id").first()
    return artifact_url(artifact) if artifact else None


def legacy_step(step: Step, *, run: TaskRun) -> dict[str, Any]:
    return {
        "created_at": iso(step.created_at),
        "modified_at": iso(step.modified_at),
        "task_id": run.run_id,
        "step_id": step.step_id,
        "status": step.status,
        "output": step.output if isinstance(step.output, dict) else None,
        "order": step.order,
        "is_last": step.is_last,
        "retry_index": step.retry_index,
        "organization_id": run.organization.organization_id,
        "input_token_count": step.input_token_count,
        "output_token_count": step.output_token_count,
        "reasoning_token_count": step.reasoning_token_count,
        "cached_token_count": step.cached_token_count,
        "step_cost": step.step_cost,
        "llm_model": step.llm_model or None,
    }
