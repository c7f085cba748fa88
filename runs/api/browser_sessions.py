"""/v1 browser sessions (`pbs_…`) and browser profiles (`bp_…`).

POST /v1/browser_sessions answers once the browser has started (up to BROWSER_SESSION_START_WAIT_SECONDS;
after that with status "created": poll GET until it is "running"). With no browser worker online it answers
"created" at once rather than hold the request for nothing.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from runs import dispatch
from runs.api.auth import request_organization
from runs.api.routing import note_ignored_fields, route
from runs.exceptions import InvalidRunRequest
from runs.presenters.browser_sessions import profile_to_response, session_to_response
from runs.selectors import browser_sessions as read
from runs.services import browser_profiles as profiles
from runs.services import browser_sessions as sessions
from runs.services.egress import url_refusal
from runs.services.proxies import proxy_location_check

router = Router(tags=["Browser Sessions"])
START_POLL_SECONDS = 0.2


class CreateBrowserSessionRequest(Schema):
    url: str | None = Field(None, description="The page the browser opens first")
    timeout: int | None = Field(60, ge=sessions.TIMEOUT_MIN, le=sessions.TIMEOUT_MAX, description="Minutes")
    proxy_location: str | None = None
    browser_profile_id: str | None = Field(None, description="A profile (bp_…) the browser starts from")


class ExtendBrowserSessionRequest(Schema):
    additional_minutes: int = Field(ge=1, le=sessions.TIMEOUT_MAX)


class CreateBrowserProfileRequest(Schema):
    name: str
    description: str | None = None
    browser_session_id: str | None = None
    workflow_run_id: str | None = None


class ProfileListQuery(Schema):
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(20, ge=1, le=100)
    include_deleted: bool = False
    search_key: str | None = Field(None, max_length=500, pattern=r"^[^\x00]*$")


def _start_url(url: str | None) -> str | None:
    url = (url or "").strip()
    if not url:
        return None
    if "://" not in url:
        url = f"https://{url}"
    reason = url_refusal(url)
    if reason:
        raise InvalidRunRequest(f"url refused: {reason}")
    return url


@route(
    router,
    "POST",
    "/browser_sessions",
    response=dict[str, Any],
    operation_id="create_browser_session_v1_browser_sessions_post",
)
def create_browser_session(
    request: HttpRequest, response: HttpResponse, payload: CreateBrowserSessionRequest
):
    """Start a persistent Chromium; it lives until closed or until its timeout (minutes) passes."""
    if request.body and not request.body.lstrip().startswith(b"{"):
        raise HttpError(400, "The body must be a JSON object")
    note_ignored_fields(request, response, CreateBrowserSessionRequest)
    organization = request_organization(request)
    proxy_location_check(payload.proxy_location)
    profile = None
    if payload.browser_profile_id:
        profile = read.browser_profile_get(organization=organization, profile_id=payload.browser_profile_id)
    session = sessions.browser_session_create(
        organization=organization,
        url=_start_url(payload.url),
        timeout_minutes=payload.timeout or 60,
        proxy_location=payload.proxy_location,
        browser_profile=profile,
    )
    wait = settings.BROWSER_SESSION_START_WAIT_SECONDS if dispatch.browser_workers_online() != 0 else 0
    deadline = time.monotonic() + wait
    while session.status == "created" and time.monotonic() < deadline:
        time.sleep(START_POLL_SECONDS)
        session.refresh_from_db()
    return session_to_response(session)


@route(
    router,
    "GET",
    "/browser_sessions",
    response=list[dict[str, Any]],
    operation_id="get_browser_sessions_v1_browser_sessions_get",
)
def get_browser_sessions(request: HttpRequest):
    """The organization's open sessions (starting or running), newest first."""
    found = read.browser_sessions_open(organization=request_organization(request))
    return [session_to_response(session) for session in found]


@route(
    router,
    "GET",
    "/browser_sessions/{browser_session_id}",
    response=dict[str, Any],
    operation_id="get_browser_session_v1_browser_sessions__browser_session_id__get",
)
def get_browser_session(request: HttpRequest, browser_session_id: str):
    organization = request_organization(request)
    return session_to_response(
        read.browser_session_get(organization=organization, session_id=browser_session_id)
    )


@route(
    router,
    "POST",
    "/browser_sessions/{browser_session_id}/close",
    response=dict[str, Any],
    operation_id="close_browser_session_v1_browser_sessions__browser_session_id__close_post",
)
def close_browser_session(request: HttpRequest, browser_session_id: str):
    """Close the session: its browser stops and its profile and downloads are kept. Closing twice is fine."""
    organization = request_organization(request)
    session = read.browser_session_get(organization=organization, session_id=browser_session_id)
    return session_to_response(sessions.browser_session_close(session=session))


@route(
    router,
    "POST",
    "/browser_sessions/{browser_session_id}/extend",
    response=dict[str, Any],
    operation_id="extend_browser_session_v1_browser_sessions__browser_session_id__extend_post",
)
def extend_browser_session(
    request: HttpRequest, browser_session_id: str, payload: ExtendBrowserSessionRequest
):
    organization = request_organization(request)
    session = read.browser_session_get(organization=organization, session_id=browser_session_id)
    return session_to_response(
        sessions.browser_session_extend(session=session, minutes=payload.additional_minutes)
    )


@route(
    router,
    "POST",
    "/browser_profiles",
    response=dict[str, Any],
    operation_id="create_browser_profile_v1_browser_profiles_post",
)
def create_browser_profile(request: HttpRequest, payload: CreateBrowserProfileRequest):
    """A profile from a closed session: its cookies and storage, for new sessions to start logged in."""
    profile = profiles.browser_profile_create(organization=request_organization(request), **payload.dict())
    return profile_to_response(profile)


@route(
    router,
    "GET",
    "/browser_profiles",
    response=list[dict[str, Any]],
    operation_id="list_browser_profiles_v1_browser_profiles_get",
)
def list_browser_profiles(request: HttpRequest, query: Query[ProfileListQuery]):
    found = read.browser_profiles_list(
        organization=request_organization(request),
        search=query.search_key,
        include_deleted=query.include_deleted,
    )
    start = (query.page - 1) * query.page_size
    return [profile_to_response(profile) for profile in found[start : start + query.page_size]]


@route(
    router,
    "GET",
    "/browser_profiles/{profile_id}",
    response=dict[str, Any],
    operation_id="get_browser_profile_v1_browser_profiles__profile_id__get",
)
def get_browser_profile(request: HttpRequest, profile_id: str):
    organization = request_organization(request)
    return profile_to_response(read.browser_profile_get(organization=organization, profile_id=profile_id))


@route(
    router,
    "DELETE",
    "/browser_profiles/{profile_id}",
    response={204: None},
    operation_id="delete_browser_profile_v1_browser_profiles__profile_id__delete",
)
def delete_browser_profile(request: HttpRequest, profile_id: str):
    profile = read.browser_profile_get(organization=request_organization(request), profile_id=profile_id)
    profiles.browser_profile_delete(profile=profile)
    return 204, None
