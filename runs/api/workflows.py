"""/v1 workflows under both spellings: Skyvern's spec (`/workflows`, `/run/workflows`) and the names SDK
1.0.56 calls (`/agents`, `/run/agents`, `/agents/runs`; `agent_id` is the workflow's wpid_… id)."""

from __future__ import annotations

import json
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Header, Query, Router, Schema
from pydantic import Field

from runs import presenters, selectors
from runs.api.auth import request_organization, run_or_404
from runs.api.routing import route
from runs.api.schemas import TaskRunResponse
from runs.choices import RunType
from runs.exceptions import InvalidRunRequest, NotFound
from runs.presenters.workflows import workflow_run_to_response, workflow_to_response
from runs.services import workflows as service

router = Router(tags=["Workflows"])
SPELLINGS = (("workflows", "run/workflows"), ("agents", "run/agents"))


# PostgreSQL text cannot hold a NUL character: a search with one is a 422, not a database error.
NO_NUL = r"^[^\x00]*$"
RunStatusName = Literal[
    "created", "queued", "running", "completed", "failed", "terminated", "timed_out", "canceled"
]


class WorkflowListQuery(Schema):
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(10, ge=1, le=100)
    only_saved_tasks: bool = False
    only_workflows: bool = False
    only_templates: bool = False
    search_key: str | None = Field(None, max_length=500, pattern=NO_NUL)
    title: str = Field("", max_length=500, pattern=NO_NUL)
    status: list[Literal["published", "draft", "auto_generated", "importing", "import_failed"]] | None = None


class WorkflowRunListQuery(Schema):
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(10, ge=1, le=100)
    status: list[RunStatusName] | None = None
    search_key: str | None = Field(None, max_length=500, pattern=NO_NUL)


class WorkflowRunBody(Schema):
    """WorkflowRunRequest (SDK 1.0.56 sends the id as `agent_id`)."""

    workflow_id: str | None = None
    agent_id: str | None = None
    parameters: dict[str, Any] | None = None
    title: str | None = None
    proxy_location: Any = None
    webhook_url: str | None = None
    totp_url: str | None = None
    totp_identifier: str | None = None
    browser_session_id: str | None = None
    browser_profile_id: str | None = None
    max_screenshot_scrolls: int | None = None
    extra_http_headers: dict[str, str | None] | None = None
    browser_address: str | None = None
    ai_fallback: bool | None = None
    run_with: str | None = None


def _json_body(request: HttpRequest) -> Any:
    """The body as JSON; a text body (legacy clients post the YAML itself) as {"yaml_definition": text}."""
    raw = request.body.decode("utf-8", errors="replace")
    kind = request.headers.get("content-type", "")
    if "json" not in kind and raw.strip() and not raw.lstrip().startswith("{"):
        return {"yaml_definition": raw}
    try:
        return json.loads(raw or "{}")
    except ValueError as exc:
        raise InvalidRunRequest(f"The body is not valid JSON: {exc}") from None


def _workflow_or_404(request: HttpRequest, workflow_id: str, version: int | None = None):
    found = selectors.workflow_get_for_org(
        organization=request_organization(request), workflow_permanent_id=workflow_id, version=version
    )
    if found is None:
        raise NotFound("Workflow not found")
    return found


# Skyvern's operation ids for the routes its spec has (the `/agents` spelling is the SDK's alone).
SPEC_IDS = {
    "run_workflows_post": "run_workflow_v1_run_workflows_post",
    "create_workflows_post": "create_workflow_v1_workflows_post",
    "get_workflows_get": "get_workflows_v1_workflows_get",
    "update_workflows_post": "update_workflow_v1_workflows__workflow_id__post",
    "del_workflows": "delete_workflow_v1_workflows__workflow_id__delete_post",
}


def _op(name: str) -> str:
    return SPEC_IDS.get(name, name)


def _register(name: str, run_path: str) -> None:
    base = f"/{name}"
    suffix = "agents" if name == "agents" else "workflows"

    @route(router, "POST", f"/{run_path}", response=TaskRunResponse, operation_id=_op(f"run_{suffix}_post"))
    def run_workflow(
        request: HttpRequest,
        payload: WorkflowRunBody,
        max_steps_override: int | None = Header(None, alias="x-max-steps-override"),
        user_agent: str | None = Header(None, alias="x-user-agent"),
    ):
        """Start a run of the workflow's latest version; parameters are checked against its definition."""
        data = payload.model_dump(exclude_unset=True)
        if user_agent and not data.get("user_agent"):
            data["user_agent"] = user_agent
        run = service.workflow_run_create(
            organization=request_organization(request),
            data=data,
            api_key=request.auth,
            max_steps_override=max_steps_override,
        )
        return presenters.new_run_to_response(run)

    @route(router, "GET", base, response=list[dict[str, Any]], operation_id=_op(f"get_{suffix}_get"))
    def list_workflows(request: HttpRequest, query: Query[WorkflowListQuery]):
        """The latest version of each workflow, newest first."""
        if query.only_templates:
            return []
        workflows = selectors.workflow_list_for_org(
            organization=request_organization(request),
            search=query.search_key or query.title or "",
            only_saved_tasks=query.only_saved_tasks,
            only_workflows=query.only_workflows,
            statuses=query.status,
        )
        page = selectors.page_of(workflows, page=query.page, page_size=query.page_size)
        return [workflow_to_response(workflow) for workflow in page]

    @route(router, "POST", base, response=dict[str, Any], operation_id=_op(f"create_{suffix}_post"))
    def create_workflow(request: HttpRequest):
        """Create a workflow from `{"json_definition": {...}}` or `{"yaml_definition": "..."}`."""
        workflow = service.workflow_create(
            organization=request_organization(request), body=_json_body(request)
        )
        return workflow_to_response(workflow)

    @route(
        router, "GET", f"{base}/runs", response=list[dict[str, Any]], operation_id=_op(f"get_{suffix}_runs")
    )
    def list_runs(request: HttpRequest, query: Query[WorkflowRunListQuery]):
        runs = selectors.workflow_runs_for_org(
            organization=request_organization(request), statuses=query.status, search=query.search_key or ""
        )
        page = selectors.page_of(runs, page=query.page, page_size=query.page_size)
        return [workflow_run_to_response(run) for run in page]

    @route(
        router,
        "POST",
        f"{base}/runs/{{workflow_run_id}}/retry",
        response=TaskRunResponse,
        operation_id=_op(f"retry_{suffix}_run"),
    )
    def retry_run(
        request: HttpRequest,
        workflow_run_id: str,
        max_steps_override: int | None = Header(None, alias="x-max-steps-override"),
    ):
        """A new run of the same workflow with the run's parameters and settings."""
        run = run_or_404(request, workflow_run_id)
        if run.run_type != RunType.WORKFLOW_RUN:
            raise NotFound("Workflow run not found")
        again = service.workflow_run_retry(
            run=run, api_key=request.auth, max_steps_override=max_steps_override
        )
        return presenters.new_run_to_response(again)

    @route(
        router,
        "GET",
        f"{base}/{{workflow_id}}",
        response=dict[str, Any],
        operation_id=_op(f"get_{suffix}_one"),
    )
    def get_workflow(request: HttpRequest, workflow_id: str, version: int | None = None):
        return workflow_to_response(_workflow_or_404(request, workflow_id, version))

    @route(
        router,
        "GET",
        f"{base}/{{workflow_id}}/versions",
        response=list[dict[str, Any]],
        operation_id=_op(f"get_{suffix}_versions"),
    )
    def get_versions(request: HttpRequest, workflow_id: str):
        versions = selectors.workflow_versions(
            organization=request_organization(request), workflow_permanent_id=workflow_id
        )
        if not versions:
            raise NotFound("Workflow not found")
        return [workflow_to_response(workflow) for workflow in versions]

    @route(
        router,
        "GET",
        f"{base}/{{workflow_id}}/runs",
        response=list[dict[str, Any]],
        operation_id=_op(f"get_{suffix}_runs_by_id"),
    )
    def list_runs_of(request: HttpRequest, workflow_id: str, query: Query[WorkflowRunListQuery]):
        _workflow_or_404(request, workflow_id)
        runs = selectors.workflow_runs_for_org(
            organization=request_organization(request),
            workflow_permanent_id=workflow_id,
            statuses=query.status,
            search=query.search_key or "",
        )
        page = selectors.page_of(runs, page=query.page, page_size=query.page_size)
        return [workflow_run_to_response(run) for run in page]

    def update(request: HttpRequest, workflow_id: str):
        """A new version of the workflow; runs keep the version they started with."""
        workflow = service.workflow_update(
            organization=request_organization(request),
            workflow_permanent_id=workflow_id,
            body=_json_body(request),
        )
        return workflow_to_response(workflow)

    for method in ("POST", "PUT"):
        route(
            router,
            method,
            f"{base}/{{workflow_id}}",
            response=dict[str, Any],
            operation_id=_op(f"update_{suffix}_{method.lower()}"),
        )(update)

    def delete(request: HttpRequest, workflow_id: str):
        service.workflow_delete(organization=request_organization(request), workflow_permanent_id=workflow_id)
        return 204, None

    route(
        router,
        "POST",
        f"{base}/{{workflow_id}}/delete",
        response={204: None},
        operation_id=_op(f"del_{suffix}"),
    )(delete)
    route(
        router,
        "DELETE",
        f"{base}/{{workflow_id}}",
        response={204: None},
        operation_id=_op(f"delete_{suffix}"),
    )(delete)


for _name, _run_path in SPELLINGS:
    _register(_name, _run_path)
