"""A real Celery worker and Daphne against the test database: what an API user sees from the outside."""

from __future__ import annotations

import hashlib
import hmac

import httpx

from runs.models import Action, TaskRun
from tests.e2e.helpers import EventStream, chromium_pids, wait_until


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
    worker, e2e_client, daphne_server, test_site, webhook_receiver
):
    org, raw_key, client = e2e_client
    test_site.gate.clear()  # hold the run on its first page until our socket listens
    run = _post_task(client, test_site.url + "/gated/", webhook_url=webhook_receiver.url + "/hook")
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
