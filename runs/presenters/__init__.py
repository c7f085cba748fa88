"""Rows → the JSON bodies of Skyvern's API (v1 runs, timeline, legacy tasks) and signed artifact links."""

from runs.presenters.legacy import (
    legacy_step,
    legacy_steps,
    legacy_task,
    legacy_task_request,
    legacy_task_response,
    task_v2_response,
)
from runs.presenters.links import artifact_uri, artifact_url, signature_is_valid
from runs.presenters.runs import (
    app_url,
    artifact_to_response,
    iso,
    new_run_to_response,
    run_list_items,
    run_to_response,
    run_to_response_cached,
    runs_to_response,
)
from runs.presenters.timeline import action_to_response, step_summary, thought_to_response
from runs.presenters.workflow_timeline import run_timeline as timeline

__all__ = [
    "action_to_response",
    "app_url",
    "artifact_to_response",
    "artifact_uri",
    "artifact_url",
    "iso",
    "legacy_step",
    "legacy_steps",
    "legacy_task",
    "legacy_task_request",
    "legacy_task_response",
    "run_list_items",
    "new_run_to_response",
    "run_to_response",
    "run_to_response_cached",
    "runs_to_response",
    "signature_is_valid",
    "step_summary",
    "task_v2_response",
    "thought_to_response",
    "timeline",
]
