"""The Discover page's model banner: the latest check of every configured model and engine, refreshed by
the page every SKYVERN_LLM_CHECK_SECONDS (static/js/llm_status.js). Async: a check waits on the models for
seconds, which must not hold one of the server's threads."""

import time
from datetime import UTC, datetime

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from runs.execution.llm_checks import checks_cached, checks_fresh


def llm_status_context(checked: tuple | None) -> dict:
    """What templates/runs/_llm_status.html shows for `checked` (checks_cached() or checks_fresh())."""
    at, results = checked if checked is not None else (None, [])
    return {
        "llm_checked_at": datetime.fromtimestamp(at, tz=UTC) if at is not None else None,
        "llm_results": results,
        "llm_failed": [result for result in results if not result.ok],
        "llm_check_seconds": settings.SKYVERN_LLM_CHECK_SECONDS,
        "llm_stale": at is None or time.time() - at > settings.SKYVERN_LLM_CHECK_SECONDS,
    }


def llm_status_initial() -> dict:
    """The banner as the page is first drawn: the latest results this process has, without calling a model."""
    return llm_status_context(checks_cached())


async def llm_status(request: HttpRequest) -> HttpResponse:
    user = await request.auser()
    if not user.is_authenticated:
        return HttpResponse("Log in first", status=403, content_type="text/plain")
    return render(request, "runs/_llm_status.html", llm_status_context(await checks_fresh()))
