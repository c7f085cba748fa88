"""Database rows → the JSON bodies of Skyvern's API. Every function returns JSON-ready dicts, so the
WebSocket events (runs.live.events) can send exactly what GET /v1/runs/{id} answers.

Timestamps are ISO 8601 strings in the form Django's JSON encoder writes (UTC, millisecond precision,
"Z"), so a value looks the same whether it arrived over HTTP or over a socket.
"""

import threading
import time
from collections import OrderedDict
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder

from runs import selectors
from runs.models import Artifact, TaskRun
from runs.presenters.budget import page_within_bytes
from runs.presenters.links import artifact_uri, artifact_url

SCREENSHOT_URLS_LIMIT = 3
_encoder = DjangoJSONEncoder()
# GET /v1/runs/{id} is what clients poll. A run's body changes only with a write that moves its modified_at
# (storing an artifact moves it too), so each process keeps the latest bodies by (run, modified_at) and answers
# a poll of an unchanged run without reading its artifacts again. Entries live BODY_CACHE_SECONDS, far less than
# the life of their signed links (ARTIFACT_LINK_SECONDS, at least a minute).
BODY_CACHE_SECONDS = 30
BODY_CACHE_SIZE = 2048
_bodies: OrderedDict[int, tuple[datetime, float, dict[str, Any]]] = OrderedDict()
_bodies_lock = threading.Lock()


def iso(value: datetime | None) -> str | None:
    return _encoder.default(value) if value is not None else None


def app_url(run: TaskRun) -> str:
    return f"{settings.PUBLIC_BASE_URL}/runs/{run.run_id}"


def run_to_response(run: TaskRun) -> dict[str, Any]:
    """The TaskRunResponse body of GET /v1/runs/{run_id}."""
    return runs_to_response([run])[0]


def run_to_response_cached(run: TaskRun) -> dict[str, Any]:
    """run_to_response, from this process's cache while the run is unchanged (see BODY_CACHE_SECONDS)."""
    now = time.monotonic()
    with _bodies_lock:
        found = _bodies.get(run.pk)
    if found is not None and found[0] == run.modified_at and now - found[1] < BODY_CACHE_SECONDS:
        return found[2]
    body = run_to_response(run)
    with _bodies_lock:
        _bodies[run.pk] = (run.modified_at, now, body)
        _bodies.move_to_end(run.pk)
        while len(_bodies) > BODY_CACHE_SIZE:
            _bodies.popitem(last=False)
    return body


def new_run_to_response(run: TaskRun) -> dict[str, Any]:
    """run_to_response for a run this request has just created: it has no artifacts yet (only a worker makes
    them, after claiming it), so none are looked for."""
    return _run_body(run, selectors.RunMedia())


def runs_to_response(runs: list[TaskRun]) -> list[dict[str, Any]]:
    """run_to_response for a page of runs, with their artifacts read in two queries in all."""
    media = selectors.media_for_runs(run_pks=[run.pk for run in runs], screenshots=SCREENSHOT_URLS_LIMIT)
    return [_run_body(run, media[run.pk]) for run in runs]


def run_list_items(runs: list[TaskRun]) -> list[dict[str, Any]]:
    """GET /v1/runs: each run's whole body plus the fields of Skyvern's TaskRunListItem (what the SDK's
    get_runs_v2 parses), so clients of either shape read the same list; the page is bounded in bytes
    (runs.presenters.budget)."""
    return [
        body
        | {
            "task_run_id": body["run_id"],
            "task_run_type": body["run_type"],
            "workflow_permanent_id": body.get("workflow_permanent_id"),
            "workflow_deleted": None,
            "trigger_type": None,
        }
        for body in page_within_bytes(runs_to_response(runs), settings.SKYVERN_LIST_PAGE_BYTES)
    ]


def _run_body(run: TaskRun, media: selectors.RunMedia) -> dict[str, Any]:
    return {
        "run_id": run.run_id,
        "run_type": run.run_type,
        "status": run.status,
        "output": run.output,
        "downloaded_files": [_file_info(artifact) for artifact in media.downloads],
        "recording_url": artifact_url(media.recording) if media.recording else None,
        "screenshot_urls": [artifact_url(shot) for shot in media.screenshots],
        "failure_reason": run.failure_reason,
        "errors": errors_list(run.errors),
        "created_at": iso(run.created_at),
        "modified_at": iso(run.modified_at),
        "queued_at": iso(run.queued_at),
        "started_at": iso(run.started_at),
        "finished_at": iso(run.finished_at),
        "app_url": app_url(run),
        "browser_session_id": run.browser_session_id,
        "browser_profile_id": None,
        "max_screenshot_scrolls": (run.request or {}).get("max_screenshot_scrolls"),
        "script_run": None,
        "step_count": run.step_count,
        "run_request": run.request or None,
        # Not in Skyvern's schema; the dashboard shows them and SDK models accept extra fields.
        "title": run.title or None,
        "input_token_count": run.input_tokens,
        "output_token_count": run.output_tokens,
        "total_cost": run.total_cost,
        "workflow_permanent_id": (run.request or {}).get("workflow_permanent_id")
        or ((run.request or {}).get("workflow_id") if run.run_type == "workflow_run" else None),
    }


def _file_info(artifact: Artifact) -> dict[str, Any]:
    """FileInfo for a file the run downloaded (stored as an artifact of type "download")."""
    return {
        "url": artifact_url(artifact),
        "checksum": artifact.checksum or None,
        "filename": artifact.filename or None,
        "file_size": artifact.size,
        "modified_at": iso(artifact.modified_at),
        "artifact_id": artifact.artifact_id,
    }


def errors_list(errors: Any) -> list[dict[str, Any]]:
    """The run's errors as objects, whatever the worker stored (a bare string becomes {"message": ...})."""
    if not isinstance(errors, list):
        return []
    return [error if isinstance(error, dict) else {"message": str(error)} for error in errors]


def artifact_to_response(artifact: Artifact) -> dict[str, Any]:
    run = artifact.run
    return {
        "artifact_id": artifact.artifact_id,
        "artifact_type": artifact.artifact_type,
        "uri": artifact_uri(artifact),
        "signed_url": artifact_url(artifact),
        "organization_id": run.organization.organization_id,
        "run_id": run.run_id,
        "task_id": run.run_id,
        "step_id": artifact.step.step_id if artifact.step else None,
        "workflow_run_id": None,
        "workflow_run_block_id": None,
        "observer_cruise_id": None,
        "observer_thought_id": None,
        "ai_suggestion_id": None,
        "filename": artifact.filename or None,
        "content_type": artifact.content_type or None,
        "size": artifact.size,
        "checksum": artifact.checksum or None,
        "created_at": iso(artifact.created_at),
        "modified_at": iso(artifact.modified_at),
    }
