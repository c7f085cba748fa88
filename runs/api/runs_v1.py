"""/v1 runs: create a task run, read it, list runs, cancel, retry its webhook, and its timeline."""

from django.http import HttpRequest, HttpResponse
from ninja import Header, Query, Router
from ninja.errors import HttpError

from runs import presenters, selectors
from runs.api.auth import request_organization, run_or_404
from runs.api.routing import note_ignored_fields, route
from runs.api.schemas import (
    RetryWebhookRequest,
    RunListQuery,
    TaskRunRequest,
    TaskRunResponse,
    TimelineEntry,
    WebhookReplay,
)
from runs.execution import webhooks
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
):
    """Run a task: the run is stored, then queued for a worker once the transaction commits.
    Body fields this server does not know are ignored and named in `x-skyvern-ignored-fields`."""
    note_ignored_fields(request, response, TaskRunRequest)
    data = payload.model_dump(exclude_unset=True)
    if user_agent and not data.get("user_agent"):
        data["user_agent"] = user_agent  # the SDK sends user_agent as this header
    organization = request_organization(request)
    normalised = normalise_run_request(data, organization=organization, max_steps_override=max_steps_override)
    run = run_create(organization=organization, request=normalised, api_key=request.auth)
    return presenters.run_to_response(run)


@route(router, "GET", "/runs", response=list[TaskRunResponse], operation_id="list_runs_v1_runs_get")
def list_runs(request: HttpRequest, query: Query[RunListQuery]):
    """The organization's runs, newest first."""
    runs = selectors.run_list_for_org(
        organization=request_organization(request), statuses=query.status or (), search=query.search or ""
    )
    return presenters.runs_to_response(selectors.page_of(runs, page=query.page, page_size=query.page_size))


@route(router, "GET", "/runs/{run_id}", response=TaskRunResponse, operation_id="get_run_v1_runs__run_id__get")
def get_run(request: HttpRequest, run_id: str):
    return presenters.run_to_response(run_or_404(request, run_id))


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
