"""Live events: the only module that knows group names, sequence keys and event envelopes.

Real time flows one way: a row is committed, then its event is published. Each run has its own sequence
(a Redis counter), so a client that sees a gap knows to rebuild from the HTTP API. The counter never goes
back, even when Redis restarts empty: a missing counter starts at the run's age in milliseconds (read from
its id, which holds its creation time), which is above any number it handed out before (a run publishes
far less than one event a millisecond), so clients see a gap and rebuild instead of taking new events for
ones they have seen. Frames carry no sequence: they are disposable pictures, sent only while someone watches.

Two flavours of every publisher: plain functions for sync code (API views, Celery tasks, `on_commit`
callbacks) and `a`-prefixed coroutines for the worker's event loop, where `async_to_sync` must not be used.
Publishing never raises: a missing Redis must not fail a run or a request, only make it less live. After a
failure to reach Redis this process skips publishing for PAUSE_SECONDS, so an outage costs one request one
short wait instead of every publish of every request.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any

import redis
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from runs.ids import id_time_ms
from runs.live.redis import aclient, aclose, client, key_prefix
from runs.models import TaskRun
from runs.presenters import new_run_to_response, run_to_response

log = logging.getLogger(__name__)

SEQ_TTL_SECONDS = 7 * 24 * 3600
PAUSE_SECONDS = 2.0
# KEYS[1] = the run's counter; ARGV[1] = where a missing counter starts; ARGV[2] = its lifetime.
NEXT_SEQ = """
if redis.call('EXISTS', KEYS[1]) == 0 then redis.call('SET', KEYS[1], ARGV[1]) end
local n = redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], ARGV[2])
return n
"""
_paused_until = 0.0
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


def _seq_floor(run_id: str) -> int:
    made = id_time_ms(run_id)
    return max(0, int(time.time() * 1000) - made) if made else 0


def _next_seq(run_id: str) -> int:
    script = client().register_script(NEXT_SEQ)
    return int(script(keys=[_seq_key(run_id)], args=[_seq_floor(run_id), SEQ_TTL_SECONDS]))


async def _anext_seq(run_id: str) -> int:
    script = aclient().register_script(NEXT_SEQ)
    return int(await script(keys=[_seq_key(run_id)], args=[_seq_floor(run_id), SEQ_TTL_SECONDS]))


def _paused() -> bool:
    return time.monotonic() < _paused_until


def _failed(what: str, run_id: str, exc: Exception) -> None:
    """Log a failed publish; when Redis could not be reached, pause publishing for a moment (see the module's
    docstring)."""
    global _paused_until
    if isinstance(exc, redis.ConnectionError | redis.TimeoutError | OSError):
        _paused_until = time.monotonic() + PAUSE_SECONDS
        log.warning(
            "could not publish %s for %s (%s); pausing live events for %s s", what, run_id, exc, PAUSE_SECONDS
        )
    else:
        log.warning("could not publish %s for %s", what, run_id, exc_info=True)


# --- publishing -----------------------------------------------------------------------------------


def publish(run_id: str, event_type: str, data: dict[str, Any], *, group: str | None = None) -> None:
    """Send one sequenced event to the run's group (or `group`); logs instead of raising."""
    if _paused():
        return
    try:
        text = _envelope(event_type, run_id, data, _next_seq(run_id))
        async_to_sync(get_channel_layer().group_send)(
            group or run_group(run_id), {"type": FORWARD, "text": text}
        )
    except Exception as exc:
        _failed(event_type, run_id, exc)


async def apublish(run_id: str, event_type: str, data: dict[str, Any]) -> None:
    if _paused():
        return
    try:
        text = _envelope(event_type, run_id, data, await _anext_seq(run_id))
        await get_channel_layer().group_send(run_group(run_id), {"type": FORWARD, "text": text})
    except Exception as exc:
        _failed(event_type, run_id, exc)


async def apublish_frame(run_id: str, image_b64: str) -> None:
    if _paused():
        return
    text = _envelope("frame", run_id, {"image": image_b64}, None)
    try:
        await get_channel_layer().group_send(run_group(run_id), {"type": FORWARD, "text": text})
    except Exception:
        log.debug("could not publish a frame for %s", run_id, exc_info=True)


def _publish_run(run, *, new: bool = False) -> None:
    try:
        body = new_run_to_response(run) if new else run_to_response(run)
    except Exception:
        log.exception("could not present run %s for its status event", run.run_id)
        return
    publish(run.run_id, "run.status", body)
    publish_list_change(run, body)


def publish_list_change(run, body: dict[str, Any]) -> None:
    # The list socket has no per-run order to keep, so its events carry no sequence.
    if _paused():
        return
    text = _envelope("run.changed", run.run_id, body, None)
    try:
        async_to_sync(get_channel_layer().group_send)(
            org_group(run.organization.organization_id), {"type": FORWARD, "text": text}
        )
    except Exception as exc:
        _failed("run.changed", run.run_id, exc)


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


def run_status_changed(run_pk: int, *, run: TaskRun | None = None) -> None:
    """Called on commit of every status move: tell the run page and the runs list. `run`, when given, is the
    committed row already in memory (a run just created and queued), so it is not read again."""
    new = run is not None
    run = run or _load(run_pk)
    if run is not None:
        _publish_run(run, new=new)


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
