"""The Discover page's model banner: the latest check of every configured model and engine, as celery beat
(runs.tasks.check_models) or `manage.py check_llm` stored it. Pages only read it, so showing the banner never
calls a model; static/js/llm_status.js reloads it every minute."""

from datetime import UTC, datetime

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from runs.execution.llm_checks import checks_latest


def llm_status_context() -> dict:
    """What templates/runs/_llm_status.html shows."""
    latest = checks_latest() or {}
    results = latest.get("results", [])
    checked_at = latest.get("checked_at")
    return {
        "llm_checked_at": datetime.fromtimestamp(checked_at, tz=UTC) if checked_at else None,
        "llm_results": results,
        "llm_failed": [result for result in results if not result["ok"]],
        "llm_skipped": latest.get("skipped", []),
        "llm_check_minutes": max(1, round(settings.SKYVERN_LLM_CHECK_SECONDS / 60)),
    }


@login_required
def llm_status(request: HttpRequest) -> HttpResponse:
    return render(request, "runs/_llm_status.html", llm_status_context())
