"""The only module that talks to the task broker. Tasks are sent by name, so nothing that queues work
imports the Celery tasks (and through them the worker's code).

The database is the source of truth for what must run: a run is committed as `queued`, then sent here.
Sending raises when the broker is unreachable (after a short retry, so a request is never held for long);
the run stays queued and the periodic sweep (services.runs_redispatch) sends it again, once
`runs_waiting` shows the broker holds no message for it. Two messages for one run are harmless: the
worker's claim is a conditional UPDATE, so the second finds the run taken and skips it.
With CELERY_TASK_ALWAYS_EAGER (tests, or a set-up without a broker) the task runs here and now.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

import redis
from celery import current_app
from django.core.cache import cache

# Browser runs (minutes each) and small tasks (webhooks, the sweep, the reaper: seconds) have their own
# queues and their own worker processes, so a webhook never waits behind browser runs.
BROWSER_QUEUE = "browser"
SMALL_QUEUE = "small"
EXECUTE_RUN = "runs.tasks.execute_run"
SEND_WEBHOOK = "runs.tasks.send_webhook"
# Each execute message names its run in this header, so the sweep can tell which runs the broker holds.
RUN_HEADER = "skyvern_run_id"
# A broker that is down costs a request at most about half a second; the sweep retries later.
PUBLISH_RETRY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.3}


def _send(name: str, args: list, **options) -> None:
    app = current_app
    if app.conf.task_always_eager:
        app.tasks[name].apply(args=args)
    else:
        app.send_task(name, args=args, retry=True, retry_policy=PUBLISH_RETRY, **options)


def run_execute(*, run_id: str, queue: str | None = None, countdown: float | None = None) -> None:
    """Queue a browser run for the browser workers, or for one worker's own queue (`queue`: a run on a
    persistent browser session goes to the worker that holds the session, see worker_queue_name)."""
    options = {"countdown": countdown} if countdown else {}
    _send(EXECUTE_RUN, [run_id], queue=queue or BROWSER_QUEUE, headers={RUN_HEADER: run_id}, **options)


# Persistent browser sessions: started by any browser worker, then pinned to it through its own queue.
SESSION_START = "runs.tasks.browser_session_start"
SESSION_CLOSE = "runs.tasks.browser_session_close"
SESSION_ACTION = "runs.tasks.browser_session_action"
WORKER_QUEUE_PREFIX = BROWSER_QUEUE + "."


def worker_queue_name(hostname: str) -> str:
    """The queue only the browser worker named `hostname` consumes (added when it starts)."""
    return WORKER_QUEUE_PREFIX + hostname


def browser_session_start(*, session_id: str) -> None:
    _send(SESSION_START, [session_id], queue=BROWSER_QUEUE)


def browser_session_close(*, session_id: str, queue: str) -> None:
    _send(SESSION_CLOSE, [session_id], queue=queue)


def browser_session_action(*, session_id: str, queue: str, action_id: str, request: dict) -> None:
    _send(SESSION_ACTION, [session_id, action_id, request], queue=queue)


def webhook_send(*, run_pk: int) -> None:
    """Queue the delivery of a finished run's webhook for the small-task workers."""
    _send(SEND_WEBHOOK, [run_pk], queue=SMALL_QUEUE)


# Workers are asked at most once per WORKERS_CACHE_SECONDS per process; pages poll the answer.
WORKERS_CACHE_KEY = "skyvern:browser-workers-online"
WORKERS_CACHE_SECONDS = 5
WORKERS_REPLY_SECONDS = 0.5


def browser_workers_online() -> int | None:
    """How many live workers consume the browser queue: those answering a broadcast within half a second
    (a worker busy with runs still answers; its main process does). Cached a few seconds. None when runs
    execute inline (CELERY_TASK_ALWAYS_EAGER) or the broker cannot be asked."""
    app = current_app
    if app.conf.task_always_eager:
        return None
    cached = cache.get(WORKERS_CACHE_KEY)
    if cached is not None:
        return cached
    try:
        replies = app.control.inspect(timeout=WORKERS_REPLY_SECONDS).active_queues() or {}
    except Exception:  # noqa: BLE001 - a broker that is down means "cannot tell", never an error page
        return None
    online = sum(
        1 for queues in replies.values() if any(q.get("name") == BROWSER_QUEUE for q in queues or [])
    )
    cache.set(WORKERS_CACHE_KEY, online, WORKERS_CACHE_SECONDS)
    return online


def _run_id_of(raw: bytes) -> str | None:
    try:
        message = json.loads(raw)
        if isinstance(message, list):  # an unacked entry: [message, exchange, routing key]
            message = message[0]
        return message.get("headers", {}).get(RUN_HEADER)
    except (ValueError, AttributeError, IndexError, TypeError):
        return None


def runs_waiting(*, run_ids: Iterable[str], queues: Iterable[str] = ()) -> set[str] | None:
    """Of `run_ids`, those the broker holds an execute message for: waiting in the browser queue, or taken
    by a worker that has not started it yet. None when the broker is not Redis (it cannot be asked).

    Reads the Redis transport's own keys (the queue list and the `unacked` hash, under the deployment's
    key prefix). Raises redis errors when the broker is unreachable.
    """
    url = current_app.conf.broker_url or ""
    if not url.startswith(("redis://", "rediss://", "unix://")):
        return None
    prefix = (current_app.conf.broker_transport_options or {}).get("global_keyprefix") or ""
    wanted = set(run_ids)
    client = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=2)
    try:
        pipe = client.pipeline(transaction=False)
        for queue in [BROWSER_QUEUE, *sorted(set(queues) - {BROWSER_QUEUE})]:  # workers' own queues too
            pipe.lrange(prefix + queue, 0, -1)
        pipe.hvals(prefix + "unacked")
        *lists, unacked = pipe.execute()
    finally:
        client.close()
    held = {_run_id_of(raw) for raw in [*(raw for queued in lists for raw in queued), *unacked]}
    return wanted & held
