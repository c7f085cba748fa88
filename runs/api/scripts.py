"""/v1/scripts (create, list, get, deploy, run) and /v1/run/tasks/download_files."""

import json
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema
from pydantic import ConfigDict

from runs import presenters, selectors
from runs.api.auth import request_organization
from runs.api.routing import note_ignored_fields, route
from runs.api.schemas import TaskRunResponse
from runs.exceptions import InvalidRunRequest, NotFound
from runs.models import Script
from runs.presenters.scripts import script_created, script_to_response
from runs.selectors.scripts import script_get, scripts_for_org
from runs.services import run_create
from runs.services.run_requests import normalise_run_request
from runs.services.scripts import script_create, script_deploy

router = Router(tags=["Scripts"])


class ScriptFile(Schema):
    path: str
    content: str = Field(description="The file's content, base64 unless encoding says otherwise")
    encoding: str = "base64"
    mime_type: str | None = None


class CreateScriptRequest(Schema):
    workflow_id: str | None = None
    run_id: str | None = Field(default=None, description="Make the script from this run's actions")
    files: list[ScriptFile] | None = None


class DeployScriptRequest(Schema):
    files: list[ScriptFile]


class CreateScriptResponse(Schema):
    model_config = ConfigDict(extra="allow")

    script_id: str
    version: int
    run_id: str | None = None
    file_count: int
    file_tree: dict[str, Any]
    created_at: str


class ScriptResponse(Schema):
    model_config = ConfigDict(extra="allow")

    script_revision_id: str
    script_id: str
    organization_id: str
    run_id: str | None = None
    version: int
    created_at: str
    modified_at: str
    deleted_at: str | None = None
    workflow_permanent_id: str | None = None
    deployed_at: str | None = None
    # GET /v1/scripts/{script_id} only: what a replay follows and the program made from it.
    parameters: dict[str, Any] | None = None
    plan: list[dict[str, Any]] | None = None
    code: str | None = None
    file_tree: dict[str, Any] | None = None


class ScriptListQuery(Schema):
    page: int = Field(default=1, ge=1, le=100_000)
    page_size: int = Field(default=10, ge=1, le=100)


def _script_or_404(request: HttpRequest, script_id: str) -> Script:
    script = script_get(organization=request_organization(request), script_id=script_id)
    if script is None:
        raise NotFound("Script not found")
    return script


@route(
    router, "POST", "/scripts", response=CreateScriptResponse, operation_id="create_script_v1_scripts_post"
)
def create_script(request: HttpRequest, payload: CreateScriptRequest):
    """A new script: from a run's actions (`run_id`), from uploaded files, or both."""
    organization = request_organization(request)
    run = None
    if payload.run_id:
        run = selectors.run_get_for_org(organization=organization, run_id=payload.run_id)
        if run is None:
            raise NotFound("Run not found")
    if run is None and not payload.files:
        raise InvalidRunRequest("Give run_id (a finished run to make the script from) or files")
    files = [item.model_dump() for item in payload.files or []]
    script = script_create(
        organization=organization, run=run, files=files, workflow_id=payload.workflow_id or ""
    )
    return script_created(script)


@route(router, "GET", "/scripts", response=list[ScriptResponse], operation_id="get_scripts_v1_scripts_get")
def list_scripts(request: HttpRequest, query: Query[ScriptListQuery]):
    """The latest revision of each of the organization's scripts, newest first."""
    scripts = scripts_for_org(organization=request_organization(request))
    page = selectors.page_of(scripts, page=query.page, page_size=query.page_size)
    return [script_to_response(script) for script in page]


@route(
    router,
    "GET",
    "/scripts/{script_id}",
    response=ScriptResponse,
    operation_id="get_script_v1_scripts__script_id__get",
)
def get_script(request: HttpRequest, script_id: str):
    """The script's latest revision, with its plan, parameters, code and file tree."""
    return script_to_response(_script_or_404(request, script_id), detail=True)


@route(
    router,
    "POST",
    "/scripts/{script_id}/deploy",
    response=CreateScriptResponse,
    operation_id="deploy_script_v1_scripts__script_id__deploy_post",
)
def deploy_script(request: HttpRequest, script_id: str, payload: DeployScriptRequest):
    """A new version with these files (stored and served; replays keep following the recorded plan)."""
    script = _script_or_404(request, script_id)
    return script_created(script_deploy(script=script, files=[item.model_dump() for item in payload.files]))


# Fields of the script's original run that a run of the script starts with.
RUN_FIELDS = (
    "prompt", "url", "engine", "title", "proxy_location", "data_extraction_schema", "error_code_mapping",
    "max_steps", "webhook_url", "totp_identifier", "totp_url", "model", "extra_http_headers",
)  # fmt: skip


@route(
    router,
    "POST",
    "/scripts/{script_id}/run",
    response=dict[str, Any],
    operation_id="run_script_v1_scripts__script_id__run_post",
)
def run_script(request: HttpRequest, script_id: str):
    """Replay the script as a new task run. Optional body: {"parameters": {...}, "ai_fallback": bool}."""
    script = _script_or_404(request, script_id)
    body = _optional_json(request)
    if script.run is None or not script.plan:
        raise InvalidRunRequest("This script has no recorded steps to replay (it was made from files only)")
    stored = script.run.request or {}
    data = {name: stored[name] for name in RUN_FIELDS if stored.get(name) is not None}
    data |= {
        "prompt": script.run.prompt,
        "url": script.run.url or None,
        "run_with": "code",
        "script_id": script.script_id,
    }
    if body.get("parameters") is not None:
        data["script_parameters"] = body["parameters"]
    if body.get("ai_fallback") is not None:
        data["ai_fallback"] = body["ai_fallback"]
    organization = request_organization(request)
    run = run_create(
        organization=organization,
        request=normalise_run_request(data, organization=organization),
        api_key=request.auth,
    )
    return {**presenters.new_run_to_response(run), "ai_fallback_triggered": False}


def _optional_json(request: HttpRequest) -> dict[str, Any]:
    if not request.body.strip():
        return {}
    try:
        body = json.loads(request.body)
    except ValueError:
        raise InvalidRunRequest("The body must be JSON") from None
    if not isinstance(body, dict):
        raise InvalidRunRequest("The body must be a JSON object")
    return body


class DownloadFilesRequest(Schema):
    navigation_goal: str = Field(description="How to reach and download the files")
    url: str | None = None
    webhook_url: str | None = None
    proxy_location: Any = None
    totp_identifier: str | None = None
    totp_url: str | None = None
    browser_session_id: str | None = None
    browser_address: str | None = None
    extra_http_headers: dict[str, str] | None = None
    max_screenshot_scrolling_times: int | None = None
    download_suffix: str | None = None
    download_timeout: float | None = None
    max_steps_per_run: int | None = None


def download_prompt(goal: str, suffix: str | None) -> str:
    wanted = f" The file name should end with {suffix!r}." if suffix else ""
    return (
        f"{goal.strip()}\n\nThis task downloads files: click the links or buttons that download the files "
        f"described above.{wanted} The task is complete once every download has started."
    )


@route(
    router,
    "POST",
    "/run/tasks/download_files",
    response=TaskRunResponse,
    operation_id="download_files_v1_run_tasks_download_files_post",
)
def download_files(request: HttpRequest, response: HttpResponse, payload: DownloadFilesRequest):
    """A task run whose goal is downloading; the run's `downloaded_files` lists what it downloaded."""
    note_ignored_fields(request, response, DownloadFilesRequest)
    if not payload.navigation_goal.strip():
        raise InvalidRunRequest("navigation_goal must not be empty")
    fields = payload.model_dump(exclude_unset=True)
    data = {
        name: fields[name]
        for name in ("url", "webhook_url", "proxy_location", "totp_identifier", "totp_url", "browser_session_id",
                     "browser_address", "extra_http_headers")
        if fields.get(name) is not None
    }  # fmt: skip
    data["prompt"] = download_prompt(payload.navigation_goal, payload.download_suffix)
    data["engine"] = "skyvern-1.0"
    if payload.max_steps_per_run is not None:
        data["max_steps"] = payload.max_steps_per_run
    if payload.max_screenshot_scrolling_times is not None:
        data["max_screenshot_scrolls"] = payload.max_screenshot_scrolling_times
    organization = request_organization(request)
    run = run_create(
        organization=organization,
        request=normalise_run_request(data, organization=organization),
        api_key=request.auth,
    )
    # Skyvern answers this route with a WorkflowRunResponse, whose run_request the SDK reads as a workflow's
    # request (a workflow_id is required there); this run is a task, so it has none to give.
    return {**presenters.new_run_to_response(run), "run_request": None}
