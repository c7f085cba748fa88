"""Formatting for the dashboard templates."""

import json
from datetime import datetime, timedelta
from typing import Any

from django import template
from django.utils import timezone

from runs.choices import ACTIVE_STATUSES
from runs.presenters import artifact_url

register = template.Library()


@register.filter
def pretty_json(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=False, default=str)


@register.filter
def money(value: float | None) -> str:
    if not value:
        return "$0.00"
    return f"${value:.4f}" if value < 0.01 else f"${value:.2f}"


def _human(delta: timedelta) -> str:
    seconds = max(int(delta.total_seconds()), 0)
    if seconds < 60:
        return f"{seconds}s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}m {seconds:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h {minutes:02d}m"


@register.filter
def run_duration(run) -> str:
    """Time from start to finish, or so far when still running; a dash before the run starts."""
    if run.started_at is None:
        return "—"
    end: datetime = run.finished_at or timezone.now()
    suffix = "" if run.finished_at or run.status not in ACTIVE_STATUSES else " so far"
    return _human(end - run.started_at) + suffix


@register.filter
def artifact_link(artifact) -> str:
    return artifact_url(artifact) if artifact is not None else ""


@register.filter
def is_active(status: str) -> bool:
    return status in ACTIVE_STATUSES


@register.inclusion_tag("runs/_status_badge.html")
def status_badge(status: str) -> dict[str, str]:
    return {"status": status, "label": status.replace("_", " ")}


@register.simple_tag
def field_widget(field) -> str:
    """The widget with aria-describedby naming its help text, JSON status line and errors."""
    ids = []
    if field.help_text:
        ids.append(f"{field.auto_id}_helptext")
    if field.field.widget.attrs.get("data-json"):
        ids.append(f"{field.auto_id}_json_status")
    if field.errors:
        ids.append(f"{field.auto_id}_error")
    attrs = {"aria-describedby": " ".join(ids)} if ids else {}
    return field.as_widget(attrs=attrs)


@register.filter
def result_summary(result: Any) -> str:
    """One line a person can read for an action's result dict (mirrored in static/js/run_live.js)."""
    if not isinstance(result, dict):
        return "" if result is None else str(result)
    parts = []
    if "success" in result:
        parts.append("Succeeded" if result["success"] else "Failed")
    for key in ("exception_message", "error_message", "message", "error", "exception_type", "error_type"):
        if result.get(key):
            parts.append(str(result[key]))
            break
    if result.get("download_triggered"):
        parts.append("download started")
    if result.get("data") not in (None, "", {}, []):
        parts.append(json.dumps(result["data"], ensure_ascii=False, default=str)[:300])
    return " · ".join(parts)


@register.filter
def action_input(action) -> str:
    """What the action typed or chose, if anything."""
    if action.text:
        return action.text
    if action.option:
        option = action.option
        if isinstance(option, dict):
            return str(option.get("label") or option.get("value") or json.dumps(option))
        return str(option)
    return action.file_url or ""


# A step's diagnostic files, named for people (the raw type stays beside the name).
DIAGNOSTIC_LABELS = {
    "screenshot_llm": "Screenshot sent to the model",
    "visible_elements_tree": "Page elements",
    "html_scrape": "Page HTML",
    "llm_prompt": "Prompt",
    "llm_request": "Request to the model",
    "llm_response": "Model answer",
    "llm_response_parsed": "Model answer, parsed",
}


@register.filter
def diag_label(artifact_type: str) -> str:
    return DIAGNOSTIC_LABELS.get(artifact_type, artifact_type.replace("_", " ").capitalize())


@register.filter
def step_error(step_view) -> str:
    """A failed step's error, from its failed action (the step row keeps none of its own)."""
    if step_view.step.status != "failed":
        return ""
    for action in step_view.actions:
        if action.status == "failed":
            return result_summary(action.result) or "An action failed."
    return "The step failed before any action ran (see Diagnostics for the model's answer)."
