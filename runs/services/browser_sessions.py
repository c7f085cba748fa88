"""Persistent browser sessions (`pbs_…`): their life in the database, and who holds them.

created ──> running ──> completed | failed | timed_out      (created ──> failed when the browser cannot start)

Every move is a conditional UPDATE on the status read, like runs (runs.services.runs), so a close racing the
reaper or a dying worker ends the session once. The browser itself lives on the worker that started it
(runs.execution.browser_sessions); that worker's own queue (`worker_queue`) is how runs, page actions and
the close reach it. A run holds the session (`runnable_id`) while it drives it: a second run finds it busy
and waits in that queue (runs.tasks.execute_run re-queues it), so two runs never drive one page.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from runs import dispatch
from runs.choices import SESSION_OPEN_STATUSES, BrowserSessionStatus
from runs.exceptions import IllegalTransition, InvalidRunRequest, NotFound
from runs.models import BrowserProfile, BrowserSession, Organization, TaskRun

log = logging.getLogger(__name__)
TIMEOUT_MIN, TIMEOUT_MAX = 5, 1440
CLOSED = "closed"  # a session's hold answer when it cannot be used any more


@transaction.atomic
def browser_session_create(
    *,
    organization: Organization,
    url: str | None = None,
    timeout_minutes: int = 60,
    proxy_location: str | None = None,
    browser_profile: BrowserProfile | None = None,
) -> BrowserSession:
    """Store the session as `created`; any browser worker starts it once the transaction commits."""
    session = BrowserSession.objects.create(
        organization=organization,
        url=url or "",
        timeout_minutes=timeout_minutes,
        proxy_location=proxy_location or "",
        browser_profile=browser_profile,
    )
    session_id = session.session_id
    transaction.on_commit(lambda: _send_start(session_id))
    return session


def _send_start(session_id: str) -> None:
    try:
        dispatch.browser_session_start(session_id=session_id)
    except Exception as exc:  # noqa: BLE001 - the broker is down: say so on the session
        log.warning("could not send browser session %s to the workers: %s", session_id, exc)
        browser_session_end(
            session_id=session_id,
            status=BrowserSessionStatus.FAILED,
            reason="The browser workers could not be reached; start a new session",
        )


def browser_session_started(*, session_id: str, **fields: Any) -> bool:
    """created → running with where the browser lives (pid, browser_address, worker_queue...)."""
    now = timezone.now()
    session = BrowserSession.objects.filter(session_id=session_id).first()
    if session is None:
        return False
    expires = now + timedelta(minutes=session.timeout_minutes)
    values = {"status": BrowserSessionStatus.RUNNING, "started_at": now, "heartbeat_at": now}
    values.update(expires_at=expires, modified_at=now, **fields)
    moved = BrowserSession.objects.filter(pk=session.pk, status=BrowserSessionStatus.CREATED)
    return moved.update(**values) == 1


def browser_session_end(*, session_id: str, status: str, reason: str = "", **fields: Any) -> bool:
    """An open session → `status` (completed, failed, timed_out); False when it had ended already."""
    now = timezone.now()
    values = {"status": status, "completed_at": now, "modified_at": now, "close_reason": reason, **fields}
    still_open = BrowserSession.objects.filter(session_id=session_id, status__in=SESSION_OPEN_STATUSES)
    return still_open.update(**values) == 1


def browser_session_close(
    *,
    session: BrowserSession,
    status: str = BrowserSessionStatus.COMPLETED,
    reason: str = "Closed by its owner",
) -> BrowserSession:
    """Mark an open session closed and ask its worker to stop the browser and keep its files; a closed
    session is returned as it is (closing twice is harmless)."""
    ended = browser_session_end(session_id=session.session_id, status=status, reason=reason)
    if ended or session.pid:
        _send_close(session)
    session.refresh_from_db()
    return session


def _send_close(session: BrowserSession) -> None:
    if not session.worker_queue:
        return  # never started: nothing runs anywhere
    try:
        dispatch.browser_session_close(session_id=session.session_id, queue=session.worker_queue)
    except Exception as exc:  # noqa: BLE001 - the worker's heartbeat check stops it later
        log.warning("could not ask %s to close %s: %s", session.worker_queue, session.session_id, exc)


def browser_session_extend(*, session: BrowserSession, minutes: int) -> BrowserSession:
    """Push the session's expiry `minutes` further (at most TIMEOUT_MAX minutes in all)."""
    if session.status not in SESSION_OPEN_STATUSES:
        raise IllegalTransition(
            f"Browser session {session.session_id} is {session.status}; it cannot be extended"
        )
    if not 1 <= minutes <= TIMEOUT_MAX:
        raise InvalidRunRequest(f"additional_minutes must be between 1 and {TIMEOUT_MAX}")
    total = min(session.timeout_minutes + minutes, TIMEOUT_MAX)
    fields: dict[str, Any] = {"timeout_minutes": total, "modified_at": timezone.now()}
    if session.started_at:
        fields["expires_at"] = session.started_at + timedelta(minutes=total)
    BrowserSession.objects.filter(pk=session.pk).update(**fields)
    session.refresh_from_db()
    return session


def browser_session_for_run(*, organization: Organization, session_id: str) -> BrowserSession:
    """The open session a new run names, or NotFound (404) / IllegalTransition (409) with a sentence."""
    session = BrowserSession.objects.filter(organization=organization, session_id=session_id).first()
    if session is None or session.deleted_at:
        raise NotFound(f"browser_session_id {session_id} was not found")
    if session.status not in SESSION_OPEN_STATUSES:
        why = f" ({session.close_reason})" if session.close_reason else ""
        raise IllegalTransition(
            f"browser_session_id {session_id} is {session.status}{why}; start a new browser session"
        )
    return session


def browser_session_hold(*, session_id: str, run_id: str) -> str:
    """Let run `run_id` drive the session: "held", "busy" (another run drives it: wait), "closed"."""
    session = BrowserSession.objects.filter(session_id=session_id).first()
    if session is None or session.status not in SESSION_OPEN_STATUSES:
        return CLOSED
    free = Q(runnable_id="") | Q(runnable_id=run_id)
    taken = BrowserSession.objects.filter(free, pk=session.pk, status=BrowserSessionStatus.RUNNING).update(
        runnable_type="task_run", runnable_id=run_id, modified_at=timezone.now()
    )
    if not taken and browser_session_holder_gone(session=session):  # its run died without letting go
        BrowserSession.objects.filter(pk=session.pk, runnable_id=session.runnable_id).update(runnable_id="")
        return browser_session_hold(session_id=session_id, run_id=run_id)
    return "held" if taken else "busy"  # busy: another run drives it, or its browser is still starting


def browser_session_release(*, session_id: str, run_id: str) -> None:
    BrowserSession.objects.filter(session_id=session_id, runnable_id=run_id).update(
        runnable_type="", runnable_id="", modified_at=timezone.now()
    )


def browser_session_holder_gone(*, session: BrowserSession) -> bool:
    """True when the run holding the session has ended without letting go (its worker died mid-run)."""
    if not session.runnable_id:
        return False
    holder = TaskRun.objects.filter(run_id=session.runnable_id).only("status").first()
    return holder is None or holder.status not in ("queued", "running")


def browser_sessions_heartbeat(*, worker_queue: str) -> list[BrowserSession]:
    """Refresh the heartbeat of this worker's running sessions; returns them (their pids are checked)."""
    mine = BrowserSession.objects.filter(worker_queue=worker_queue, status=BrowserSessionStatus.RUNNING)
    mine.update(heartbeat_at=timezone.now())
    return list(mine)


def browser_sessions_reap(*, stale_after_seconds: int) -> list[str]:
    """Close expired sessions (timed_out) and fail those whose worker stopped sending heartbeats."""
    now = timezone.now()
    ended = []
    running = BrowserSession.objects.filter(status=BrowserSessionStatus.RUNNING)
    for session in running.filter(expires_at__lt=now):
        browser_session_close(
            session=session,
            status=BrowserSessionStatus.TIMED_OUT,
            reason=f"The session reached its timeout of {session.timeout_minutes} minutes",
        )
        ended.append(session.session_id)
    stale = running.filter(heartbeat_at__lt=now - timedelta(seconds=stale_after_seconds))
    for session in stale:
        reason = "The worker that held this browser stopped responding"
        if browser_session_end(
            session_id=session.session_id, status=BrowserSessionStatus.FAILED, reason=reason
        ):
            ended.append(session.session_id)
    never_started = BrowserSession.objects.filter(
        status=BrowserSessionStatus.CREATED, created_at__lt=now - timedelta(seconds=stale_after_seconds * 5)
    )
    for session in never_started:
        reason = "No browser worker started this session; check that a browser worker is running"
        if browser_session_end(
            session_id=session.session_id, status=BrowserSessionStatus.FAILED, reason=reason
        ):
            ended.append(session.session_id)
    return ended


def session_queues(*, session_ids: set[str]) -> dict[str, str]:
    """Each open session's worker queue (for the queue sweep: a run on a session goes to its worker)."""
    rows = BrowserSession.objects.filter(session_id__in=session_ids).exclude(worker_queue="")
    return dict(rows.values_list("session_id", "worker_queue"))
