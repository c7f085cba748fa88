"""The legacy spec's browser session routes (/api/v1/browser_sessions…): the /v1 operations under their old
paths. A body carries the legacy spec's `session_id` beside the /v1 fields (`browser_session_id`, `status`,
`browser_address`, …). The legacy POST has no body in the spec: without one it starts a session of the default
timeout (60 minutes) on a blank page; a /v1-style body (timeout, url, proxy_location, browser_profile_id) is
honoured."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router
from ninja.errors import HttpError, ValidationError
from pydantic import ValidationError as PydanticValidationError

from runs.api import browser_sessions as v1
from runs.api.routing import route

router = Router(tags=["Browser Sessions"])


def _legacy(body: dict[str, Any]) -> dict[str, Any]:
    return {"session_id": body["browser_session_id"], **body}


@route(
    router,
    "POST",
    "/browser_sessions",
    response=dict[str, Any],
    operation_id="create_browser_session_api_v1_browser_sessions_post",
)
def create_browser_session(request: HttpRequest, response: HttpResponse):
    """Start a persistent Chromium (as POST /v1/browser_sessions)."""
    return _legacy(v1.create_browser_session(request, response, _options(request)))


def _options(request: HttpRequest) -> v1.CreateBrowserSessionRequest:
    """The optional body: none (the legacy spec's form) means the defaults."""
    if not request.body.strip():
        return v1.CreateBrowserSessionRequest()
    if not request.body.lstrip().startswith(b"{"):
        raise HttpError(400, "The body must be a JSON object")
    try:
        return v1.CreateBrowserSessionRequest.model_validate_json(request.body)
    except PydanticValidationError as exc:
        errors = [{**error, "loc": ("body", *error["loc"])} for error in exc.errors(include_url=False)]
        raise ValidationError(errors) from exc


@route(
    router,
    "GET",
    "/browser_sessions",
    response=list[dict[str, Any]],
    operation_id="get_browser_sessions_api_v1_browser_sessions_get",
)
def get_browser_sessions(request: HttpRequest):
    """The organization's open sessions (starting or running), newest first."""
    return [_legacy(body) for body in v1.get_browser_sessions(request)]


@route(
    router,
    "GET",
    "/browser_sessions/{browser_session_id}",
    response=dict[str, Any],
    operation_id="get_browser_session_api_v1_browser_sessions__browser_session_id__get",
)
def get_browser_session(request: HttpRequest, browser_session_id: str):
    return _legacy(v1.get_browser_session(request, browser_session_id))


@route(
    router,
    "POST",
    "/browser_sessions/{session_id}/close",
    response=dict[str, Any],
    operation_id="close_browser_session_api_v1_browser_sessions__session_id__close_post",
)
def close_browser_session(request: HttpRequest, session_id: str):
    """Close the session (as POST /v1/browser_sessions/{id}/close); closing twice is fine."""
    return _legacy(v1.close_browser_session(request, session_id))
