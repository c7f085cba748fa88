"""Runs left waiting on a browser session that ended: nothing would ever take them from its worker's queue."""

from __future__ import annotations

from runs.choices import RunStatus
from runs.models import BrowserSession, TaskRun
from runs.services.runs import run_fail


def session_runs_fail_waiting(*, session_ids: list[str]) -> list[str]:
    """Fail the runs still queued on these (ended) sessions, saying why; returns their ids. A dead worker's
    queue keeps its messages, so without this they would stay queued for ever."""
    ended = {s.session_id: s for s in BrowserSession.objects.filter(session_id__in=session_ids)}
    failed = []
    for run in TaskRun.objects.filter(browser_session_id__in=list(ended), status=RunStatus.QUEUED):
        session = ended[run.browser_session_id]
        why = f" ({session.close_reason})" if session.close_reason else ""
        run_fail(run=run, reason=f"Browser session {session.session_id} ended before this run started{why}")
        failed.append(run.run_id)
    return failed
