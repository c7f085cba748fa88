"""POST /v1/sdk/run_action: one page action on an open session, run by the worker that holds the session.

The API sends the action to the session's worker queue and waits for its answer on a Redis list
(`<prefix>skyvern:sdk-action:<id>`, BLPOP with SDK_ACTION_TIMEOUT_SECONDS): the Celery workers keep no
results. The action holds the session like a run does, so it never drives a page a run is driving.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import shutil
import uuid
from typing import Any

import redis
from django.conf import settings
from django.utils import timezone

from agent import LLMClient
from agent.browser.persistent import page_screenshot
from agent.page_actions import PageActionError, page_action
from runs import dispatch, selectors
from runs.choices import BrowserSessionStatus
from runs.exceptions import DomainError, IllegalTransition
from runs.execution.browser_sessions import local_cdp_url
from runs.execution.inputs import browser_for
from runs.execution.vision import llm_config_for
from runs.models import BrowserSession, TaskRun

log = logging.getLogger(__name__)
KEEP_ANSWER_SECONDS = 600
# The SDK's action types (RunSdkActionRequest.action.type) → what agent.page_actions runs.
KINDS = {"ai_act": "act", "extract": "extract", "validate": "validate", "prompt": "prompt"}
SCREENSHOT = "screenshot"  # the dashboard's, not the SDK's


class ActionTimedOut(DomainError):
    """The session's worker did not answer in time."""


def _key(action_id: str) -> str:
    prefix = (settings.CELERY_BROKER_TRANSPORT_OPTIONS or {}).get("global_keyprefix") or ""
    return f"{prefix}skyvern:sdk-action:{action_id}"


def _redis() -> redis.Redis:
    return redis.Redis.from_url(settings.REDIS_URL, socket_timeout=settings.SDK_ACTION_TIMEOUT_SECONDS + 10)


def session_screenshot(*, session: BrowserSession, timeout: float = 10) -> bytes:
    """A JPEG of the session's current page, taken by its worker (the dashboard's live view)."""
    return base64.b64decode(action_request(session=session, request={"type": SCREENSHOT}, timeout=timeout))


def action_request(*, session: BrowserSession, request: dict[str, Any], timeout: float | None = None) -> Any:
    """Send the action to the session's worker and wait for its result (the API's side)."""
    timeout = timeout or settings.SDK_ACTION_TIMEOUT_SECONDS
    if session.status != BrowserSessionStatus.RUNNING or not session.worker_queue:
        raise IllegalTransition(
            f"Browser session {session.session_id} is {session.status}; it cannot run actions"
        )
    action_id = uuid.uuid4().hex
    dispatch.browser_session_action(
        session_id=session.session_id, queue=session.worker_queue, action_id=action_id, request=request
    )
    client = _redis()
    try:
        answer = client.blpop([_key(action_id)], timeout=timeout)
    finally:
        client.close()
    if answer is None:
        raise ActionTimedOut(f"The action did not finish within {timeout:g} s")
    body = json.loads(answer[1])
    if body.get("error"):
        raise IllegalTransition(body["error"]) if body.get("busy") else DomainError(body["error"])
    return body.get("result")


def action_execute(*, session_id: str, action_id: str, request: dict[str, Any]) -> None:
    """Run the action here and push its answer (the worker's side)."""
    try:
        body = {"result": _run(session_id, action_id, request)}
    except _Busy as exc:
        body = {"error": str(exc), "busy": True}
    except (DomainError, PageActionError, ValueError) as exc:
        body = {"error": getattr(exc, "message", None) or str(exc)}
    except Exception as exc:  # noqa: BLE001 - the caller must hear of it, not wait for the timeout
        log.exception("sdk action on %s crashed", session_id)
        body = {"error": f"Internal error while running the action: {type(exc).__name__}"}
    client = _redis()
    try:
        client.rpush(_key(action_id), json.dumps(body, default=str))
        client.expire(_key(action_id), KEEP_ANSWER_SECONDS)
    finally:
        client.close()


class _Busy(Exception):
    pass


def _run(session_id: str, action_id: str, request: dict[str, Any]) -> Any:
    session = BrowserSession.objects.select_related("organization").get(session_id=session_id)
    if request.get("type") == SCREENSHOT:  # only looks: it needs no hold, and runs beside a run
        return base64.b64encode(page_screenshot(local_cdp_url(session.browser_address))).decode()
    holder = f"sdk_{action_id[:20]}"
    taken = BrowserSession.objects.filter(
        pk=session.pk, status=BrowserSessionStatus.RUNNING, runnable_id=""
    ).update(runnable_type="sdk_action", runnable_id=holder, modified_at=timezone.now())
    if not taken:
        raise _Busy(
            f"Browser session {session_id} is busy ({session.runnable_id or session.status}); try again"
        )
    try:
        return asyncio.run(_act(session, request))
    finally:
        BrowserSession.objects.filter(pk=session.pk, runnable_id=holder).update(
            runnable_type="", runnable_id=""
        )


async def _act(session: BrowserSession, request: dict[str, Any]) -> Any:
    from asgiref.sync import sync_to_async

    kind = KINDS[request["type"]]
    llm, browser = await sync_to_async(_inputs)(session, request)
    options = {
        "prompt": request.get("prompt") or request.get("intention") or "",
        "schema": request.get("extract_schema", request.get("response_schema", request.get("schema"))),
        "data": request.get("data"),
    }
    try:
        return await page_action(kind, llm=llm, browser=browser, **options)
    finally:
        shutil.rmtree(browser.run_dir, ignore_errors=True)


def _inputs(session: BrowserSession, request: dict[str, Any]):
    model = request.get("model") or {}
    name = model.get("model_name") if isinstance(model, dict) else None
    choice = selectors.model_resolve(name=name, organization=session.organization)
    # The browser config a run on this session would get (private hosts, work folder, CDP endpoint).
    stand_in = TaskRun(
        run_id=f"sdk_{session.session_id}",
        organization=session.organization,
        request={},
        browser_session_id=session.session_id,
    )
    return LLMClient(llm_config_for(choice)), browser_for(stand_in)
