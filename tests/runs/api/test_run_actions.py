"""Cancel, retry_webhook and the timeline."""

import hashlib
import hmac
import json

import pytest

from runs.choices import RunStatus, StepStatus
from runs.models import TaskRun
from tests.runs.api.conftest import post_task
from tests.support.factories import ActionFactory, StepFactory, TaskRunFactory, run_in_status

pytestmark = pytest.mark.django_db


def test_cancelling_a_queued_run_cancels_it(client):
    run_id = post_task(client, {"prompt": "p"}).json()["run_id"]

    response = client.post(f"/v1/runs/{run_id}/cancel")

    assert response.status_code == 200
    assert response.json()["status"] == "canceled"
    run = TaskRun.objects.get(run_id=run_id)
    assert run.status == RunStatus.CANCELED and run.finished_at is not None


def test_cancelling_a_finished_run_changes_nothing(client, org):
    run = run_in_status(RunStatus.COMPLETED, organization=org, output={"ok": True})

    response = client.post(f"/v1/runs/{run.run_id}/cancel")

    assert response.status_code == 200
    assert response.json()["status"] == "completed"
    assert TaskRun.objects.get(pk=run.pk).status == RunStatus.COMPLETED


def test_bulk_cancel_cancels_active_runs_and_lists_the_rest_as_failed(client, org, other_org_run):
    queued = run_in_status(RunStatus.QUEUED, organization=org)
    running = run_in_status(RunStatus.RUNNING, organization=org)
    done = run_in_status(RunStatus.COMPLETED, organization=org)
    run_ids = [queued.run_id, done.run_id, other_org_run.run_id, "tsk_404", "not an id", running.run_id]

    response = client.post("/v1/runs/cancel", {"run_ids": run_ids}, content_type="application/json")

    assert response.status_code == 200
    assert response.json() == {
        "cancelled": [queued.run_id, running.run_id],
        "failed": [done.run_id, other_org_run.run_id, "tsk_404", "not an id"],
    }
    statuses = dict(TaskRun.objects.values_list("run_id", "status"))
    assert statuses[queued.run_id] == statuses[running.run_id] == RunStatus.CANCELED
    assert statuses[done.run_id] == RunStatus.COMPLETED
    assert statuses[other_org_run.run_id] == RunStatus.CREATED


@pytest.mark.parametrize("body", [{}, {"run_ids": []}, {"run_ids": ["tsk_1"] * 101}, {"run_ids": "tsk_1"}])
def test_bulk_cancel_validates_its_body(client, body):
    response = client.post("/v1/runs/cancel", body, content_type="application/json")

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][0] == "body"


def test_the_version_is_the_projects(client):
    response = client.get("/v1/version")

    assert response.status_code == 200
    assert response.json() == {"version": "0.1.0"}


def test_retrying_the_webhook_sends_the_signed_run_body_and_reports_the_answer(
    client, api_key, webhook_receiver
):
    url = webhook_receiver.url + "/hook"
    webhook_receiver.statuses = [204]  # any 2xx, reported as it came
    run_id = post_task(client, {"prompt": "p", "webhook_url": url}).json()["run_id"]

    response = client.post(f"/v1/runs/{run_id}/retry_webhook", content_type="application/json")

    assert response.status_code == 200
    answer = response.json()
    assert (answer["status_code"], answer["error"], answer["target_webhook_url"]) == (204, None, url)
    [hook] = webhook_receiver.received
    assert hook.json()["run_id"] == run_id == json.loads(answer["payload"])["run_id"]
    expected = hmac.new(api_key[1].encode(), hook.body, hashlib.sha256).hexdigest()
    assert hook.headers["x-skyvern-signature"] == expected


def test_retrying_a_webhook_of_a_run_without_one_is_a_400(client, org):
    run = TaskRunFactory(organization=org)

    response = client.post(f"/v1/runs/{run.run_id}/retry_webhook", content_type="application/json")

    assert response.status_code == 400
    assert response.json() == {"detail": "This run has no webhook_url"}


def test_a_webhook_retry_to_another_url_is_refused_not_ignored(client, org):
    run = TaskRunFactory(organization=org, webhook_url="https://hooks.example/x")

    response = client.post(
        f"/v1/runs/{run.run_id}/retry_webhook",
        {"webhook_url": "https://elsewhere.example/"},
        content_type="application/json",
    )

    assert response.status_code == 400
    assert "not supported" in response.json()["detail"]


def test_the_timeline_lists_step_attempts_in_order_with_their_actions(client, org):
    run = TaskRunFactory(organization=org)
    second = StepFactory(run=run, order=1, status=StepStatus.RUNNING)
    retry = StepFactory(run=run, order=0, retry_index=1, status=StepStatus.COMPLETED)
    first = StepFactory(run=run, order=0, retry_index=0, status=StepStatus.FAILED)
    ActionFactory(step=retry, index=1, action_type="input_text", text="hello")
    ActionFactory(step=retry, index=0, action_type="click")

    entries = client.get(f"/v1/runs/{run.run_id}/timeline").json()

    assert [(e["order"], e["retry_index"], e["status"]) for e in entries] == [
        (0, 0, "failed"),
        (0, 1, "completed"),
        (1, 0, "running"),
    ]
    assert [e["block"]["step_id"] for e in entries] == [first.step_id, retry.step_id, second.step_id]
    assert all(e["type"] == "block" for e in entries)
    actions = entries[1]["block"]["actions"]
    assert [(a["action_order"], a["action_type"]) for a in actions] == [(0, "click"), (1, "input_text")]
    assert actions[1]["text"] == "hello" and actions[1]["step_id"] == retry.step_id
