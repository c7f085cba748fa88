"""Webhooks as a receiver sees them: signed, compact, retried on server errors, never bounced inward."""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Iterator

import pytest

from runs.choices import RunStatus
from runs.execution.webhooks import webhook_send
from runs.models import TaskRun
from runs.tasks import send_webhook
from skyvern_site.celery import app as celery_app
from tests.support.factories import run_in_status


@pytest.fixture
def eager_celery() -> Iterator[None]:
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


@pytest.fixture
def finished_run(api_key, webhook_receiver) -> TaskRun:
    key, _ = api_key
    return run_in_status(
        RunStatus.COMPLETED,
        organization=key.organization,
        api_key=key,
        webhook_url=webhook_receiver.url + "/hook",
        output={"answer": 42},
    )


def test_the_webhook_body_is_compact_json_signed_with_the_api_key(finished_run, api_key, webhook_receiver):
    _, raw = api_key
    before = int(time.time())

    result = webhook_send(run=finished_run)

    assert result["status_code"] == 200 and result["error"] is None
    hook = webhook_receiver.received[0]
    assert (
        hook.headers["x-skyvern-signature"] == hmac.new(raw.encode(), hook.body, hashlib.sha256).hexdigest()
    )
    assert before <= int(hook.headers["x-skyvern-timestamp"]) <= int(time.time())
    assert b": " not in hook.body and b", " not in hook.body
    payload = hook.json()
    assert payload["run_id"] == payload["task_id"] == finished_run.run_id
    assert payload["status"] == "completed"
    assert payload["output"] == payload["extracted_information"] == {"answer": 42}
    assert "failure_reason" in payload and "screenshot_urls" in payload


def test_a_receiver_that_fails_twice_gets_the_webhook_on_the_third_attempt(
    finished_run, webhook_receiver, eager_celery
):
    webhook_receiver.statuses = [503, 500]

    send_webhook.delay(finished_run.pk)

    assert len(webhook_receiver.received) == 3
    assert webhook_receiver.received[0].body == webhook_receiver.received[2].body  # the same body each time
    finished_run.refresh_from_db()
    assert finished_run.webhook_status_code == 200
    assert finished_run.webhook_failure_reason is None


def test_delivery_gives_up_after_the_last_attempt_and_keeps_the_failure(
    finished_run, webhook_receiver, eager_celery, settings
):
    webhook_receiver.statuses = [502] * 10

    send_webhook.delay(finished_run.pk)

    assert len(webhook_receiver.received) == settings.WEBHOOK_MAX_ATTEMPTS
    finished_run.refresh_from_db()
    assert finished_run.webhook_status_code == 502
    assert "502" in finished_run.webhook_failure_reason


def test_a_client_error_is_not_retried(finished_run, webhook_receiver, eager_celery):
    webhook_receiver.statuses = [400]

    send_webhook.delay(finished_run.pk)

    assert len(webhook_receiver.received) == 1


def test_a_redirect_into_a_private_address_is_refused(finished_run, webhook_receiver):
    webhook_receiver.redirects["/hook"] = "http://169.254.169.254/latest/meta-data/"

    result = webhook_send(run=finished_run)

    assert result["status_code"] is None
    assert "refused" in result["error"] and "169.254.169.254" in result["error"]
    finished_run.refresh_from_db()
    assert "refused" in finished_run.webhook_failure_reason


def test_a_redirect_to_an_allowed_host_is_followed_with_the_same_signed_body(finished_run, webhook_receiver):
    webhook_receiver.redirects["/hook"] = "/moved"

    result = webhook_send(run=finished_run)

    assert result["status_code"] == 200
    first, second = webhook_receiver.received
    assert (first.path, second.path) == ("/hook", "/moved")
    assert second.body == first.body
    assert second.headers["x-skyvern-signature"] == first.headers["x-skyvern-signature"]


def test_a_webhook_to_a_private_address_is_not_sent(finished_run, settings):
    settings.SKYVERN_ALLOW_PRIVATE_HOSTS = []
    finished_run.webhook_url = "http://127.0.0.1:9/hook"

    result = webhook_send(run=finished_run)

    assert result["status_code"] is None and "private" in result["error"]


def test_every_terminal_status_sends_the_webhook(
    api_key, webhook_receiver, eager_celery, django_capture_on_commit_callbacks
):
    key, _ = api_key
    hook_url = webhook_receiver.url + "/hook"
    for final in (RunStatus.FAILED, RunStatus.CANCELED):
        with django_capture_on_commit_callbacks(execute=True):  # the moves' hooks run, as after a commit
            run_in_status(final, organization=key.organization, api_key=key, webhook_url=hook_url)

    statuses = [hook.json()["status"] for hook in webhook_receiver.received]
    assert statuses == ["failed", "canceled"]
