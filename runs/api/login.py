"""POST /v1/run/tasks/login: a task run that logs in with a stored credential (Skyvern's `login`)."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, Header, Router, Schema

from runs import presenters
from runs.api.auth import request_organization
from runs.api.routing import note_ignored_fields, route
from runs.api.schemas import TaskRunResponse
from runs.exceptions import InvalidRunRequest
from runs.selectors.credentials import credential_get_for_org
from runs.services import run_create
from runs.services.login import login_run_request
from runs.services.run_requests import normalise_run_request

router = Router(tags=["Agent"])


class LoginRequest(Schema):
    credential_type: str = Field(description='Only "skyvern" (a credential stored here) is supported')
    credential_id: str | None = Field(
        default=None, description="The stored credential (cred_…) to log in with"
    )
    url: str | None = None
    prompt: str | None = Field(default=None, description="Login instructions; a default one when omitted")
    webhook_url: str | None = None
    proxy_location: Any = None
    totp_identifier: str | None = None
    totp_url: str | None = None
    browser_session_id: str | None = None
    browser_profile_id: str | None = None
    browser_address: str | None = None
    extra_http_headers: dict[str, str | None] | None = None
    max_screenshot_scrolling_times: int | None = None


@route(
    router, "POST", "/run/tasks/login", response=TaskRunResponse, operation_id="login_v1_run_tasks_login_post"
)
def login(
    request: HttpRequest,
    response: HttpResponse,
    payload: LoginRequest,
    user_agent: str | None = Header(None, alias="x-user-agent"),
):
    """Start a run that logs into `url` with the stored credential; answers with the run, `queued`."""
    note_ignored_fields(request, response, LoginRequest)
    if payload.credential_type.strip().lower() != "skyvern":
        raise InvalidRunRequest(
            f'credential_type {payload.credential_type!r} is not supported: use "skyvern" with a credential_id'
        )
    if not payload.credential_id:
        raise InvalidRunRequest("credential_id is required")
    organization = request_organization(request)
    credential = credential_get_for_org(organization=organization, credential_id=payload.credential_id)
    data = login_run_request(payload.model_dump(exclude_unset=True), credential=credential)
    if user_agent and not data.get("user_agent"):
        data["user_agent"] = user_agent
    normalised = normalise_run_request(data, organization=organization)
    run = run_create(organization=organization, request=normalised, api_key=request.auth)
    # The spec answers a WorkflowRunResponse, whose run_request is a workflow's (the SDK requires its
    # workflow_id): a login here is a task run, so its request is read with GET /v1/runs/{run_id}.
    return presenters.new_run_to_response(run) | {"run_request": None}
