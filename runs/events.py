"""Live events: the only module that knows group names, Redis keys and event payload shapes.

Real time flows one way: a row is committed, then its event is published. Each run has its own sequence
(a Redis counter), so a client that sees a gap knows to rebuild from the HTTP API. Frames carry no sequence:
they are disposable pictures, sent only while someone watches.

Two flavours of every publisher: plain functions for sync code (API views, Celery tasks, `on_commit`
callbacks) and `a`-prefixed coroutines for the worker's event loop, where `async_to_sync` must not be used.
Publishing never raises: a missing Redis must not fail a run or a request, only make it less live.
"""

from __future__ import annotations

import asyncio
import json
import logging
import weakref
from typing import Any

import redis
import redis.asyncio as aioredis
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings

log = logging.getLogger(__name__)

SEQ_TTL_SECONDS = 7 * 24 * 3600
VIEWERS_TTL_SECONDS = 6 * 3600
# The consumers' handler for every forwarded event (Channels maps "run.event" to `run_event`).
FORWARD = "run.event"

_sync_client: redis.Redis | None = None
_async_clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, aioredis.Redis] = (
    weakref.WeakKeyDictionary()
)


# --- names ----------------------------------------------------------------------------------------


def _prefix() -> str:
    return settings.CHANNEL_LAYERS["default"].get("CONFIG", {}).get("prefix", "skyvern")


def run_group(run_id: str) -> str:
    return f"run.{run_id}"


def org_group(organization_id: str) -> str:
    return f"org.{organization_id}.runs"


def _seq_key(run_id: str) -> str:
    return f"{_prefix()}:seq:{run_id}"


def _viewers_key(run_id: str) -> str:
    return f"{_prefix()}:viewers:{run_id}"


# --- payloads -------------------------------------------------------------------------------------


def _envelope(event_type: str, run_id: str, data: dict[str, Any], seq: int | None) -> str:
    event: dict[str, Any] = {"type": event_type, "run_id": run_id, "data": data}
    if seq is not None:
        event = {"seq": seq, **event}
    return json.dumps(event, separators=(",", ":"), default=str)


def _run_body(run) -> dict[str, Any]:
    from runs.presenters import run_to_response

    return run_to_response(run)


def step_payload(step, *, finished: bool) -> dict[str, Any]:
    data = {
        "step_id": step.step_id,
        "order": step.order,
        "retry_index": step.retry_index,
        "status": step.status,
    }
    if finished:
        data |= {
            "input_token_count": step.input_token_count,
            "output_token_count": step.output_token_count,
            "step_cost": step.step_cost,
        }
    return data


def action_payload(action, *, step, screenshot_url: str | None) -> dict[str, Any]:
    return {
        "action_id": action.action_id,
        "step_id": step.step_id,
        "step_order": step.order,
        "index": action.index,
        "action_type": action.action_type,
        "element_id": action.element_id or None,
        "reasoning": action.reasoning or None,
        "text": action.text,
        "option": action.option,
        "status": action.status,
        "result": action.result,
        "screenshot_url": screenshot_url,
    }


# --- redis helpers --------------------------------------------------------------------------------


def _redis() -> redis.Redis:
    global _sync_client
    if _sync_client is None:
        _sync_client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2)
    return _sync_client


def _aredis() -> aioredis.Redis:
    loop = asyncio.get_running_loop()
    client = _async_clients.get(loop)
    if client is None:
        client = aioredis.Redis.from_url(settings.REDIS_URL, socket_timeout=2)
        _async_clients[loop] = client
    return client


async def aclose() -> None:
    """Close this event loop's Redis client; the worker calls it before its loop ends."""
    client = _async_clients.pop(asyncio.get_running_loop(), None)
    if client is not None:
        await client.aclose()


def _next_seq(run_id: str) -> int:
    pipe = _redis().pipeline()
    pipe.incr(_seq_key(run_id))
    pipe.expire(_seq_key(run_id), SEQ_TTL_SECONDS)
    return int(pipe.execute()[0])


async def _anext_seq(run_id: str) -> int:
    pipe = _aredis().pipeline()
    pipe.incr(_seq_key(run_id))
    pipe.expire(_seq_key(run_id), SEQ_TTL_SECONDS)
    return int((await pipe.execute())[0])


# --- publishing -----------------------------------------------------------------------------------


def publish(run_id: str, event_type: str, data: dict[str, Any], *, group: str | None = None) -> None:
    """Send one sequenced event to the run's group (or `group`); logs instead of raising."""
    try:
        text = _envelope(event_type, run_id, data, _next_seq(run_id))
        async_to_sync(get_channel_layer().group_send)(
            group or run_group(run_id), {"type": FORWARD, "text": text}
        )
    except Exception:
        log.warning("could not publish %s for %s", event_type, run_id, exc_info=True)


async def apublish(run_id: str, event_type: str, data: dict[str, Any]) -> None:
    try:
        text = _envelope(event_type, run_id, data, await _anext_seq(run_id))
        await get_channel_layer().group_send(run_group(run_id), {"type": FORWARD, "text": text})
    except Exception:
        log.warning("could not publish %s for %s", event_type, run_id, exc_info=True)


async def apublish_frame(run_id: str, image_b64: str) -> None:
    text = _envelope("frame", run_id, {"image": image_b64}, None)
    try:
        await get_channel_layer().group_send(run_group(run_id), {"type": FORWARD, "text": text})
    except Exception:
        log.debug("could not publish a frame for %s", run_id, exc_info=True)


def _publish_run(run) -> None:
    try:
        body = _run_body(run)
    except Exception:
        log.exception("could not present run %s for its status event", run.run_id)
        return
    publish(run.run_id, "run.status", body)
    publish_list_change(run, body)


def publish_list_change(run, body: dict[str, Any]) -> None:
    # The list socket has no per-run order to keep, so its events carry no sequence.
    text = _envelope("run.changed", run.run_id, body, None)
    try:
        async_to_sync(get_channel_layer().group_send)(
            org_group(run.organization.organization_id), {"type": FORWARD, "text": text}
        )
    except Exception:
        log.warning("could not publish run.changed for %s", run.run_id, exc_info=True)


def _load(run_pk: int):
    from runs.models import TaskRun

    return TaskRun.objects.select_related("organization").filter(pk=run_pk).first()


def run_created(run_pk: int) -> None:
    run = _load(run_pk)
    if run is None:
        return
    try:
        publish_list_change(run, _run_body(run))
    except Exception:
        log.exception("could not publish the creation of run %s", run.run_id)


def run_status_changed(run_pk: int, status: str | None = None) -> None:
    """Called on commit of every status move (to `status`): tell the sockets, and deliver the webhook
    when the move ended the run. Two moves in one transaction both land here after commit, so the webhook
    decision uses the move's own status, not the run's current one (else it would be sent twice)."""
    from runs.choices import TERMINAL_STATUSES

    run = _load(run_pk)
    if run is None:
        return
    _publish_run(run)
    if (status or run.status) in TERMINAL_STATUSES and run.webhook_url:
        from runs.tasks import webhook_enqueue

        webhook_enqueue(run_pk)


def run_updated(run_pk: int) -> None:
    """The run's body changed without a status move (e.g. a canceled run got its recording)."""
    run = _load(run_pk)
    if run is not None:
        _publish_run(run)


# --- viewers (for the live screencast) -------------------------------------------------------------


async def aviewer_joined(run_id: str, channel_name: str) -> None:
    try:
        pipe = _aredis().pipeline()
        pipe.sadd(_viewers_key(run_id), channel_name)
        pipe.expire(_viewers_key(run_id), VIEWERS_TTL_SECONDS)
        await pipe.execute()
    except Exception:
        log.warning("could not count a viewer of %s", run_id, exc_info=True)


async def aviewer_left(run_id: str, channel_name: str) -> None:
    try:
        await _aredis().srem(_viewers_key(run_id), channel_name)
    except Exception:
        log.warning("could not uncount a viewer of %s", run_id, exc_info=True)


async def aviewer_count(run_id: str) -> int:
    try:
        return int(await _aredis().scard(_viewers_key(run_id)))
    except Exception:
        return 0
