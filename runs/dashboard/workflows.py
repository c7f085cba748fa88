"""Workflows in the dashboard: the list, a YAML editor (a new workflow, or a new version of one) whose
problems are shown beside the text, and a run form made from the workflow's parameters."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from agent.workflow import parameter_keys
from runs import selectors
from runs.dashboard.access import member_required
from runs.exceptions import InvalidRunRequest
from runs.models import Workflow
from runs.services import workflows as service

EXAMPLE = """title: Greet people
description: Says hello to everyone on a list
workflow_definition:
  parameters:
    - key: names
      parameter_type: workflow
      workflow_parameter_type: json
      default_value: ["Ada", "Grace"]
  blocks:
    - block_type: for_loop
      label: each
      loop_over_parameter_key: names
      loop_blocks:
        - block_type: text_prompt
          label: greet
          prompt: "Write a one-line greeting for {{ current_value }}"
"""
INPUT_TYPES = {"integer": "number", "float": "number", "file_url": "url"}


@member_required
def workflows_list(request: HttpRequest) -> HttpResponse:
    search = request.GET.get("q", "").strip()[:200]
    workflows = list(selectors.workflow_list_for_org(organization=request.organization, search=search)[:200])
    rows = [{"workflow": w, "blocks": len((w.definition or {}).get("blocks", []))} for w in workflows]
    return render(request, "runs/workflows.html", {"rows": rows, "search": search, "nav": "workflows"})


@member_required
def workflow_new(request: HttpRequest) -> HttpResponse:
    text, error = EXAMPLE, None
    if request.method == "POST":
        text = request.POST.get("definition", "")
        try:
            workflow = service.workflow_create(
                organization=request.organization, body={"yaml_definition": text}
            )
        except InvalidRunRequest as exc:
            error = exc.message
        else:
            messages.success(request, f"Saved {workflow.title}.")
            return redirect("runs:workflow", workflow_id=workflow.workflow_permanent_id)
    context = {"text": text, "error": error, "workflow": None, "nav": "workflows"}
    return render(request, "runs/workflow_edit.html", context, status=400 if error else 200)


def _workflow(request: HttpRequest, workflow_id: str) -> Workflow:
    found = selectors.workflow_get_for_org(
        organization=request.organization, workflow_permanent_id=workflow_id
    )
    if found is None:
        raise Http404("No such workflow")
    return found


def parameter_fields(workflow: Workflow, values: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """One form field per workflow parameter, with its type's input and its default (or the value sent)."""
    fields = []
    for parameter in parameter_keys(workflow.definition or {}):
        kind = parameter.get("workflow_parameter_type", "string")
        value = (values or {}).get(parameter["key"], parameter.get("default_value"))
        if kind == "json" and value is not None and not isinstance(value, str):
            value = json.dumps(value)
        fields.append(
            {
                "key": parameter["key"],
                "kind": kind,
                "input": INPUT_TYPES.get(kind, "text"),
                "value": "" if value is None else value,
                "description": parameter.get("description") or "",
                "required": parameter.get("default_value") is None,
            }
        )
    return fields


@member_required
def workflow_detail(request: HttpRequest, workflow_id: str) -> HttpResponse:
    """The workflow's YAML (a POST saves a new version) and its run form."""
    workflow = _workflow(request, workflow_id)
    text, error = workflow.source_text, None
    if request.method == "POST":
        text = request.POST.get("definition", "")
        try:
            workflow = service.workflow_update(
                organization=request.organization,
                workflow_permanent_id=workflow.workflow_permanent_id,
                body={"yaml_definition": text},
            )
        except InvalidRunRequest as exc:
            error = exc.message
        else:
            messages.success(request, f"Saved version {workflow.version}.")
            return redirect("runs:workflow", workflow_id=workflow.workflow_permanent_id)
    return render(
        request,
        "runs/workflow_edit.html",
        _detail_context(request, workflow, text, error),
        status=400 if error else 200,
    )


def _detail_context(
    request: HttpRequest,
    workflow: Workflow,
    text: str,
    error: str | None,
    run_error: str | None = None,
    values: dict[str, Any] | None = None,
) -> dict[str, Any]:
    runs = selectors.workflow_runs_for_org(
        organization=request.organization, workflow_permanent_id=workflow.workflow_permanent_id
    )[:10]
    return {
        "workflow": workflow,
        "text": text,
        "error": error,
        "run_error": run_error,
        "fields": parameter_fields(workflow, values),
        "runs": list(runs),
        "nav": "workflows",
    }


@require_POST
@member_required
def workflow_run(request: HttpRequest, workflow_id: str) -> HttpResponse:
    """Start a run with the form's values (empty fields take the parameter's default)."""
    workflow = _workflow(request, workflow_id)
    values = {
        field["key"]: request.POST.get(f"param_{field['key']}", "") for field in parameter_fields(workflow)
    }
    sent = {key: value for key, value in values.items() if value != ""}
    for field in parameter_fields(workflow):
        if field["kind"] == "boolean":
            sent[field["key"]] = (
                f"param_{field['key']}" in request.POST and request.POST[f"param_{field['key']}"] == "true"
            )
    try:
        run = service.workflow_run_create(
            organization=request.organization,
            data={"workflow_id": workflow.workflow_permanent_id, "parameters": sent},
            created_by=request.user,
        )
    except InvalidRunRequest as exc:
        context = _detail_context(
            request, workflow, workflow.source_text, None, run_error=exc.message, values=values
        )
        return render(request, "runs/workflow_edit.html", context, status=400)
    return redirect("runs:detail", run_id=run.run_id)


@require_POST
@member_required
def workflow_delete(request: HttpRequest, workflow_id: str) -> HttpResponse:
    workflow = _workflow(request, workflow_id)
    service.workflow_delete(
        organization=request.organization, workflow_permanent_id=workflow.workflow_permanent_id
    )
    messages.success(request, f"Deleted {workflow.title}.")
    return redirect("runs:workflows")
