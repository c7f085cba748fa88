"""The Sessions page: the organization's browser sessions, a live view of each, and a close button."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from runs.dashboard.access import member_required
from runs.exceptions import DomainError, NotFound
from runs.execution.sdk_actions import session_screenshot
from runs.models import BrowserSession, TaskRun
from runs.selectors.browser_sessions import browser_session_get, browser_sessions_open
from runs.services.browser_sessions import browser_session_close

RECENT_CLOSED = 10


def _session(request: HttpRequest, session_id: str) -> BrowserSession:
    try:
        return browser_session_get(organization=request.organization, session_id=session_id)
    except NotFound:
        raise Http404("No such browser session") from None


@member_required
def sessions_page(request: HttpRequest) -> HttpResponse:
    open_sessions = list(browser_sessions_open(organization=request.organization))
    closed = BrowserSession.objects.filter(organization=request.organization).exclude(
        pk__in=[s.pk for s in open_sessions]
    )[:RECENT_CLOSED]
    context = {"open_sessions": open_sessions, "closed_sessions": closed, "nav": "sessions"}
    return render(request, "runs/sessions.html", context)


@member_required
def session_detail(request: HttpRequest, session_id: str) -> HttpResponse:
    session = _session(request, session_id)
    runs = TaskRun.objects.filter(organization=request.organization, browser_session_id=session.session_id)
    context = {"session": session, "runs": runs.order_by("-created_at")[:50], "nav": "sessions"}
    return render(request, "runs/session_detail.html", context)


@member_required
def session_screenshot_view(request: HttpRequest, session_id: str) -> HttpResponse:
    """A JPEG of the session's current page, which static/js/session_live.js refreshes every few seconds."""
    session = _session(request, session_id)
    try:
        image = session_screenshot(session=session, timeout=10)
    except DomainError as exc:
        return HttpResponse(exc.message, status=409, content_type="text/plain")
    response = HttpResponse(image, content_type="image/jpeg")
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@member_required
def session_close_view(request: HttpRequest, session_id: str) -> HttpResponse:
    session = browser_session_close(session=_session(request, session_id))
    messages.success(request, f"Closed browser session {session.session_id}: its browser is stopping.")
    return redirect("runs:sessions")
