"""The run state machine: every status change goes through run_transition.

What follows a move is decided here, in the transition's on-commit hook: the sockets hear of every move,
a move into a final status queues the webhook, a move into `queued` hands the run to the workers.
"""

import logging
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from runs import dispatch
from runs.choices import RUN_TRANSITIONS, RUN_TYPE_FOR_ENGINE, TERMINAL_STATUSES, RunStatus, StepStatus
from runs.exceptions import IllegalTransition
from runs.live import events
from runs.models import ApiKey, Organization, Step, TaskRun
from runs.services.browser_sessions import session_queues
from runs.services.published_tasks import task_publish

log = logging.getLogger(__name__)


def _timestamps_for(status: str, now) -> dict[str, Any]:
    if status == RunStatus.QUEUED:
        return {"queued_at": now}
    if status == RunStatus.RUNNING:
        return {"started_at": now, "heartbeat_at": now}
    if status in TERMINAL_STATUSES:
        return {"finished_at": now}
    return {}


def run_transition(*, run: TaskRun, to: str, **fields: Any) -> TaskRun:
    """Move `run` to `to`, refusing illegal moves.

    The UPDATE is conditional on the status we read, so two processes can never both make a move from the
    same state (e.g. two workers claiming one run): the loser gets IllegalTransition.
    """
    if to not in RUN_TRANSITIONS[run.status]:
        raise IllegalTransition(f"A run cannot go from {run.status} to {to}")
    now = timezone.now()
    values = {"status": to, "modified_at": now, **_timestamps_for(to, now), **fields}
    updated = _move(run, to, values)
    if updated != 1:
        run.refresh_from_db()
        raise IllegalTransition(f"Run {run.run_id} is now {run.status}; it cannot go to {to}")
    for name, value in values.items():
        setattr(run, name, value)
    run_pk, run_id, webhook = run.pk, run.run_id, bool(run.webhook_url)
    # A run moved into queued was just written by this transaction (created → queued): its event is presented
    # from this object instead of being read again. Other moves read the committed row.
    fresh = run if to == RunStatus.QUEUED else None
    transaction.on_commit(lambda: _after_move(run_pk, run_id, to, webhook, fresh))
    return run


def _move(run: TaskRun, to: str, values: dict[str, Any]) -> int:
    """The conditional UPDATE; a move into a final status also closes the steps left open, in one
    transaction, so a finished run never shows a step `running` (its worker may have died mid-step)."""
    moved = TaskRun.objects.filter(pk=run.pk, status=run.status)
    if to not in TERMINAL_STATUSES:
        return moved.update(**values)
    with transaction.atomic():
        updated = moved.update(**values)
        if updated == 1:
            step_status = StepStatus.CANCELED if to == RunStatus.CANCELED else StepStatus.FAILED
            Step.objects.filter(run_id=run.pk, status=StepStatus.RUNNING).update(
                status=step_status, modified_at=values["modified_at"]
            )
    return updated


def _after_move(run_pk: int, run_id: str, to: str, webhook: bool, fresh: TaskRun | None) -> None:
    """On commit of a move to `to`. Two moves in one transaction both land here, so the webhook decision
    uses the move's own status, not the run's current one (else it would be sent twice)."""
    events.run_status_changed(run_pk, run=fresh)
    if to in TERMINAL_STATUSES and webhook:
        try:
            dispatch.webhook_send(run_pk=run_pk)
        except Exception:
            log.exception("could not queue the webhook of run %s", run_pk)
    elif to == RunStatus.QUEUED:
        _hand_to_workers(run_id, fresh.browser_session_id if fresh is not None else None)


def _hand_to_workers(run_id: str, session_id: str | None) -> None:
    """Send the run to the browser workers (a run on a browser session: to the worker holding it). A run
    canceled meanwhile is sent too: the worker's claim skips it."""
    try:
        queue = session_queues(session_ids={session_id}).get(session_id) if session_id else None
        dispatch.run_execute(run_id=run_id, **({"queue": queue} if queue else {}))
    except Exception as exc:  # the broker is down: the run stays queued and the sweep sends it later
        log.warning("could not hand %s to the workers yet (%s); the sweep will", run_id, exc)


def runs_redispatch(*, grace_seconds: int, limit: int = 500) -> list[str]:
    """Send again the runs queued for over `grace_seconds` that the broker holds no message for (lost in a
    broker restart, or never sent because the broker was down); returns their ids, oldest first.

    The database says what must run, the broker only carries it: this sweep (Celery beat, every
    RUN_SWEEP_SECONDS) turns a broker outage into a delay instead of a lost run.
    """
    cutoff = timezone.now() - timedelta(seconds=grace_seconds)
    waiting = TaskRun.objects.filter(status=RunStatus.QUEUED, queued_at__lt=cutoff).order_by("queued_at")
    rows = list(waiting.values_list("run_id", "browser_session_id")[:limit])
    candidates = [run_id for run_id, _ in rows]
    if not candidates:
        return []
    # A run on a browser session waits in the queue of the worker that holds the session.
    by_session = session_queues(session_ids={session for _, session in rows if session})
    queue_of = {run_id: by_session.get(session) for run_id, session in rows if session}
    queues = set(by_session.values())
    held = dispatch.runs_waiting(run_ids=candidates, **({"queues": queues} if queues else {}))
    if held is None:
        log.warning("the broker cannot be asked which runs it holds (not Redis); the sweep does nothing")
        return []
    sent = []
    for run_id in candidates:
        if run_id in held:
            continue
        # A broker that is still down raises: the next sweep retries.
        queue = queue_of.get(run_id)
        dispatch.run_execute(run_id=run_id, **({"queue": queue} if queue else {}))
        sent.append(run_id)
    return sent


@transaction.atomic
def run_create(
    *,
    organization: Organization,
    request: dict[str, Any],
    api_key: ApiKey | None = None,
    created_by=None,
    rerun_of: TaskRun | None = None,
) -> TaskRun:
    """Create a run from an already normalised TaskRunRequest dict and queue it after commit."""
    engine = request["engine"]
    run = TaskRun.objects.create(
        organization=organization,
        api_key=api_key,
        created_by=created_by,
        engine=engine,
        run_type=RUN_TYPE_FOR_ENGINE[engine],
        request=request,
        title=request.get("title") or "",
        prompt=request["prompt"],
        url=request.get("url") or "",
        max_steps=request["max_steps"],
        webhook_url=request.get("webhook_url") or "",
        browser_session_id=request.get("browser_session_id"),
        rerun_of=rerun_of,
    )
    if request.get("publish_workflow"):
        task_publish(run=run)  # saved as a workflow; the run answers with its workflow_permanent_id
    # No separate "created" event: the move to queued, in this transaction, tells the runs list about it.
    return run_enqueue(run=run)


def run_enqueue(*, run: TaskRun) -> TaskRun:
    """created → queued; the workers get the run once the transaction commits."""
    return run_transition(run=run, to=RunStatus.QUEUED)


def run_claim(*, run_id: str, worker_task_id: str = "") -> TaskRun | None:
    """queued → running for exactly one worker; None when the run was canceled or claimed already."""
    run = TaskRun.objects.filter(run_id=run_id).first()
    if run is None or run.status != RunStatus.QUEUED:
        return None
    try:
        return run_transition(run=run, to=RunStatus.RUNNING, worker_task_id=worker_task_id)
    except IllegalTransition:
        return None


@transaction.atomic
def run_cancel(*, run: TaskRun) -> TaskRun:
    """Cancel an active run; a finished run is returned unchanged (the API answers 200 either way)."""
    while run.status not in TERMINAL_STATUSES:
        try:
            return run_transition(run=run, to=RunStatus.CANCELED)
        except IllegalTransition:
            continue  # it moved under us (e.g. queued → running): try again from its new status
    return run


def run_fail(*, run: TaskRun, reason: str) -> TaskRun:
    """End an active run as failed with `reason`; a run that already ended is left as it is."""
    try:
        return run_transition(run=run, to=RunStatus.FAILED, failure_reason=reason)
    except IllegalTransition:
        return run
