"""POST /v1/sdk/run_action: the SDK's page helpers (ai_act, extract, validate, prompt) on an open session."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.errors import HttpError

from runs.api.auth import request_organization
from runs.api.routing import route
from runs.exceptions import InvalidRunRequest
from runs.execution.sdk_actions import KINDS, ActionTimedOut, action_request
from runs.selectors.browser_sessions import browser_session_get

router = Router(tags=["SDK"])


class RunSdkActionRequest(Schema):
    url: str | None = None
    browser_session_id: str | None = None
    browser_address: str | None = None
    workflow_run_id: str | None = None
    action: dict[str, Any] = Field(description='{"type": "ai_act" | "extract" | "validate" | "prompt", ...}')


@route(
    router,
    "POST",
    "/sdk/run_action",
    response=dict[str, Any],
    operation_id="run_sdk_action_v1_sdk_run_action_post",
)
def run_sdk_action(request: HttpRequest, payload: RunSdkActionRequest):
    """Run one action on the session's current page (prompt needs no page) and answer its result."""
    kind = payload.action.get("type")
    if kind not in KINDS:
        raise InvalidRunRequest(
            f"action type {kind!r} is not supported by this server; use one of: {', '.join(KINDS)}"
        )
    if not payload.browser_session_id:
        raise InvalidRunRequest(
            "browser_session_id is required: this server runs page actions in its browser sessions"
        )
    session = browser_session_get(
        organization=request_organization(request), session_id=payload.browser_session_id
    )
    try:
        result = action_request(session=session, request=payload.action)
    except ActionTimedOut as exc:
        raise HttpError(504, exc.message) from None
    return {"workflow_run_id": payload.workflow_run_id or f"wr_{session.session_id}", "result": result}
