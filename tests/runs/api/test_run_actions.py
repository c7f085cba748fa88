"""Cancel, retry_webhook and the timeline."""

import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from runs.choices import RunStatus, StepStatus
from runs.models import TaskRun
from tests.factories import StepFactory, TaskRunFactory
from tests.runs.api.conftest import post_task
from tests.runs.api.factories import ActionFactory

pytestmark = pytest.mark.django_db


def test_cancelling_a_queued_run_cancels_it(client):
    run_id = post_task(client, {"prompt": "p"}).json()["run_id"]

    response = client.post(f"/v1/runs/{run_id}/cancel")

    assert response.status_code == 200
    assert response.json()["status"] == "canceled"
    run = TaskRun.objects.get(run_id=run_id)
    assert run.status == RunStatus.CANCELED and run.finished_at is not None


def test_cancelling_a_finished_run_changes_nothing(client, org):
    run = TaskRunFactory(organization=org, status=RunStatus.COMPLETED, output={"ok": True})

    response = client.post(f"/v1/runs/{run.run_id}/cancel")

    assert response.status_code == 200
    assert response.json()["status"] == "completed"
    assert TaskRun.objects.get(pk=run.pk).status == RunStatus.COMPLETED


class _Receiver(BaseHTTPRequestHandler):
    received: list = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append((dict(self.headers), body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def webhook_receiver(settings):
    """A local receiver on the loopback address, which the allow-list lets runs reach."""
    settings.SKYVERN_ALLOW_PRIVATE_HOSTS = ["127.0.0.1"]
    _Receiver.received = []
    server = HTTPServer(("127.0.0.1", 0), _Receiver)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/hook", _Receiver.received
    server.shutdown()
    server.server_close()


def test_retrying_the_webhook_sends_the_signed_run_body_and_reports_the_answer(
    client, api_key, webhook_receiver
):
    url, received = webhook_receiver
    run_id = post_task(client, {"prompt": "p", "webhook_url": url}).json()["run_id"]

    response = client.post(f"/v1/runs/{run_id}/retry_webhook", content_type="application/json")

    assert response.status_code == 200
    answer = response.json()
    assert (answer["status_code"], answer["error"], answer["target_webhook_url"]) == (204, None, url)
    [(headers, body)] = received
    assert json.loads(body)["run_id"] == run_id == json.loads(answer["payload"])["run_id"]
    expected = hmac.new(api_key[1].encode(), body, hashlib.sha256).hexdigest()
    assert headers["x-skyvern-signature"] == expected


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
