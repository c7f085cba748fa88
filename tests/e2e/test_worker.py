"""A real Celery worker and Daphne against the test database: what an API user sees from the outside."""

from __future__ import annotations

import base64
import hashlib
import hmac
from pathlib import Path

import httpx
import pytest
from celery import Celery

from runs.models import Action, TaskRun
from runs.tasks import reap_stale_runs
from tests.e2e.helpers import EventStream, chromium_pids, process_alive, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.e2e]


def _post_task(client: httpx.Client, url: str, **extra) -> dict:
    response = client.post("/v1/run/tasks", json={"prompt": "Sign up as Ada", "url": url, **extra})
    assert response.status_code == 200, response.text
    return response.json()


def _wait_status(client: httpx.Client, run_id: str, *statuses: str, timeout: float = 60) -> dict:
    def reached():
        body = client.get(f"/v1/runs/{run_id}").json()
        return body if body["status"] in statuses else None

    return wait_until(reached, timeout=timeout, interval=0.2, what=f"{run_id} to be {statuses}")


def _socket(daphne_server, run_id: str, raw_key: str) -> EventStream:
    return EventStream(f"{daphne_server.ws_url}/ws/runs/{run_id}/?apikey={raw_key}")


def test_a_posted_task_runs_to_completion_and_is_reported_everywhere(
    worker, e2e_env, e2e_client, daphne_server, test_site, webhook_receiver
):
    org, raw_key, client = e2e_client
    test_site.gate.clear()  # hold the run on its first page until our socket listens
    run = _post_task(
        client, test_site.url + "/gated/", webhook_url=webhook_receiver.url + "/hook", engine="skyvern-1.0"
    )
    assert run["status"] == "queued"
    stream = _socket(daphne_server, run["run_id"], raw_key)
    test_site.gate.set()

    body = _wait_status(client, run["run_id"], "completed", "failed", "terminated")
    assert body["status"] == "completed", body["failure_reason"]
    assert body["output"] == {"message": "Welcome aboard"}
    stored = TaskRun.objects.get(run_id=run["run_id"])
    assert stored.queued_at < stored.started_at < stored.finished_at

    steps = client.get(f"/api/v1/tasks/{run['run_id']}/steps").json()
    assert [step["order"] for step in steps] == [0, 1]
    assert all(step["input_token_count"] > 0 and step["output_token_count"] > 0 for step in steps)

    stream.wait_for(lambda e: e["type"] == "run.status" and e["data"]["status"] == "completed")
    seqs = [event["seq"] for event in stream.events if "seq" in event]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
    step_events = [(e["type"], e["data"]["order"]) for e in stream.of_type("step.started", "step.finished")]
    assert step_events == [
        ("step.started", 0),
        ("step.finished", 0),
        ("step.started", 1),
        ("step.finished", 1),
    ]
    assert [e["data"]["action_type"] for e in stream.of_type("action")] == ["input_text", "click", "complete"]
    stream.close()

    wait_until(lambda: webhook_receiver.received, timeout=20, what="the webhook")
    hook = webhook_receiver.received[0]
    expected = hmac.new(raw_key.encode(), hook.body, hashlib.sha256).hexdigest()
    assert hook.headers["x-skyvern-signature"] == expected
    assert hook.json()["status"] == "completed"
    assert hook.json()["task_id"] == hook.json()["run_id"] == run["run_id"]
    assert hook.json()["extracted_information"] == {"message": "Welcome aboard"}

    screenshot = httpx.get(body["screenshot_urls"][0])
    assert screenshot.status_code == 200 and screenshot.headers["content-type"] == "image/png"
    video = httpx.get(body["recording_url"])
    assert video.status_code == 200 and video.headers["content-type"] == "video/webm"
    assert video.content[:4] == b"\x1a\x45\xdf\xa3"  # the WebM (EBML) signature
    assert not (Path(e2e_env["RUNS_WORK_DIR"]) / run["run_id"]).exists()  # the worker's copy is gone


def test_a_run_posted_without_an_engine_plans_mini_goals_and_shows_its_thoughts(
    worker, e2e_client, daphne_server, test_site
):
    org, raw_key, client = e2e_client
    test_site.gate.clear()
    run = _post_task(client, test_site.url + "/gated/")
    stream = _socket(daphne_server, run["run_id"], raw_key)
    test_site.gate.set()

    body = _wait_status(client, run["run_id"], "completed", "failed", "terminated")
    assert body["status"] == "completed", body["failure_reason"]
    assert (body["run_type"], body["run_request"]["engine"]) == ("task_v2", "skyvern-2.0")
    assert body["output"] == {"message": "Welcome aboard"}

    timeline = client.get(f"/v1/runs/{run['run_id']}/timeline").json()
    kinds = [(e["type"], (e["thought"] or {}).get("thought_scenario")) for e in timeline]
    assert kinds == [
        ("thought", "generate_plan"),
        ("block", None),
        ("block", None),
        ("thought", "user_goal_check"),
        ("thought", "summarization"),
    ]
    plan = timeline[0]["thought"]
    assert plan["output"]["plan"] == "Sign up as Ada" and plan["input_token_count"] > 0
    assert [e["block"]["label"] for e in timeline[1:3]] == ["Mini-goal 1 · Step 0", "Mini-goal 1 · Step 1"]
    assert timeline[1]["block"]["navigation_goal"] == "Sign up as Ada"
    stored = TaskRun.objects.get(run_id=run["run_id"])
    charged = sum(e["block"]["input_token_count"] for e in timeline[1:3])
    charged += sum(e["thought"]["input_token_count"] for e in timeline if e["type"] == "thought")
    assert stored.input_tokens == charged

    stream.wait_for(lambda e: e["type"] == "run.status" and e["data"]["status"] == "completed")
    thoughts = [e["data"]["thought_scenario"] for e in stream.of_type("thought")]
    assert thoughts == ["generate_plan", "user_goal_check", "summarization"]
    started = stream.of_type("step.started")
    assert [(e["data"]["block_index"], e["data"]["block_goal"]) for e in started] == [
        (0, "Sign up as Ada")
    ] * 2
    stream.close()


def test_live_frames_are_sent_only_while_someone_watches(worker, e2e_client, daphne_server, test_site):
    org, raw_key, client = e2e_client
    run = _post_task(client, test_site.url + "/counter", max_steps=40)
    wait_until(
        lambda: Action.objects.filter(step__run__run_id=run["run_id"]).exists(),
        timeout=60,
        what="a first click",
    )
    assert f"screencast of {run['run_id']} started" not in worker.log()

    viewer = _socket(daphne_server, run["run_id"], raw_key)
    frame = viewer.wait_for(lambda e: e["type"] == "frame", timeout=15)
    assert base64.b64decode(frame["data"]["image"])[:2] == b"\xff\xd8"  # a JPEG
    assert "seq" not in frame
    viewer.close()

    wait_until(lambda: f"screencast of {run['run_id']} stopped" in worker.log(), timeout=10, what="the stop")


def test_canceling_a_running_run_stops_it_closes_the_browser_and_sends_the_webhook(
    worker, e2e_client, daphne_server, test_site, webhook_receiver
):
    org, raw_key, client = e2e_client
    run = _post_task(
        client, test_site.url + "/counter", max_steps=40, webhook_url=webhook_receiver.url + "/hook"
    )
    wait_until(
        lambda: Action.objects.filter(step__run__run_id=run["run_id"]).count() >= 2,
        timeout=60,
        what="the run to click twice",
    )
    canceled = client.post(f"/v1/runs/{run['run_id']}/cancel").json()
    assert canceled["status"] == "canceled"

    stored = TaskRun.objects.get(run_id=run["run_id"])
    wait_until(
        lambda: stored.artifacts.filter(artifact_type="recording").exists(),
        timeout=30,
        what="the browser to close and leave its recording",
    )
    late_actions = Action.objects.filter(step__run=stored, created_at__gt=stored.finished_at).count()
    assert late_actions <= 1
    stored.refresh_from_db()
    assert stored.status == "canceled"
    wait_until(lambda: not chromium_pids(worker.pid), timeout=15, what="Chromium to exit")
    wait_until(lambda: webhook_receiver.received, timeout=20, what="the webhook")
    assert webhook_receiver.received[0].json()["status"] == "canceled"


def test_canceling_a_queued_run_means_it_never_starts(worker, e2e_env, e2e_client, test_site):
    org, raw_key, client = e2e_client
    control = Celery(
        broker=e2e_env["CELERY_BROKER_URL"],
        broker_transport_options={"global_keyprefix": e2e_env["CELERY_KEY_PREFIX"]},
    ).control
    assert control.cancel_consumer("browser", reply=True, limit=1, timeout=5), (
        "the worker did not stop consuming"
    )
    try:
        run = _post_task(client, test_site.url + "/")
        assert client.post(f"/v1/runs/{run['run_id']}/cancel").json()["status"] == "canceled"
    finally:
        control.add_consumer("browser", reply=True, limit=1, timeout=5)
    wait_until(
        lambda: f"run {run['run_id']} was canceled" in worker.log(), timeout=30, what="the worker to skip it"
    )

    stored = TaskRun.objects.get(run_id=run["run_id"])
    assert stored.status == "canceled"
    assert stored.started_at is None and not stored.steps.exists()


@pytest.mark.slow
def test_one_worker_runs_four_tasks_at_once(worker, e2e_client, test_site):
    org, raw_key, client = e2e_client
    run_ids = [_post_task(client, test_site.url + "/")["run_id"] for _ in range(4)]
    for run_id in run_ids:
        assert _wait_status(client, run_id, "completed", "failed", timeout=90)["status"] == "completed"

    runs = TaskRun.objects.filter(run_id__in=run_ids)
    assert max(run.started_at for run in runs) < min(run.finished_at for run in runs)


def test_a_run_whose_worker_is_killed_ends_failed_through_the_reaper(worker, e2e_client, test_site, settings):
    org, raw_key, client = e2e_client
    run = _post_task(client, test_site.url + "/stall")
    stored = wait_until(
        lambda: TaskRun.objects.filter(run_id=run["run_id"], steps__isnull=False).first(),
        timeout=60,
        what="the run to start its first step",
    )
    browsers = chromium_pids(worker.pid)
    assert browsers, "the run should have a browser"

    worker.kill()
    wait_until(lambda: not any(process_alive(pid) for pid in browsers), timeout=15, what="Chromium to exit")
    stored.refresh_from_db()
    assert stored.status == "running"  # nobody is left to say otherwise...

    settings.RUN_STALE_AFTER_SECONDS = 2  # ...until the reaper notices the heartbeat stopped
    wait_until(lambda: run["run_id"] in reap_stale_runs(), timeout=30, interval=0.5, what="the reaper")
    body = client.get(f"/v1/runs/{run['run_id']}").json()
    assert body["status"] == "failed"
    assert "worker running this task stopped responding" in body["failure_reason"]
