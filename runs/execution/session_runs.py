"""Runs on a persistent browser session: who may drive it now, and the browser they drive.

A run on a session reaches the worker holding it (its queue). Before claiming the run, the worker takes the
session's hold (runs.services.browser_sessions.browser_session_hold): when another run drives the session the
run is sent back to that queue with a short countdown, so it waits its turn and two runs never drive one page.
A run that reached another worker (sent before the session had started) is forwarded to the right queue.
"""

from __future__ import annotations

from django.conf import settings

from agent import BrowserConfig
from runs import dispatch
from runs.exceptions import RunSetupError
from runs.execution.browser_sessions import local_cdp_url
from runs.models import BrowserSession, TaskRun
from runs.services import browser_sessions as sessions
from runs.services.egress import allowed_private_hosts

BUSY_RETRY_SECONDS = 1.0


def session_gate(*, run_id: str, hostname: str) -> bool:
    """True when the run may be claimed here now; False when it was sent to wait (or to its worker)."""
    row = TaskRun.objects.filter(run_id=run_id).values_list("browser_session_id", "status").first()
    if row is None or not row[0] or row[1] != "queued":
        return True
    session = BrowserSession.objects.filter(session_id=row[0]).first()
    if session is None:
        return True  # the runner fails it with the reason
    mine = dispatch.worker_queue_name(hostname)
    if session.worker_queue and session.worker_queue != mine:
        dispatch.run_execute(run_id=run_id, queue=session.worker_queue)
        return False
    if sessions.browser_session_hold(session_id=session.session_id, run_id=run_id) == "busy":
        dispatch.run_execute(run_id=run_id, queue=session.worker_queue or None, countdown=BUSY_RETRY_SECONDS)
        return False
    return True


def session_release(*, run_id: str) -> None:
    """Let go of the session this run held, if any (the run ended, or was not claimed after all)."""
    BrowserSession.objects.filter(runnable_id=run_id).update(runnable_type="", runnable_id="")


def session_browser(run: TaskRun, base: BrowserConfig) -> BrowserConfig:
    """The run's browser config on its session's browser: connect to it and leave it open at the end."""
    session = BrowserSession.objects.filter(session_id=run.browser_session_id).first()
    if session is None or session.status != "running" or not session.browser_address:
        state = session.status if session else "gone"
        why = f" ({session.close_reason})" if session is not None and session.close_reason else ""
        raise RunSetupError(
            f"Browser session {run.browser_session_id} is {state}{why}: it cannot run this task"
        )
    return base.model_copy(
        update={
            "session_cdp_url": local_cdp_url(session.browser_address),
            "browser_address": None,
            "own_browser": None,
            "record_video": False,  # the context exists already: its recording cannot be switched on
            "allow_private_hosts": allowed_private_hosts(),
            "run_dir": settings.RUNS_WORK_DIR / run.run_id,
        }
    )
