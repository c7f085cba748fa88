"""Skyvern's legacy task surface under /api/v1, for clients written against it."""

import json
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Header, Query, Router
from ninja.errors import HttpError

from runs import presenters, selectors
from runs.api.auth import request_organization, run_or_404
from runs.api.routing import note_ignored_fields, route
from runs.api.schemas import (
    Action,
    Artifact,
    CreateTaskResponse,
    Heartbeat,
    LegacyRunListQuery,
    LegacyStep,
    LegacyTask,
    LegacyTaskListQuery,
    LegacyTaskRequest,
    LegacyTaskResponse,
)
from runs.exceptions import InvalidRunRequest, NotFound
from runs.execution import webhooks
from runs.services import run_cancel, run_create
from runs.services.run_requests import normalise_run_request

router = Router(tags=["Legacy"])


@route(
    router, "GET", "/heartbeat", response=Heartbeat, auth=None, operation_id="heartbeat_api_v1_heartbeat_get"
)
def heartbeat(request: HttpRequest):
    """Answers without credentials, for load balancers and uptime checks."""
    return {"status": "ok"}


@route(router, "GET", "/tasks", response=list[LegacyTask], operation_id="get_tasks_api_v1_tasks_get")
def get_tasks(request: HttpRequest, query: Query[LegacyTaskListQuery]):
    runs = selectors.run_list_for_org(
        organization=request_organization(request),
        statuses=query.task_status or (),
        order_by=f"{'-' if query.order == 'desc' else ''}{query.sort}",
    )
    page = selectors.page_of(runs, page=query.page, page_size=query.page_size)
    return [presenters.legacy_task(run) for run in page]


@route(router, "POST", "/tasks", response=CreateTaskResponse, operation_id="run_task_api_v1_tasks_post")
def create_task(
    request: HttpRequest,
    response: HttpResponse,
    payload: LegacyTaskRequest,
    max_steps_override: int | None = Header(None, alias="x-max-steps-override"),
):
    """A legacy TaskRequest, run as POST /v1/run/tasks would run it (see _task_run_request)."""
    note_ignored_fields(request, response, LegacyTaskRequest)
    organization = request_organization(request)
    normalised = normalise_run_request(
        _task_run_request(payload), organization=organization, max_steps_override=max_steps_override
    )
    run = run_create(organization=organization, request=normalised, api_key=request.auth)
    return {"task_id": run.run_id}


def _task_run_request(task: LegacyTaskRequest) -> dict[str, Any]:
    """The TaskRunRequest for a legacy task. The goals, criteria and payload, which /v1 has no fields for,
    become one prompt; a task_type other than "general" is refused rather than run as one."""
    if task.task_type not in (None, "general"):
        raise InvalidRunRequest(
            f'task_type {task.task_type!r} is not supported; only "general" tasks run here'
        )
    data = {
        "prompt": _legacy_prompt(task),
        "url": task.url,
        "title": task.title,
        "webhook_url": task.webhook_callback_url,
        "totp_url": task.totp_verification_url,
        "totp_identifier": task.totp_identifier,
        "proxy_location": task.proxy_location,
        "data_extraction_schema": task.extracted_information_schema,
        "error_code_mapping": task.error_code_mapping,
        "browser_session_id": task.browser_session_id,
    }
    return {name: value for name, value in data.items() if value is not None}


def _legacy_prompt(task: LegacyTaskRequest) -> str:
    if not (task.navigation_goal or "").strip() and not (task.data_extraction_goal or "").strip():
        raise InvalidRunRequest("navigation_goal or data_extraction_goal is required")
    parts = [
        task.navigation_goal,
        task.data_extraction_goal and f"Data to extract: {task.data_extraction_goal}",
        task.complete_criterion and f"The task is complete when: {task.complete_criterion}",
        task.terminate_criterion and f"Stop without completing when: {task.terminate_criterion}",
        task.navigation_payload is not None and f"Details to use: {_payload_text(task.navigation_payload)}",
    ]
    return "\n\n".join(part.strip() for part in parts if part)


def _payload_text(payload: Any) -> str:
    if isinstance(payload, str):
        return payload
    try:
        return json.dumps(payload, ensure_ascii=False, allow_nan=False)
    except ValueError:
        raise InvalidRunRequest("navigation_payload must not contain NaN or Infinity") from None


@route(router, "GET", "/runs", response=list[LegacyTask], operation_id="get_runs_api_v1_runs_get")
def get_runs(request: HttpRequest, query: Query[LegacyRunListQuery]):
    """The organization's runs, newest first, as legacy tasks (this server has no workflow runs)."""
    runs = selectors.run_list_for_org(organization=request_organization(request), statuses=query.status or ())
    return [
        presenters.legacy_task(run)
        for run in selectors.page_of(runs, page=query.page, page_size=query.page_size)
    ]


@route(
    router,
    "GET",
    "/tasks/{task_id}",
    response=LegacyTaskResponse,
    operation_id="get_task_api_v1_tasks__task_id__get",
)
def get_task(request: HttpRequest, task_id: str):
    return presenters.legacy_task_response(run_or_404(request, task_id))


@route(
    router,
    "GET",
    "/tasks/{task_id}/steps",
    response=list[LegacyStep],
    operation_id="get_steps_api_v1_tasks__task_id__steps_get",
)
def get_steps(request: HttpRequest, task_id: str):
    run = run_or_404(request, task_id)
    return presenters.legacy_steps(run, list(selectors.steps_for_run(run=run)))


@route(
    router,
    "GET",
    "/tasks/{task_id}/steps/{step_id}/artifacts",
    response=list[Artifact],
    operation_id="get_step_artifacts_api_v1_tasks__task_id__steps__step_id__artifacts_get",
)
def get_step_artifacts(request: HttpRequest, task_id: str, step_id: str):
    """One step's artifacts, oldest first."""
    run = run_or_404(request, task_id)
    step = selectors.step_get_for_run(run=run, step_id=step_id)
    if step is None:
        raise NotFound("Step not found")
    return [presenters.artifact_to_response(a) for a in selectors.artifacts_for_run(run=run, step=step)]


@route(
    router,
    "GET",
    "/{entity_type}/{entity_id}/artifacts",
    response=list[Artifact],
    operation_id="get_artifacts_api_v1__entity_type___entity_id__artifacts_get",
)
def get_entity_artifacts(
    request: HttpRequest,
    entity_type: Literal["step", "task", "workflow_run", "workflow_run_block", "thought"],
    entity_id: str,
):
    """A task's or a step's artifacts; this server stores artifacts for nothing else."""
    if entity_type == "task":
        run, step = run_or_404(request, entity_id), None
    elif entity_type == "step":
        step = selectors.step_get_for_org(organization=request_organization(request), step_id=entity_id)
        if step is None:
            raise NotFound("Step not found")
        run = step.run
    else:
        raise NotFound(f"No {entity_type} artifacts here: this server stores artifacts per task and step")
    return [presenters.artifact_to_response(a) for a in selectors.artifacts_for_run(run=run, step=step)]


@route(
    router,
    "GET",
    "/tasks/{task_id}/actions",
    response=list[Action],
    operation_id="get_actions_api_v1_tasks__task_id__actions_get",
)
def get_actions(request: HttpRequest, task_id: str):
    run = run_or_404(request, task_id)
    return [presenters.action_to_response(action, run=run) for action in selectors.actions_for_run(run=run)]


@route(
    router,
    "POST",
    "/tasks/{task_id}/cancel",
    response=LegacyTaskResponse,
    operation_id="cancel_task_api_v1_tasks__task_id__cancel_post",
)
def cancel_task(request: HttpRequest, task_id: str):
    run = run_or_404(request, task_id)
    return presenters.legacy_task_response(run_cancel(run=run))


@route(
    router,
    "POST",
    "/tasks/{task_id}/retry_webhook",
    response=LegacyTaskResponse,
    operation_id="retry_webhook_api_v1_tasks__task_id__retry_webhook_post",
)
def retry_webhook(request: HttpRequest, task_id: str):
    """Send the task's webhook again now; the answer is the task, as the webhook carried it."""
    run = run_or_404(request, task_id)
    if not run.webhook_url:
        raise HttpError(400, "This task has no webhook_callback_url")
    webhooks.webhook_send(run=run)
    return presenters.legacy_task_response(run)
