import itertools

import pytest
from django.db import IntegrityError, transaction

from runs.choices import RUN_TRANSITIONS, TERMINAL_STATUSES, RunStatus
from runs.models import TaskRun
from runs.services import IllegalTransition, run_cancel, run_claim, run_transition
from tests.support.factories import TaskRunFactory, run_in_status

ALL = list(RunStatus)
LEGAL = {(a, b) for a, targets in RUN_TRANSITIONS.items() for b in targets}
ILLEGAL = [(a, b) for a, b in itertools.product(ALL, ALL) if (a, b) not in LEGAL]


# The next two put the run straight into `start`, not through run_in_status: the set-up must not lean on
# the function under test, and with no timestamps yet the first one sees the move stamp them.


@pytest.mark.django_db
@pytest.mark.parametrize(("start", "end"), sorted(LEGAL))
def test_a_legal_move_is_saved_with_its_timestamp(start, end):
    run = TaskRunFactory(status=start)
    run_transition(run=run, to=end)
    run.refresh_from_db()
    assert run.status == end
    if end in TERMINAL_STATUSES:
        assert run.finished_at is not None
    if end == RunStatus.RUNNING:
        assert run.started_at is not None


@pytest.mark.django_db
@pytest.mark.parametrize(("start", "end"), ILLEGAL)
def test_every_illegal_move_is_refused(start, end):
    run = TaskRunFactory(status=start)
    with pytest.raises(IllegalTransition):
        run_transition(run=run, to=end)
    run.refresh_from_db()
    assert run.status == start


def test_finished_runs_never_move_again():
    for status in TERMINAL_STATUSES:
        assert RUN_TRANSITIONS[status] == frozenset()


@pytest.mark.django_db
def test_a_stale_copy_cannot_overwrite_a_newer_status():
    run = run_in_status(RunStatus.QUEUED)
    stale = TaskRun.objects.get(pk=run.pk)
    run_transition(run=run, to=RunStatus.CANCELED)
    with pytest.raises(IllegalTransition):
        run_transition(run=stale, to=RunStatus.RUNNING)
    assert TaskRun.objects.get(pk=run.pk).status == RunStatus.CANCELED


@pytest.mark.django_db
def test_only_one_worker_claims_a_run():
    run = run_in_status(RunStatus.QUEUED)
    assert run_claim(run_id=run.run_id) is not None
    assert run_claim(run_id=run.run_id) is None


@pytest.mark.django_db
def test_a_canceled_run_is_never_claimed():
    run = run_in_status(RunStatus.QUEUED)
    run_cancel(run=run)
    assert run_claim(run_id=run.run_id) is None


@pytest.mark.django_db
def test_canceling_a_finished_run_changes_nothing():
    run = run_in_status(RunStatus.COMPLETED)
    assert run_cancel(run=run).status == RunStatus.COMPLETED


@pytest.mark.django_db
def test_the_database_refuses_an_unknown_status():
    run = TaskRunFactory()
    with pytest.raises(IntegrityError), transaction.atomic():  # a raw write: the database is what is tested
        TaskRun.objects.filter(pk=run.pk).update(status="paused")
