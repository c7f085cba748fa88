"""Live events: the only module that knows group names, sequence keys and event envelopes.

Real time flows one way: a row is committed, then its event is published. Each run has its own sequence
(a Redis counter), so a client that sees a gap knows to rebuild from the HTTP API. Frames carry no sequence:
they are disposable pictures, sent only while someone watches.

Two flavours of every publisher: plain functions for sync code (API views, Celery tasks, `on_commit`
callbacks) and `a`-prefixed coroutines for the worker's event loop, where `async_to_sync` must not be used.
Publishing never raises: a missing Redis must not fail a run or a request, only make it less live.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from runs.live.redis import aclient, aclose, client, key_prefix
from runs.models import TaskRun
from runs.presenters import run_to_response

log = logging.getLogger(__name__)

SEQ_TTL_SECONDS = 7 * 24 * 3600
# The consumers' handler for every forwarded event (Channels maps "run.event" to `run_event`).
FORWARD = "run.event"
# ... and for a revoked credential (`credential_revoked`): the socket closes.
REVOKED = "credential.revoked"

__all__ = ["aclose"]  # the worker closes its loop's client through here


# --- names ----------------------------------------------------------------------------------------


def run_group(run_id: str) -> str:
    return f"run.{run_id}"


def org_group(organization_id: str) -> str:
    return f"org.{organization_id}.runs"


def key_group(key_id: str) -> str:
    """Every socket opened with this API key: closed when the key is revoked."""
    return f"key.{key_id}"


def _seq_key(run_id: str) -> str:
    return f"{key_prefix()}:seq:{run_id}"


# --- payloads -------------------------------------------------------------------------------------


def _envelope(event_type: str, run_id: str, data: dict[str, Any], seq: int | None) -> str:
    event: dict[str, Any] = {"type": event_type, "run_id": run_id, "data": data}
    if seq is not None:
        event = {"seq": seq, **event}
    return json.dumps(event, separators=(",", ":"), default=str)


# --- sequence ------------------------------------------------------------------------------------


def _next_seq(run_id: str) -> int:
    pipe = client().pipeline()
    pipe.incr(_seq_key(run_id))
    pipe.expire(_seq_key(run_id), SEQ_TTL_SECONDS)
    return int(pipe.execute()[0])


async def _anext_seq(run_id: str) -> int:
    pipe = aclient().pipeline()
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
        body = run_to_response(run)
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


def _load(run_pk: int) -> TaskRun | None:
    return TaskRun.objects.select_related("organization").filter(pk=run_pk).first()


def run_created(run_pk: int) -> None:
    run = _load(run_pk)
    if run is None:
        return
    try:
        publish_list_change(run, run_to_response(run))
    except Exception:
        log.exception("could not publish the creation of run %s", run.run_id)


def run_status_changed(run_pk: int) -> None:
    """Called on commit of every status move: tell the run page and the runs list."""
    run = _load(run_pk)
    if run is not None:
        _publish_run(run)


def run_updated(run_pk: int) -> None:
    """The run's body changed without a status move (e.g. a canceled run got its recording)."""
    run = _load(run_pk)
    if run is not None:
        _publish_run(run)


def key_revoked(key_id: str) -> None:
    """Called on commit of a key's revocation: every socket opened with it closes."""
    try:
        async_to_sync(get_channel_layer().group_send)(key_group(key_id), {"type": REVOKED})
    except Exception:
        log.warning("could not tell the sockets of key %s that it was revoked", key_id, exc_info=True)
