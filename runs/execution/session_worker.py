"""The browser worker's side of persistent sessions, hooked to Celery's worker signals (skyvern_site/celery.py).

On start a worker that consumes the browser queue also consumes its own (`browser.<hostname>`), and its main
process starts a heartbeat thread (runs.execution.browser_sessions.sessions_watch). On shutdown it closes the
sessions it holds.
"""

from __future__ import annotations

import logging
import threading

from django.conf import settings
from django.db import connections

from runs import dispatch

log = logging.getLogger(__name__)
_stop = threading.Event()


def _consumes_browser_queue(app) -> bool:
    return dispatch.BROWSER_QUEUE in app.amqp.queues.consume_from


def worker_ready(consumer) -> None:
    if not _consumes_browser_queue(consumer.app):
        return
    hostname = consumer.hostname
    consumer.add_task_queue(dispatch.worker_queue_name(hostname))
    threading.Thread(target=_heartbeat, args=(hostname,), name="session-heartbeat", daemon=True).start()


def _heartbeat(hostname: str) -> None:
    from runs.execution.browser_sessions import sessions_watch

    while not _stop.wait(settings.BROWSER_SESSION_HEARTBEAT_SECONDS):
        try:
            sessions_watch(hostname=hostname)
        except Exception:  # noqa: BLE001 - the next beat tries again (the database may be restarting)
            log.exception("browser session heartbeat failed")
        finally:
            connections.close_all()


def worker_shutdown(worker) -> None:
    if not _consumes_browser_queue(worker.app):
        return
    _stop.set()
    from runs.execution.browser_sessions import sessions_shutdown

    try:
        sessions_shutdown(hostname=worker.hostname)
    except Exception:  # noqa: BLE001 - a worker must still stop
        log.exception("could not close this worker's browser sessions")
