"""The legacy /api/v1 workflow routes: the definition is posted as YAML text (application/x-yaml), a run
starts with WorkflowRequestBody (`data` holds the parameters) and answers RunWorkflowResponse."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema

from runs import selectors
from runs.api.auth import request_organization, run_or_404
from runs.api.routing import route
from runs.api.workflows import WorkflowListQuery, WorkflowRunListQuery, _json_body, _workflow_or_404
from runs.choices import RunType
from runs.exceptions import NotFound
from runs.presenters import artifact_url, timeline
from runs.presenters.workflows import workflow_run_to_response, workflow_to_response
from runs.services import run_cancel
from runs.services import workflows as service

router = Router(tags=["Legacy workflows"])


class WorkflowRequestBody(Schema):
    data: dict[str, Any] | None = None
    proxy_location: Any = None
    webhook_callback_url: str | None = None
    totp_verification_url: str | None = None
    totp_identifier: str | None = None
    browser_session_id: str | None = None


def _workflow_run(request: HttpRequest, run_id: str):
    run = run_or_404(request, run_id)
    if run.run_type != RunType.WORKFLOW_RUN:
        raise NotFound("Workflow run not found")
    return run


def _status_body(run) -> dict[str, Any]:
    """WorkflowRunStatusResponse."""
    body = workflow_run_to_response(run)
    shots = run.artifacts.filter(artifact_type__in=("screenshot_final", "screenshot_action")).order_by("-id")[
        :3
    ]
    downloads = list(run.artifacts.filter(artifact_type="download"))
    recording = run.artifacts.filter(artifact_type="recording").first()
    return {
        "workflow_id": body["workflow_permanent_id"],
        "workflow_run_id": run.run_id,
        "status": run.status,
        "failure_reason": run.failure_reason,
        "proxy_location": body["proxy_location"],
        "webhook_callback_url": body["webhook_callback_url"],
        "totp_verification_url": body["totp_verification_url"],
        "totp_identifier": body["totp_identifier"],
        "created_at": body["created_at"],
        "modified_at": body["modified_at"],
        "parameters": body["parameters"] or {},
        "screenshot_urls": [artifact_url(shot) for shot in shots],
        "recording_url": artifact_url(recording) if recording else None,
        "downloaded_file_urls": [artifact_url(item) for item in downloads],
        "outputs": run.output,
        "total_steps": run.step_count,
        "total_cost": run.total_cost,
        "workflow_title": body["workflow_title"],
    }


@route(
    router,
    "POST",
    "/workflows",
    response=dict[str, Any],
    operation_id="create_workflow_api_v1_workflows_post",
)
def create_workflow(request: HttpRequest):
    """The YAML definition as the body (or JSON, as /v1/workflows takes it)."""
    return workflow_to_response(
        service.workflow_create(organization=request_organization(request), body=_json_body(request))
    )


@route(
    router,
    "GET",
    "/workflows",
    response=list[dict[str, Any]],
    operation_id="get_workflows_api_v1_workflows_get",
)
def list_workflows(request: HttpRequest, query: Query[WorkflowListQuery]):
    workflows = selectors.workflow_list_for_org(
        organization=request_organization(request),
        search=query.search_key or query.title or "",
        only_saved_tasks=query.only_saved_tasks,
        only_workflows=query.only_workflows,
    )
    return [
        workflow_to_response(w)
        for w in selectors.page_of(workflows, page=query.page, page_size=query.page_size)
    ]


@route(
    router,
    "GET",
    "/workflows/templates",
    response=list[dict[str, Any]],
    operation_id="get_workflow_templates_api_v1_workflows_templates_get",
)
def list_templates(request: HttpRequest):
    """This server keeps no workflow templates."""
    return []


@route(
    router,
    "GET",
    "/workflows/runs",
    response=list[dict[str, Any]],
    operation_id="get_workflow_runs_api_v1_workflows_runs_get",
)
def list_runs(request: HttpRequest, query: Query[WorkflowRunListQuery]):
    runs = selectors.workflow_runs_for_org(organization=request_organization(request), statuses=query.status)
    return [
        workflow_run_to_response(r)
        for r in selectors.page_of(runs, page=query.page, page_size=query.page_size)
    ]


@route(
    router,
    "GET",
    "/workflows/runs/{workflow_run_id}",
    response=dict[str, Any],
    operation_id="get_workflow_run_by_run_id_api_v1_workflows_runs__workflow_run_id__get",
)
def get_run(request: HttpRequest, workflow_run_id: str):
    return _status_body(_workflow_run(request, workflow_run_id))


@route(
    router,
    "POST",
    "/workflows/runs/{workflow_run_id}/cancel",
    response=dict[str, Any],
    operation_id="cancel_workflow_run_api_v1_workflows_runs__workflow_run_id__cancel_post",
)
def cancel_run(request: HttpRequest, workflow_run_id: str):
    return _status_body(run_cancel(run=_workflow_run(request, workflow_run_id)))


@route(
    router,
    "POST",
    "/workflows/{workflow_id}/run",
    response=dict[str, Any],
    operation_id="run_workflow_api_v1_workflows__workflow_id__run_post",
)
def run_workflow(request: HttpRequest, workflow_id: str, payload: WorkflowRequestBody):
    data = {
        "workflow_id": workflow_id,
        "parameters": payload.data,
        "proxy_location": payload.proxy_location,
        "webhook_url": payload.webhook_callback_url,
        "totp_url": payload.totp_verification_url,
        "totp_identifier": payload.totp_identifier,
        "browser_session_id": payload.browser_session_id,
    }
    run = service.workflow_run_create(
        organization=request_organization(request),
        data={k: v for k, v in data.items() if v is not None},
        api_key=request.auth,
    )
    return {"workflow_id": workflow_id, "workflow_run_id": run.run_id}


@route(
    router,
    "GET",
    "/workflows/{workflow_id}/runs",
    response=list[dict[str, Any]],
    operation_id="get_workflow_runs_by_id_api_v1_workflows__workflow_id__runs_get",
)
def list_runs_of(request: HttpRequest, workflow_id: str, query: Query[WorkflowRunListQuery]):
    _workflow_or_404(request, workflow_id)
    runs = selectors.workflow_runs_for_org(
        organization=request_organization(request), workflow_permanent_id=workflow_id, statuses=query.status
    )
    return [
        workflow_run_to_response(r)
        for r in selectors.page_of(runs, page=query.page, page_size=query.page_size)
    ]


@route(
    router,
    "GET",
    "/workflows/{workflow_id}/runs/{workflow_run_id}",
    response=dict[str, Any],
    operation_id="get_workflow_run_api_v1_workflows__workflow_id__runs__workflow_run_id__get",
)
def get_run_of(request: HttpRequest, workflow_id: str, workflow_run_id: str):
    return _status_body(_workflow_run(request, workflow_run_id))


@route(
    router,
    "GET",
    "/workflows/{workflow_id}/runs/{workflow_run_id}/timeline",
    response=list[dict[str, Any]],
    operation_id="get_workflow_run_timeline_api_v1_workflows__workflow_id__runs__workflow_run_id__timeline_get",
)
def get_run_timeline(request: HttpRequest, workflow_id: str, workflow_run_id: str):
    return timeline(_workflow_run(request, workflow_run_id))


@route(
    router,
    "GET",
    "/workflows/{workflow_permanent_id}",
    response=dict[str, Any],
    operation_id="get_workflow_api_v1_workflows__workflow_permanent_id__get",
)
def get_workflow(request: HttpRequest, workflow_permanent_id: str, version: int | None = None):
    return workflow_to_response(_workflow_or_404(request, workflow_permanent_id, version))


@route(
    router,
    "PUT",
    "/workflows/{workflow_permanent_id}",
    response=dict[str, Any],
    operation_id="update_workflow_api_v1_workflows__workflow_permanent_id__put",
)
def update_workflow(request: HttpRequest, workflow_permanent_id: str):
    workflow = service.workflow_update(
        organization=request_organization(request),
        workflow_permanent_id=workflow_permanent_id,
        body=_json_body(request),
    )
    return workflow_to_response(workflow)


@route(
    router,
    "DELETE",
    "/workflows/{workflow_permanent_id}",
    response=dict[str, Any],
    operation_id="delete_workflow_api_v1_workflows__workflow_permanent_id__delete",
)
def delete_workflow(request: HttpRequest, workflow_permanent_id: str):
    service.workflow_delete(
        organization=request_organization(request), workflow_permanent_id=workflow_permanent_id
    )
    return {}
