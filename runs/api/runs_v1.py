"""/v1 runs: create a task run, read it, list runs, cancel (one or several), retry its webhook, its timeline,
and the server's version."""

from django.http import HttpRequest, HttpResponse
from ninja import Header, Query, Router
from ninja.errors import HttpError

from runs import presenters, selectors
from runs.api.auth import request_organization, run_or_404
from runs.api.routing import note_ignored_fields, route
from runs.api.schemas import (
    BulkCancelRequest,
    BulkCancelResponse,
    RetryWebhookRequest,
    RunListItem,
    RunListQuery,
    TaskRunRequest,
    TaskRunResponse,
    TimelineEntry,
    WebhookReplay,
)
from runs.api.version import server_version
from runs.choices import TERMINAL_STATUSES, RunStatus
from runs.execution import webhooks
from runs.models import TaskRun
from runs.services import run_cancel, run_create
from runs.services.run_requests import normalise_run_request

router = Router(tags=["Agent"])


@route(router, "POST", "/run/tasks", response=TaskRunResponse, operation_id="run_task_v1_run_tasks_post")
def run_task(
    request: HttpRequest,
    response: HttpResponse,
    payload: TaskRunRequest,
    max_steps_override: int | None = Header(None, alias="x-max-steps-override"),
    user_agent: str | None = Header(None, alias="x-user-agent"),
    max_iterations_override: int | None = Header(None, alias="x-max-iterations-override"),
):
    """Run a task: the run is stored, then queued for a worker once the transaction commits.
    Body fields this server does not know are ignored and named in `x-skyvern-ignored-fields`."""
    note_ignored_fields(request, response, TaskRunRequest)
    data = payload.model_dump(exclude_unset=True)
    if user_agent and not data.get("user_agent"):
        data["user_agent"] = user_agent  # the SDK sends user_agent as this header
    organization = request_organization(request)
    normalised = normalise_run_request(
        data,
        organization=organization,
        max_steps_override=max_steps_override,
        max_iterations_override=max_iterations_override,
    )
    run = run_create(organization=organization, request=normalised, api_key=request.auth)
    return presenters.new_run_to_response(run)


@route(router, "GET", "/runs", response=list[RunListItem], operation_id="list_runs_v1_runs_get")
def list_runs(request: HttpRequest, query: Query[RunListQuery]):
    """The organization's runs, newest first (what the SDK's get_runs_v2 reads); `search` is `search_key`."""
    runs = selectors.run_list_for_org(
        organization=request_organization(request),
        statuses=query.status or (),
        run_types=query.run_type or (),
        search=query.search_key or query.search or "",
    )
    return presenters.run_list_items(selectors.page_of(runs, page=query.page, page_size=query.page_size))


# Before /runs/{run_id}: Django tries the paths in order, and that one would take "cancel" for a run id.
@route(
    router,
    "POST",
    "/runs/cancel",
    response=BulkCancelResponse,
    operation_id="bulk_cancel_runs_v1_runs_cancel_post",
)
def bulk_cancel_runs(request: HttpRequest, payload: BulkCancelRequest):
    """Cancel several runs; a run that is not found or has already finished is listed as failed."""
    run_ids = list(dict.fromkeys(payload.run_ids))
    runs = selectors.runs_get_for_org(organization=request_organization(request), run_ids=run_ids)
    cancelled = {run_id for run_id, run in runs.items() if _cancelled(run)}
    return {
        "cancelled": [run_id for run_id in run_ids if run_id in cancelled],
        "failed": [run_id for run_id in run_ids if run_id not in cancelled],
    }


def _cancelled(run: TaskRun) -> bool:
    was_active = run.status not in TERMINAL_STATUSES
    return was_active and run_cancel(run=run).status == RunStatus.CANCELED


@route(router, "GET", "/runs/{run_id}", response=TaskRunResponse, operation_id="get_run_v1_runs__run_id__get")
def get_run(request: HttpRequest, run_id: str):
    return presenters.run_to_response_cached(run_or_404(request, run_id))


@route(
    router,
    "GET",
    "/run/tasks/{run_id}",
    response=TaskRunResponse,
    operation_id="get_task_run_v1_run_tasks__run_id__get",
)
def get_task_run(request: HttpRequest, run_id: str):
    """The Tasks API's "task details": the same body as GET /v1/runs/{run_id}."""
    return presenters.run_to_response_cached(run_or_404(request, run_id))


@route(router, "GET", "/version", response=dict[str, str], operation_id="get_version_v1_version_get")
def get_version(request: HttpRequest):
    """This server's version, from pyproject.toml."""
    return {"version": server_version()}


@route(
    router,
    "POST",
    "/runs/{run_id}/cancel",
    response=TaskRunResponse,
    operation_id="cancel_run_v1_runs__run_id__cancel_post",
)
def cancel_run(request: HttpRequest, run_id: str):
    """Cancel a created, queued or running run; a finished run is answered unchanged."""
    run = run_or_404(request, run_id)
    return presenters.run_to_response(run_cancel(run=run))


@route(
    router,
    "POST",
    "/runs/{run_id}/retry_webhook",
    response=WebhookReplay,
    operation_id="retry_run_webhook_v1_runs__run_id__retry_webhook_post",
)
def retry_run_webhook(request: HttpRequest, run_id: str, payload: RetryWebhookRequest | None = None):
    """Send the run's webhook again now and report what was sent and how the receiver answered."""
    run = run_or_404(request, run_id)
    if payload is not None and payload.webhook_url:
        raise HttpError(400, "Sending to another webhook_url is not supported; the run's webhook_url is used")
    if not run.webhook_url:
        raise HttpError(400, "This run has no webhook_url")
    body = webhooks.webhook_body(run).decode()
    attempt = webhooks.webhook_send(run=run)
    return {
        "run_id": run.run_id,
        "run_type": run.run_type,
        "default_webhook_url": run.webhook_url,
        "target_webhook_url": run.webhook_url,
        "payload": body,
        "headers": {"content-type": "application/json"},
        **attempt,
    }


@route(
    router,
    "GET",
    "/runs/{run_id}/timeline",
    response=list[TimelineEntry],
    operation_id="get_run_timeline_v1_runs__run_id__timeline_get",
)
def get_run_timeline(request: HttpRequest, run_id: str):
    """The run's steps in order, each with its actions."""
    return presenters.timeline(run_or_404(request, run_id))
