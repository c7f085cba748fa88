"""Webhooks as a receiver sees them: signed, compact, retried on server errors, never bounced inward."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from runs.choices import RunStatus
from runs.execution.webhooks import webhook_send
from runs.models import TaskRun
from runs.services import run_transition
from runs.tasks import send_webhook
from skyvern_site.celery import app as celery_app
from tests.factories import TaskRunFactory


class Receiver:
    """Answers POSTs with the next of `statuses` (then 200); `redirects[path]` answers 307 to a URL."""

    def __init__(self) -> None:
        self.statuses: list[int] = []
        self.redirects: dict[str, str] = {}
        self.requests: list[tuple[str, dict[str, str], bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                receiver.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}, body))
                if self.path in receiver.redirects:
                    self.send_response(307)
                    self.send_header("Location", receiver.redirects[self.path])
                else:
                    self.send_response(receiver.statuses.pop(0) if receiver.statuses else 200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"


@pytest.fixture
def receiver(settings) -> Iterator[Receiver]:
    settings.SKYVERN_ALLOW_PRIVATE_HOSTS = ["127.0.0.1"]
    receiver = Receiver()
    yield receiver
    receiver.server.shutdown()
    receiver.server.server_close()


@pytest.fixture
def eager_celery() -> Iterator[None]:
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


@pytest.fixture
def finished_run(api_key, receiver) -> TaskRun:
    key, _ = api_key
    run = TaskRunFactory(organization=key.organization, api_key=key, webhook_url=receiver.url + "/hook")
    run_transition(run=run, to=RunStatus.QUEUED)
    run_transition(run=run, to=RunStatus.RUNNING)
    return run_transition(run=run, to=RunStatus.COMPLETED, output={"answer": 42})


def test_the_webhook_body_is_compact_json_signed_with_the_api_key(finished_run, api_key, receiver):
    _, raw = api_key
    before = int(time.time())

    result = webhook_send(run=finished_run)

    assert result["status_code"] == 200 and result["error"] is None
    _, headers, body = receiver.requests[0]
    assert headers["x-skyvern-signature"] == hmac.new(raw.encode(), body, hashlib.sha256).hexdigest()
    assert before <= int(headers["x-skyvern-timestamp"]) <= int(time.time())
    assert b": " not in body and b", " not in body
    payload = json.loads(body)
    assert payload["run_id"] == payload["task_id"] == finished_run.run_id
    assert payload["status"] == "completed"
    assert payload["output"] == payload["extracted_information"] == {"answer": 42}
    assert "failure_reason" in payload and "screenshot_urls" in payload


def test_a_receiver_that_fails_twice_gets_the_webhook_on_the_third_attempt(
    finished_run, receiver, eager_celery
):
    receiver.statuses = [503, 500]

    send_webhook.delay(finished_run.pk)

    assert len(receiver.requests) == 3
    assert receiver.requests[0][2] == receiver.requests[2][2]  # the same body each time
    finished_run.refresh_from_db()
    assert finished_run.webhook_status_code == 200
    assert finished_run.webhook_failure_reason is None


def test_delivery_gives_up_after_the_last_attempt_and_keeps_the_failure(
    finished_run, receiver, eager_celery, settings
):
    receiver.statuses = [502] * 10

    send_webhook.delay(finished_run.pk)

    assert len(receiver.requests) == settings.WEBHOOK_MAX_ATTEMPTS
    finished_run.refresh_from_db()
    assert finished_run.webhook_status_code == 502
    assert "502" in finished_run.webhook_failure_reason


def test_a_client_error_is_not_retried(finished_run, receiver, eager_celery):
    receiver.statuses = [400]

    send_webhook.delay(finished_run.pk)

    assert len(receiver.requests) == 1


def test_a_redirect_into_a_private_address_is_refused(finished_run, receiver):
    receiver.redirects["/hook"] = "http://169.254.169.254/latest/meta-data/"

    result = webhook_send(run=finished_run)

    assert result["status_code"] is None
    assert "refused" in result["error"] and "169.254.169.254" in result["error"]
    finished_run.refresh_from_db()
    assert "refused" in finished_run.webhook_failure_reason


def test_a_redirect_to_an_allowed_host_is_followed_with_the_same_signed_body(finished_run, receiver):
    receiver.redirects["/hook"] = "/moved"

    result = webhook_send(run=finished_run)

    assert result["status_code"] == 200
    (first_path, first_headers, first_body), (second_path, second_headers, second_body) = receiver.requests
    assert (first_path, second_path) == ("/hook", "/moved")
    assert second_body == first_body
    assert second_headers["x-skyvern-signature"] == first_headers["x-skyvern-signature"]


def test_a_webhook_to_a_private_address_is_not_sent(finished_run, settings):
    settings.SKYVERN_ALLOW_PRIVATE_HOSTS = []
    finished_run.webhook_url = "http://127.0.0.1:9/hook"

    result = webhook_send(run=finished_run)

    assert result["status_code"] is None and "private" in result["error"]


def test_every_terminal_status_sends_the_webhook(
    api_key, receiver, eager_celery, django_capture_on_commit_callbacks
):
    key, _ = api_key
    runs = []
    for final in (RunStatus.FAILED, RunStatus.CANCELED):
        run = TaskRunFactory(organization=key.organization, api_key=key, webhook_url=receiver.url + "/hook")
        with django_capture_on_commit_callbacks(execute=True):
            run_transition(run=run, to=RunStatus.QUEUED)
            run_transition(run=run, to=final)
        runs.append(run)

    statuses = [json.loads(body)["status"] for _, _, body in receiver.requests]
    assert statuses == ["failed", "canceled"]
