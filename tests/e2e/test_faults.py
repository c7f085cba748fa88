"""Faults against the real stack: its own Redis (started, stopped and restarted here, keeping nothing on disk),
the test PostgreSQL, `scripts/web`, two browser workers, a small-task worker and beat, as in production.

A run is never lost and never stranded: the database says what must run (beat's sweep sends queued runs the
broker lost), a dead worker's run fails within a minute, a worker whose database connections are cut carries
on, and live sockets keep streaming after Redis restarts.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
import redis
from celery import Celery
from django.db import connection

from runs.choices import ACTIVE_STATUSES, TERMINAL_STATUSES
from runs.models import Step, TaskRun
from tests.e2e.helpers import EventStream, free_port, site_script, wait_until
from tests.e2e.processes import Beat, LiveServer, RedisServer, Worker, start_web
from tests.support.fake_llm import FakeReply

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.slow]

SWEEP_SECONDS = 2


@dataclass
class Stack:
    redis: RedisServer
    web: LiveServer
    workers: list[Worker]
    small: Worker
    beat: Beat
    env: dict[str, str]

    def control(self):
        app = Celery(
            broker=self.env["CELERY_BROKER_URL"],
            broker_transport_options={"global_keyprefix": self.env["CELERY_KEY_PREFIX"]},
        )
        return app.control

    def queued_messages(self) -> int:
        return redis.Redis.from_url(self.redis.url).llen(self.env["CELERY_KEY_PREFIX"] + "browser")

    def worker_of(self, run: TaskRun) -> Worker:
        return next(w for w in self.workers if f"execute_run[{run.worker_task_id}] received" in w.log())


@pytest.fixture(scope="module")
def stack(e2e_env, e2e_dir) -> Iterator[Stack]:
    logs = e2e_dir / "logs" / "faults"
    server = RedisServer(free_port(), logs)
    server.start()
    tag = f"faults-{uuid.uuid4().hex[:6]}"
    port = free_port()
    env = {
        **e2e_env,
        "REDIS_URL": server.url,
        "CELERY_BROKER_URL": server.url,
        "CELERY_KEY_PREFIX": f"{tag}:",
        "CHANNELS_PREFIX": tag,
        "DAPHNE_PORT": str(port),
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "RUN_SWEEP_SECONDS": str(SWEEP_SECONDS),
        "RUN_DISPATCH_GRACE_SECONDS": "3",
        "BROWSER_RECORD_VIDEO": "false",
    }
    env.pop("RUN_STALE_AFTER_SECONDS", None)  # the default: what "fails within a minute" is measured with
    workers = [Worker(env, logs, concurrency=2, queues="browser", name=f"browser{n}") for n in (1, 2)]
    small = Worker(env, logs, concurrency=4, pool="threads", queues="small", name="small")
    beat = Beat(env, logs)
    started: list = [server]
    try:
        for worker in [*workers, small]:
            worker.start(wait=False)
            started.append(worker)
        beat.start()
        started.append(beat)
        web = start_web(env, logs)
        started.append(web.process)
        for worker in [*workers, small]:
            worker.wait_ready()
        yield Stack(redis=server, web=web, workers=workers, small=small, beat=beat, env=env)
    finally:
        for process in reversed(started):
            process.stop()


@pytest.fixture
def client(stack, transactional_db) -> Iterator[httpx.Client]:
    from runs.services import api_key_create, run_cancel
    from tests.support.factories import OrganizationFactory

    _, raw = api_key_create(organization=OrganizationFactory(), name="faults")
    with httpx.Client(base_url=stack.web.url, headers={"x-api-key": raw}, timeout=30) as http:
        http.raw_key = raw  # type: ignore[attr-defined]
        yield http
    if not stack.redis.running:
        stack.redis.start()
    for run in TaskRun.objects.filter(status__in=ACTIVE_STATUSES):
        run_cancel(run=run)
    for worker in stack.workers:
        if worker.running:
            wait_until(lambda w=worker: not w.busy_tasks(), timeout=60, what=f"{worker.name} to finish")


def _post(client: httpx.Client, url: str, **extra) -> dict:
    response = client.post(
        "/v1/run/tasks", json={"prompt": "Sign up as Ada", "url": url, "engine": "skyvern-1.0", **extra}
    )
    assert response.status_code == 200, response.text
    return response.json()


def _finished(run_id: str, timeout: float = 90) -> TaskRun:
    """Read from the database directly: the web processes may be what a fault hits."""

    def done():
        run = TaskRun.objects.get(run_id=run_id)
        return run if run.status in TERMINAL_STATUSES else None

    return wait_until(done, timeout=timeout, interval=0.3, what=f"{run_id} to finish")


def _slow_site(messages):
    """The usual site script, each answer taking a second and a half, so a fault lands mid-run."""
    reply = site_script(messages)
    return reply if isinstance(reply, FakeReply) else FakeReply(reply, delay=1.5)


def test_a_queued_run_lost_in_a_redis_restart_is_sent_again_and_runs(stack, client, test_site):
    control = stack.control()
    browser_workers = [w.hostname for w in stack.workers]

    def consuming_again() -> bool:
        try:
            replies = control.add_consumer("browser", reply=True, timeout=2, destination=browser_workers)
        except Exception:
            return False
        return len(replies) == 2

    assert len(control.cancel_consumer("browser", reply=True, timeout=5, destination=browser_workers)) == 2
    try:
        run = _post(client, test_site.url + "/")
        wait_until(lambda: stack.queued_messages() == 1, timeout=10, what="the run's message in the queue")

        stack.redis.restart()  # the message is gone; the database still says queued
        assert stack.queued_messages() == 0
        assert TaskRun.objects.get(run_id=run["run_id"]).status == "queued"
    finally:
        wait_until(consuming_again, timeout=60, interval=1, what="the workers to consume again")
    finished = _finished(run["run_id"])
    assert finished.status == "completed", finished.failure_reason
    assert f"sent 1 queued run(s) to the workers again: {run['run_id']}" in stack.small.log()


def test_a_task_posted_while_the_broker_is_down_is_queued_and_runs_once_it_is_back(stack, client, test_site):
    stack.redis.stop()
    started = time.monotonic()
    run = _post(client, test_site.url + "/")
    took = time.monotonic() - started
    assert run["status"] == "queued" and TaskRun.objects.get(run_id=run["run_id"]).status == "queued"
    assert took < 5, f"POST took {took:.1f} s with the broker down"

    time.sleep(SWEEP_SECONDS * 2)  # sweeps come and go while the broker is down: the run stays queued
    assert TaskRun.objects.get(run_id=run["run_id"]).status == "queued"
    stack.redis.start()
    finished = _finished(run["run_id"])
    assert finished.status == "completed", finished.failure_reason


def test_live_frames_resume_on_the_same_socket_after_a_redis_restart(stack, client, test_site):
    run = _post(client, test_site.url + "/counter", max_steps=40)
    stream = EventStream(f"{stack.web.ws_url}/ws/runs/{run['run_id']}/?apikey={client.raw_key}")
    stream.wait_for(lambda e: e["type"] == "frame", timeout=60)

    stack.redis.restart()
    seen = len(stream.events)
    wait_until(
        lambda: any(e["type"] == "frame" for e in stream.events[seen:]),
        timeout=30,
        what="a frame after the restart",
    )
    assert stream.close_code is None
    before = [e["seq"] for e in stream.events[:seen] if "seq" in e]
    client.post(f"/v1/runs/{run['run_id']}/cancel")
    status = stream.wait_for(lambda e: e["type"] == "run.status" and e["data"]["status"] == "canceled")
    assert status["seq"] > max(before)  # the counter was lost with Redis, and still moved on
    stream.close()


def test_a_run_whose_database_connections_are_killed_mid_run_still_completes(
    stack, client, test_site, scripted_llm
):
    scripted_llm.script = _slow_site
    run = _post(client, test_site.url + "/")
    wait_until(
        lambda: Step.objects.filter(run__run_id=run["run_id"]).exists(), timeout=60, what="a first step"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        assert cursor.fetchone()[0] > 0

    finished = _finished(run["run_id"])
    assert finished.status == "completed", finished.failure_reason
    assert finished.output == {"message": "Welcome aboard"}
    assert not finished.steps.filter(status="running").exists()
    worker = stack.worker_of(finished)
    assert "reconnecting in" in worker.log()


def test_two_workers_share_the_runs_and_a_killed_ones_run_fails_within_a_minute(stack, client, test_site):
    run_ids = [_post(client, test_site.url + "/")["run_id"] for _ in range(4)]
    runs = [_finished(run_id) for run_id in run_ids]
    assert all(run.status == "completed" for run in runs), [run.failure_reason for run in runs]
    assert {stack.worker_of(run).name for run in runs} == {"browser1", "browser2"}

    stalled = _post(client, test_site.url + "/stall")["run_id"]
    wait_until(lambda: Step.objects.filter(run__run_id=stalled).exists(), timeout=60, what="a first step")
    victim = stack.worker_of(TaskRun.objects.get(run_id=stalled))
    victim.kill()
    killed_at = time.monotonic()
    try:
        after = _post(client, test_site.url + "/")["run_id"]
        assert _finished(after).status == "completed"  # the other worker keeps taking new runs

        failed = _finished(stalled, timeout=75)
        took = time.monotonic() - killed_at
        assert failed.status == "failed"
        assert "stopped responding" in failed.failure_reason and "killed" in failed.failure_reason
        assert took < 60, f"the dead worker's run failed after {took:.0f} s"
        assert not failed.steps.filter(status="running").exists()
    finally:
        victim.start()
