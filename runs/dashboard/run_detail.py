"""The run page: server-rendered from the database at any moment; run_live.js only adds what is new."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from runs import selectors
from runs.choices import ACTIVE_STATUSES, ArtifactType
from runs.dashboard.access import member_required, run_for_request
from runs.dashboard.snippets import curl_snippet, python_snippet
from runs.models import TaskRun


@member_required
def run_detail(request: HttpRequest, run_id: str) -> HttpResponse:
    run = run_for_request(request, run_id)
    return render(request, "runs/run_detail.html", run_detail_context(request, run))


def run_detail_context(request: HttpRequest, run: TaskRun) -> dict[str, Any]:
    base_url = request.build_absolute_uri("/").rstrip("/")
    active = run.status in ACTIVE_STATUSES
    return {
        "run": run,
        "active": active,
        "steps": selectors.run_steps_with_actions(run=run),
        "recordings": _files(run, ArtifactType.RECORDING),
        "final_screenshots": _files(run, ArtifactType.SCREENSHOT_FINAL),
        "downloads": _files(run, ArtifactType.DOWNLOAD),
        "has_output": run.output is not None,
        "warnings": [
            e.get("reasoning") for e in run.errors or [] if isinstance(e, dict) and e.get("warning")
        ],
        "curl": curl_snippet(request=run.request, base_url=base_url),
        "python": python_snippet(request=run.request, base_url=base_url),
        "nav": "runs",
    }


def _files(run: TaskRun, artifact_type: str) -> list:
    return list(selectors.artifacts_for_run(run=run, artifact_types=[artifact_type]))
