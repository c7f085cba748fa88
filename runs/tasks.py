"""Celery tasks. They take ids and call services; the browser work itself lives in runs.execution.runner.
Work is queued by name through runs.dispatch, so nothing that queues a task imports this module.

Browser runs go to the "browser" queue and are never retried as a whole (they click real buttons), so the
broker acknowledges them on receipt: a worker that dies mid-run loses the message and the reaper fails the
run. Webhooks, the reaper and the queue sweep are small, idempotent tasks on the "small" queue (the
default), served by their own worker processes so they never wait behind browser runs; Celery beat
(its own process) schedules the reaper and the sweep. Database calls around a run reconnect when their
connection drops (runs.execution.db), so the run ends with its true outcome.
"""

from __future__ import annotations

import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings

from runs import dispatch, selectors, services
from runs.execution.db import db_retry
from runs.execution.llm_checks import checks_record
from runs.execution.webhooks import webhook_deliver
from runs.models import TaskRun

log = logging.getLogger(__name__)

# Delay before webhook attempt n+1 is WEBHOOK_BACKOFF_SECONDS * 2**(n-1): 5 s, then 10 s.
WEBHOOK_BACKOFF_SECONDS = 5
# Celery's own soft limit is a backstop halfway between the runner's graceful deadline
# (RUN_SOFT_TIME_LIMIT, which lets the browser close and the video finish) and the hard kill.
CELERY_SOFT_LIMIT = (settings.RUN_SOFT_TIME_LIMIT + settings.RUN_HARD_TIME_LIMIT) // 2


@shared_task(
    name=dispatch.EXECUTE_RUN,
    bind=True,
    acks_late=False,
    max_retries=0,
    soft_time_limit=CELERY_SOFT_LIMIT,
    time_limit=settings.RUN_HARD_TIME_LIMIT,
)
def execute_run(self, run_id: str) -> str | None:
    """Claim the run and drive it to a final status; a run claimed already or canceled is left alone."""
    from runs.execution import runner  # Playwright and the agent: only worker processes load them
    from runs.execution.session_runs import session_gate, session_release

    # A run on a browser session waits while another run drives that session (runs.execution.session_runs).
    if not db_retry(session_gate, run_id=run_id, hostname=self.request.hostname or ""):
        return None
    run = db_retry(services.run_claim, run_id=run_id, worker_task_id=self.request.id or "")
    if run is None:
        log.info("run %s was canceled or claimed by another worker; skipping", run_id)
        db_retry(session_release, run_id=run_id)
        return None
    try:
        runner.run_execute(run=run)
    except SoftTimeLimitExceeded:
        db_retry(services.run_fail, run=run, reason="The run was stopped by the worker's time limit")
    except Exception as exc:
        log.exception("run %s crashed", run_id)
        db_retry(
            services.run_fail,
            run=run,
            reason=f"Internal error while running the task: {type(exc).__name__}: {exc}",
        )
    finally:
        db_retry(session_release, run_id=run_id)
    return selectors.run_status(run_pk=run.pk)


@shared_task(name=dispatch.SEND_WEBHOOK, bind=True, max_retries=None, acks_late=True)
def send_webhook(self, run_pk: int) -> dict | None:
    """Deliver the run's webhook; retry on 5xx, 429, timeouts and connection errors with backoff."""
    run = TaskRun.objects.select_related("organization", "api_key").filter(pk=run_pk).first()
    if run is None or not run.webhook_url:
        return None
    delivery = webhook_deliver(run=run)
    attempt = self.request.retries + 1
    if delivery.retryable and attempt < settings.WEBHOOK_MAX_ATTEMPTS:
        raise self.retry(countdown=WEBHOOK_BACKOFF_SECONDS * 2 ** (attempt - 1))
    return delivery.as_dict()


@shared_task(name="runs.tasks.reap_stale_runs")
def reap_stale_runs() -> list[str]:
    """Fail running runs whose worker stopped sending heartbeats (Celery beat runs this)."""
    reaped = services.run_reap_stale(stale_after_seconds=settings.RUN_STALE_AFTER_SECONDS)
    for run in reaped:
        log.warning("reaped %s: its worker stopped responding", run.run_id)
    return [run.run_id for run in reaped]


@shared_task(name="runs.tasks.sweep_queued_runs")
def sweep_queued_runs() -> list[str]:
    """Send again the queued runs the broker lost or never got (Celery beat runs this)."""
    sent = services.runs_redispatch(grace_seconds=settings.RUN_DISPATCH_GRACE_SECONDS)
    if sent:
        log.warning("sent %d queued run(s) to the workers again: %s", len(sent), ", ".join(sent))
    return sent


@shared_task(name="runs.tasks.check_models", soft_time_limit=120, time_limit=150)
def check_models() -> list[str]:
    """Call every configured model and engine once and store the result for the Discover page's banner
    (Celery beat runs this every SKYVERN_LLM_CHECK_SECONDS; `manage.py check_llm` does the same by hand)."""
    return [result.line() for result in checks_record()]


# Persistent browser sessions: started by any browser worker, then reached through that worker's own queue.
@shared_task(name=dispatch.SESSION_START, bind=True, acks_late=False, max_retries=0, time_limit=120)
def browser_session_start(self, session_id: str) -> None:
    from runs.execution.browser_sessions import session_start

    session_start(session_id=session_id, hostname=self.request.hostname or "")


@shared_task(name=dispatch.SESSION_CLOSE, acks_late=False, max_retries=0, time_limit=300)
def browser_session_close(session_id: str) -> None:
    from runs.execution.browser_sessions import session_cleanup

    session_cleanup(session_id=session_id)


@shared_task(
    name=dispatch.SESSION_ACTION,
    acks_late=False,
    max_retries=0,
    time_limit=settings.SDK_ACTION_TIMEOUT_SECONDS + 30,
)
def browser_session_action(session_id: str, action_id: str, request: dict) -> None:
    from runs.execution.sdk_actions import action_execute

    action_execute(session_id=session_id, action_id=action_id, request=request)


@shared_task(name="runs.tasks.reap_browser_sessions")
def reap_browser_sessions() -> list[str]:
    """Close expired browser sessions and fail those whose worker died (Celery beat runs this)."""
    from runs.services.browser_sessions import browser_sessions_reap
    from runs.services.session_runs import session_runs_fail_waiting

    ended = browser_sessions_reap(stale_after_seconds=settings.BROWSER_SESSION_STALE_SECONDS)
    if ended:
        log.warning("ended browser sessions: %s", ", ".join(ended))
        session_runs_fail_waiting(session_ids=ended)
    return ended
