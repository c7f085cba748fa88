"""Skyvern's legacy task surface under /api/v1, for clients written against it."""

from django.http import HttpRequest
from ninja import Query, Router

from runs import presenters, selectors
from runs.api.auth import request_organization, run_or_404
from runs.api.routing import route
from runs.api.schemas import (
    Action,
    Heartbeat,
    LegacyStep,
    LegacyTask,
    LegacyTaskListQuery,
    LegacyTaskResponse,
)
from runs.services import run_cancel

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
    return [presenters.legacy_step(step, run=run) for step in selectors.steps_for_run(run=run)]


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
