"""Skyvern's task v2 routes under /api/v2: a run with the skyvern-2.0 engine, and one run in that shape."""

from django.http import HttpRequest, HttpResponse
from ninja import Header, Router

from runs import presenters
from runs.api.auth import request_organization, run_or_404
from runs.api.routing import note_ignored_fields, route
from runs.api.schemas import TaskV2Request, TaskV2Response
from runs.choices import RunEngine
from runs.exceptions import InvalidRunRequest
from runs.services import run_create
from runs.services.run_requests import normalise_run_request

router = Router(tags=["Legacy"])


@route(router, "POST", "/tasks", response=TaskV2Response, operation_id="run_task_v2_api_v2_tasks_post")
def run_task_v2(
    request: HttpRequest,
    response: HttpResponse,
    payload: TaskV2Request,
    max_iterations_override: int | str | None = Header(None, alias="x-max-iterations-override"),
    max_steps_override: int | str | None = Header(None, alias="x-max-steps-override"),
):
    """POST /v1/run/tasks with engine skyvern-2.0: `x-max-iterations-override` caps the planner's rounds and
    `x-max-steps-override` the browser steps, as on /v1/run/tasks."""
    note_ignored_fields(request, response, TaskV2Request)
    data = {
        "prompt": payload.user_prompt,
        "url": payload.url,
        "engine": RunEngine.SKYVERN_V2,
        "webhook_url": payload.webhook_callback_url,
        "totp_url": payload.totp_verification_url,
        "totp_identifier": payload.totp_identifier,
        "proxy_location": payload.proxy_location,
        "browser_session_id": payload.browser_session_id,
        "publish_workflow": payload.publish_workflow,
    }
    organization = request_organization(request)
    normalised = normalise_run_request(
        {name: value for name, value in data.items() if value is not None},
        organization=organization,
        max_steps_override=_header_int("x-max-steps-override", max_steps_override),
        max_iterations_override=_header_int("x-max-iterations-override", max_iterations_override),
    )
    run = run_create(organization=organization, request=normalised, api_key=request.auth)
    return presenters.task_v2_response(run)


def _header_int(name: str, value: int | str | None) -> int | None:
    """Skyvern's spec types these headers "integer or string"; a string must still hold a whole number."""
    if value is None or isinstance(value, int):
        return value
    try:
        return int(value.strip())
    except ValueError:
        raise InvalidRunRequest(f"{name} must be a whole number") from None


@route(
    router,
    "GET",
    "/tasks/{task_id}",
    response=TaskV2Response,
    operation_id="get_task_v2_api_v2_tasks__task_id__get",
)
def get_task_v2(request: HttpRequest, task_id: str):
    return presenters.task_v2_response(run_or_404(request, task_id))
