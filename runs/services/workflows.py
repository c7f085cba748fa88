"""Workflows: create (from JSON or YAML), update (a new version), delete, and start a run of one.

A definition is checked before it is saved (agent.workflow.check_definition): an unknown block type, a
label used twice, a template naming nothing or a loop over something that is not a list is a 400 that
names the block. A run keeps the version it started with (TaskRun.workflow).
"""

from __future__ import annotations

import json
from typing import Any

import yaml
from django.db import transaction
from django.utils import timezone

from agent.workflow import DefinitionError, ParameterError, check_definition, resolve_parameters
from runs import ids
from runs.choices import RunEngine, RunType
from runs.exceptions import InvalidRunRequest, NotFound
from runs.models import ApiKey, Organization, TaskRun, Workflow
from runs.services.run_requests import normalise_run_request
from runs.services.runs import run_enqueue
from runs.services.workflow_versions import workflow_version_add

# Run settings a workflow keeps beside its definition (WorkflowCreateYAMLRequest's other fields).
SETTINGS = (
    "proxy_location",
    "webhook_callback_url",
    "totp_verification_url",
    "totp_identifier",
    "persist_browser_session",
    "model",
    "max_screenshot_scrolls",
    "extra_http_headers",
    "run_with",
    "ai_fallback",
    "cache_key",
    "run_sequentially",
    "sequential_key",
    "folder_id",
)
STATUSES = ("published", "draft", "auto_generated", "importing", "import_failed")


def workflow_request_parse(body: Any) -> tuple[dict[str, Any], str]:
    """The WorkflowCreateYAMLRequest inside a WorkflowRequest (`json_definition` or `yaml_definition`), or
    the create request itself; and the text it came from (YAML or JSON, shown again in the editor)."""
    if not isinstance(body, dict):
        raise InvalidRunRequest("The request must be a JSON object")
    if isinstance(body.get("yaml_definition"), str) and body["yaml_definition"].strip():
        text = body["yaml_definition"]
        try:
            parsed = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise InvalidRunRequest(f"yaml_definition is not valid YAML: {exc}") from None
        return _create_request(parsed, "yaml_definition"), text
    if body.get("json_definition") is not None:
        parsed = body["json_definition"]
        if isinstance(parsed, str):
            try:
                parsed = json.loads(parsed)
            except ValueError as exc:
                raise InvalidRunRequest(f"json_definition is not valid JSON: {exc}") from None
        return _create_request(parsed, "json_definition"), json.dumps(parsed, indent=2)
    if "workflow_definition" in body:
        return _create_request(body, "request"), json.dumps(body, indent=2)
    raise InvalidRunRequest("Send the workflow as yaml_definition or json_definition")


def _create_request(parsed: Any, where: str) -> dict[str, Any]:
    if not isinstance(parsed, dict):
        raise InvalidRunRequest(f"{where} must describe an object with title and workflow_definition")
    if not isinstance(parsed.get("title"), str) or not parsed["title"].strip():
        raise InvalidRunRequest(f"{where}: title is required")
    status = parsed.get("status") or "published"
    if status not in STATUSES:
        raise InvalidRunRequest(f"{where}: status must be one of {', '.join(STATUSES)}")
    try:
        definition = check_definition(parsed.get("workflow_definition"))
    except DefinitionError as exc:
        raise InvalidRunRequest(str(exc)) from None
    return {**parsed, "workflow_definition": definition, "status": status}


def _fields(create: dict[str, Any], source: str) -> dict[str, Any]:
    return {
        "title": create["title"].strip()[:500],
        "description": create.get("description") or "",
        "definition": create["workflow_definition"],
        "source_text": source,
        "settings": {name: create[name] for name in SETTINGS if create.get(name) is not None},
        "is_saved_task": bool(create.get("is_saved_task")),
        "status": create["status"],
    }


def workflow_create(*, organization: Organization, body: Any) -> Workflow:
    create, source = workflow_request_parse(body)
    return Workflow.objects.create(organization=organization, version=1, **_fields(create, source))


def workflow_update(*, organization: Organization, workflow_permanent_id: str, body: Any) -> Workflow:
    """A new version; the earlier ones stay for the runs that used them."""
    create, source = workflow_request_parse(body)
    return workflow_version_add(
        organization=organization, workflow_permanent_id=workflow_permanent_id, **_fields(create, source)
    )


def workflow_delete(*, organization: Organization, workflow_permanent_id: str) -> int:
    deleted = Workflow.objects.filter(
        organization=organization, workflow_permanent_id=workflow_permanent_id, deleted_at__isnull=True
    ).update(deleted_at=timezone.now())
    if not deleted:
        raise NotFound("Workflow not found")
    return deleted


def workflow_latest(*, organization: Organization, workflow_permanent_id: str) -> Workflow:
    found = (
        Workflow.objects.filter(
            organization=organization, workflow_permanent_id=workflow_permanent_id, deleted_at__isnull=True
        )
        .order_by("-version")
        .first()
    )
    if found is None:
        raise NotFound("Workflow not found")
    return found


# --- runs -------------------------------------------------------------------------------------------------

# WorkflowRunRequest fields that mean the same as TaskRunRequest's, checked by the same code.
SHARED_RUN_FIELDS = (
    "proxy_location",
    "webhook_url",
    "totp_url",
    "totp_identifier",
    "browser_session_id",
    "max_screenshot_scrolls",
    "extra_http_headers",
    "browser_address",
    "user_agent",
    "model",
)


@transaction.atomic
def workflow_run_create(
    *,
    organization: Organization,
    data: dict[str, Any],
    api_key: ApiKey | None = None,
    created_by=None,
    max_steps_override: int | None = None,
    rerun_of: TaskRun | None = None,
) -> TaskRun:
    """Check the parameters against the workflow's latest version, then store and queue a `wr_…` run."""
    workflow_id = data.get("workflow_id") or data.get("agent_id")
    if not isinstance(workflow_id, str) or not workflow_id:
        raise InvalidRunRequest("workflow_id is required (the workflow's wpid_… id)")
    workflow = workflow_latest(organization=organization, workflow_permanent_id=workflow_id)
    if data.get("run_with") not in (None, "agent", "code"):
        raise InvalidRunRequest(f'run_with={data["run_with"]!r} is not supported: use "agent" or "code"')
    try:
        parameters = resolve_parameters(workflow.definition, data.get("parameters"))
    except ParameterError as exc:
        raise InvalidRunRequest(str(exc)) from None
    request = _run_request(workflow, data, organization, max_steps_override)
    request["parameters"] = parameters
    run = TaskRun.objects.create(
        run_id=ids.new_workflow_run_id(),
        organization=organization,
        api_key=api_key,
        created_by=created_by,
        engine=RunEngine.SKYVERN_V1,
        run_type=RunType.WORKFLOW_RUN,
        request=request,
        title=request.get("title") or workflow.title,
        prompt=workflow.title,
        url="",
        max_steps=request["max_steps"],
        webhook_url=request.get("webhook_url") or "",
        browser_session_id=request.get("browser_session_id"),
        workflow=workflow,
        rerun_of=rerun_of,
    )
    return run_enqueue(run=run)


def _run_request(
    workflow: Workflow, data: dict[str, Any], organization: Organization, max_steps_override: int | None
) -> dict[str, Any]:
    """The stored request: WorkflowRunRequest's fields, checked like a task's (URLs guarded, proxy known),
    falling back on the workflow's saved settings."""
    saved = workflow.settings or {}
    shared = {name: data[name] for name in SHARED_RUN_FIELDS if data.get(name) is not None}
    shared.setdefault("webhook_url", saved.get("webhook_callback_url"))
    shared.setdefault("totp_url", saved.get("totp_verification_url"))
    for name in (
        "proxy_location",
        "totp_identifier",
        "extra_http_headers",
        "max_screenshot_scrolls",
        "model",
    ):
        shared.setdefault(name, saved.get(name))
    checked = normalise_run_request(
        {"prompt": workflow.title, **{k: v for k, v in shared.items() if v is not None}},
        organization=organization,
        max_steps_override=max_steps_override,
    )
    kept = {name: checked.get(name) for name in (*SHARED_RUN_FIELDS, "max_steps")}
    return {
        "workflow_id": workflow.workflow_permanent_id,
        "workflow_version": workflow.version,
        "title": (data.get("title") or "").strip()[:500] or None,
        "max_steps_override": max_steps_override,
        "ai_fallback": data.get("ai_fallback"),
        "run_with": data.get("run_with"),
        **kept,
    }


def workflow_run_retry(
    *,
    run: TaskRun,
    api_key: ApiKey | None = None,
    created_by=None,
    max_steps_override: int | None = None,
) -> TaskRun:
    """A new run of the same workflow with the same parameters and settings (its latest version)."""
    request = dict(run.request or {})
    data = {name: request.get(name) for name in (*SHARED_RUN_FIELDS, "title", "parameters", "ai_fallback")}
    data["workflow_id"] = request.get("workflow_id") or (
        run.workflow.workflow_permanent_id if run.workflow else None
    )
    return workflow_run_create(
        organization=run.organization,
        data={k: v for k, v in data.items() if v is not None},
        api_key=api_key,
        created_by=created_by,
        max_steps_override=max_steps_override or request.get("max_steps_override"),
        rerun_of=run,
    )
