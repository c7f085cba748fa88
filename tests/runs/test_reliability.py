"""The database as the source of truth: the sweep sends again what the broker lost, POST never fails a run over a
broker outage, dropped connections are reopened, finished runs close their steps, event sequences survive a
Redis restart, and the hot path's caches notice every change. The same faults against the real stack are in
tests/e2e/test_faults.py."""

from __future__ import annotations

import time
import uuid
from datetime import timedelta

import psycopg
import pytest
from celery import Celery
from django.db import connection
from django.test import Client
from django.utils import timezone

from runs import dispatch, ids
from runs.choices import ArtifactType, RunStatus
from runs.execution.db import db_retry
from runs.live import events
from runs.live.redis import client as redis_client
from runs.models import Organization, TaskRun
from runs.services import api_key_authenticate, api_key_revoke, artifact_store, run_cancel, run_fail
from runs.services.runs import runs_redispatch
from tests.runs.api.conftest import post_task
from tests.support.factories import StepFactory, run_in_status


@pytest.fixture
def client(api_key, no_worker) -> Client:
    return Client(headers={"x-api-key": api_key[1]})


def _queued(minutes_ago: float) -> TaskRun:
    run = run_in_status(RunStatus.QUEUED)
    queued_at = timezone.now() - timedelta(minutes=minutes_ago)
    TaskRun.objects.filter(pk=run.pk).update(queued_at=queued_at)
    return run


@pytest.mark.django_db
def test_the_sweep_sends_again_only_old_queued_runs_the_broker_does_not_hold(monkeypatch):
    lost, held, fresh = _queued(5), _queued(5), _queued(0)
    run_in_status(RunStatus.RUNNING)
    sent = []
    monkeypatch.setattr(dispatch, "run_execute", lambda *, run_id: sent.append(run_id))
    monkeypatch.setattr(dispatch, "runs_waiting", lambda *, run_ids: {held.run_id} & set(run_ids))

    assert runs_redispatch(grace_seconds=60) == [lost.run_id] == sent
    assert fresh.run_id not in sent


@pytest.mark.django_db
def test_the_sweep_leaves_runs_queued_while_the_broker_is_down(monkeypatch):
    run = _queued(5)
    monkeypatch.setattr(dispatch, "runs_waiting", lambda *, run_ids: set())

    def down(*, run_id):
        raise ConnectionError("broker down")

    monkeypatch.setattr(dispatch, "run_execute", down)
    with pytest.raises(ConnectionError):
        runs_redispatch(grace_seconds=60)
    run.refresh_from_db()
    assert run.status == RunStatus.QUEUED


@pytest.mark.django_db
def test_a_task_posted_while_the_broker_is_down_is_answered_and_stays_queued(
    client, api_key, monkeypatch, django_capture_on_commit_callbacks
):
    def down(*, run_id):
        raise ConnectionError("broker down")

    monkeypatch.setattr(dispatch, "run_execute", down)
    with django_capture_on_commit_callbacks(execute=True):
        response = post_task(client, {"prompt": "Say hello"})

    assert response.status_code == 200 and response.json()["status"] == "queued"
    assert TaskRun.objects.get(run_id=response.json()["run_id"]).status == RunStatus.QUEUED


def test_the_broker_is_asked_which_runs_it_holds(redis_url, monkeypatch):
    app = Celery(broker=redis_url, broker_transport_options={"global_keyprefix": f"test-{uuid.uuid4().hex}:"})
    monkeypatch.setattr(dispatch, "current_app", app)
    prefix = app.conf.broker_transport_options["global_keyprefix"]
    try:
        dispatch.run_execute(run_id="tsk_1")
        assert dispatch.runs_waiting(run_ids=["tsk_1", "tsk_2"]) == {"tsk_1"}
    finally:
        keys = list(redis_client().scan_iter(match=prefix + "*"))
        if keys:
            redis_client().delete(*keys)


@pytest.mark.django_db(transaction=True)
def test_a_dropped_database_connection_is_reopened_and_the_call_retried(settings):
    if connection.vendor != "postgresql":
        pytest.skip("kills a PostgreSQL backend")
    TaskRun.objects.count()  # open the connection
    params = connection.get_connection_params()
    with psycopg.connect(
        **{k: params[k] for k in ("host", "port", "user", "dbname") if k in params}
    ) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [connection.connection.info.backend_pid])

    assert db_retry(TaskRun.objects.count, seconds=5) == TaskRun.objects.count()


@pytest.mark.django_db
def test_a_finished_run_has_no_step_left_running():
    failed, canceled = run_in_status(RunStatus.RUNNING), run_in_status(RunStatus.RUNNING)
    StepFactory(run=failed, status="running")
    StepFactory(run=canceled, status="running")

    run_fail(run=failed, reason="The worker stopped")
    run_cancel(run=canceled)

    assert list(failed.steps.values_list("status", flat=True)) == ["failed"]
    assert list(canceled.steps.values_list("status", flat=True)) == ["canceled"]


def test_a_runs_event_sequence_moves_on_when_redis_loses_its_counter(redis_url):
    run_id = f"tsk_{ids.new_int_id(int(time.time() * 1000) - 10_000)}"  # made ten seconds ago
    first, second = events._next_seq(run_id), events._next_seq(run_id)
    assert second == first + 1

    redis_client().delete(events._seq_key(run_id))  # what a restart of a Redis without persistence does
    time.sleep(0.01)

    assert events._next_seq(run_id) > second
    redis_client().delete(events._seq_key(run_id))


@pytest.mark.django_db
def test_a_cached_key_stops_working_as_soon_as_it_is_revoked(api_key, redis_url):
    key, raw = api_key
    assert api_key_authenticate(raw=raw) == key
    assert api_key_authenticate(raw=raw) == key  # from the cache

    api_key_revoke(api_key=key)

    assert api_key_authenticate(raw=raw) is None


@pytest.mark.django_db
def test_a_cached_key_carries_its_organizations_latest_settings(api_key, redis_url):
    key, raw = api_key
    assert api_key_authenticate(raw=raw).organization.max_steps_per_run is None

    organization = Organization.objects.get(pk=key.organization_id)
    organization.max_steps_per_run = 3
    organization.save()

    assert api_key_authenticate(raw=raw).organization.max_steps_per_run == 3


@pytest.mark.django_db
def test_a_polled_run_shows_an_artifact_stored_since_the_last_poll(client, api_key, org, artifact_storage):
    run = run_in_status(RunStatus.RUNNING, organization=org)
    assert client.get(f"/v1/runs/{run.run_id}").json()["screenshot_urls"] == []

    artifact_store(run=run, artifact_type=ArtifactType.SCREENSHOT_ACTION, data=b"\x89PNG", filename="a.png")

    assert len(client.get(f"/v1/runs/{run.run_id}").json()["screenshot_urls"]) == 1
