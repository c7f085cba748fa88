import itertools

import pytest
from django.db import IntegrityError, transaction

from runs.choices import RUN_TRANSITIONS, TERMINAL_STATUSES, RunStatus
from runs.models import TaskRun
from runs.services import IllegalTransition, run_cancel, run_claim, run_transition
from tests.factories import TaskRunFactory

ALL = list(RunStatus)
LEGAL = {(a, b) for a, targets in RUN_TRANSITIONS.items() for b in targets}
ILLEGAL = [(a, b) for a, b in itertools.product(ALL, ALL) if (a, b) not in LEGAL]


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
    run = TaskRunFactory(status=RunStatus.QUEUED)
    stale = TaskRun.objects.get(pk=run.pk)
    run_transition(run=run, to=RunStatus.CANCELED)
    with pytest.raises(IllegalTransition):
        run_transition(run=stale, to=RunStatus.RUNNING)
    assert TaskRun.objects.get(pk=run.pk).status == RunStatus.CANCELED


@pytest.mark.django_db
def test_only_one_worker_claims_a_run():
    run = TaskRunFactory(status=RunStatus.QUEUED)
    assert run_claim(run_id=run.run_id) is not None
    assert run_claim(run_id=run.run_id) is None


@pytest.mark.django_db
def test_a_canceled_run_is_never_claimed():
    run = TaskRunFactory(status=RunStatus.QUEUED)
    run_cancel(run=run)
    assert run_claim(run_id=run.run_id) is None


@pytest.mark.django_db
def test_canceling_a_finished_run_changes_nothing():
    run = TaskRunFactory(status=RunStatus.COMPLETED)
    assert run_cancel(run=run).status == RunStatus.COMPLETED


@pytest.mark.django_db
def test_the_database_refuses_an_unknown_status():
    run = TaskRunFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        TaskRun.objects.filter(pk=run.pk).update(status="paused")
