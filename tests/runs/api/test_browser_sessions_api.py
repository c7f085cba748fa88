"""Browser sessions and profiles through the API, without a worker: what is stored, sent where, and refused."""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from runs.models import BrowserSession, TaskRun
from runs.services import browser_sessions as sessions
from runs.services import runs_redispatch
from runs.services.browser_profiles import session_snapshot_name
from runs.tasks import reap_browser_sessions
from tests.runs.api.conftest import post_task
from tests.support.factories import OrganizationFactory, TaskRunFactory

pytestmark = pytest.mark.django_db

# The routes this module's API serves (tests/runs/api/test_routes.py checks the schema documents each once).
SESSION_ROUTES = [
    ("post", "/v1/browser_sessions"),
    ("get", "/v1/browser_sessions"),
    ("get", "/v1/browser_sessions/{browser_session_id}"),
    ("post", "/v1/browser_sessions/{browser_session_id}/close"),
    ("post", "/v1/browser_sessions/{browser_session_id}/extend"),
    ("post", "/v1/browser_profiles"),
    ("get", "/v1/browser_profiles"),
    ("get", "/v1/browser_profiles/{profile_id}"),
    ("delete", "/v1/browser_profiles/{profile_id}"),
    ("post", "/v1/sdk/run_action"),
    ("post", "/api/v1/browser_sessions"),
    ("get", "/api/v1/browser_sessions"),
    ("get", "/api/v1/browser_sessions/{browser_session_id}"),
    ("post", "/api/v1/browser_sessions/{session_id}/close"),
]


@pytest.fixture
def sent(monkeypatch, settings, artifact_storage):
    """What would reach the broker: (task, id, queue)."""
    settings.BROWSER_SESSION_START_WAIT_SECONDS = 0
    messages = []
    monkeypatch.setattr(
        "runs.dispatch.browser_session_start",
        lambda *, session_id: messages.append(("start", session_id, "browser")),
    )
    monkeypatch.setattr(
        "runs.dispatch.browser_session_close",
        lambda *, session_id, queue: messages.append(("close", session_id, queue)),
    )
    monkeypatch.setattr(
        "runs.dispatch.run_execute",
        lambda *, run_id, queue="browser": messages.append(("run", run_id, queue)),
    )
    return messages


def _running(org, **fields) -> BrowserSession:
    now = timezone.now()
    return BrowserSession.objects.create(
        organization=org,
        status="running",
        worker_queue="browser.w1@host",
        browser_address="http://127.0.0.1:9",
        started_at=now,
        heartbeat_at=now,
        expires_at=now + timedelta(minutes=60),
        **fields,
    )


def test_a_new_session_is_stored_and_sent_to_any_browser_worker(
    client, org, sent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/v1/browser_sessions",
            {"url": "https://a.example", "timeout": 15},
            content_type="application/json",
        )

    assert response.status_code == 200, response.content
    body = response.json()
    assert (
        body["browser_session_id"].startswith("pbs_")
        and body["status"] == "created"
        and body["timeout"] == 15
    )
    assert sent == [("start", body["browser_session_id"], "browser")]


@pytest.mark.parametrize("timeout", [4, 1441, "long"])
def test_a_timeout_outside_5_to_1440_minutes_is_a_422(client, sent, timeout):
    response = client.post("/v1/browser_sessions", {"timeout": timeout}, content_type="application/json")

    assert response.status_code == 422
    assert not BrowserSession.objects.exists() and sent == []


def test_a_run_on_an_open_session_goes_to_the_worker_holding_it(
    client, org, sent, django_capture_on_commit_callbacks
):
    session = _running(org)
    with django_capture_on_commit_callbacks(execute=True):
        response = post_task(client, {"prompt": "Read my plan", "browser_session_id": session.session_id})

    assert response.status_code == 200, response.content
    run_id = response.json()["run_id"]
    assert response.json()["browser_session_id"] == session.session_id
    assert sent == [("run", run_id, "browser.w1@host")]


def test_a_run_on_a_missing_foreign_or_closed_session_is_refused(client, org, sent):
    foreign = _running(OrganizationFactory())
    closed = _running(org)
    sessions.browser_session_end(
        session_id=closed.session_id, status="completed", reason="Closed by its owner"
    )

    for session_id in ("pbs_0", foreign.session_id):
        answer = post_task(client, {"prompt": "p", "browser_session_id": session_id})
        assert answer.status_code == 404
        assert answer.json()["detail"] == f"browser_session_id {session_id} was not found"
    answer = post_task(client, {"prompt": "p", "browser_session_id": closed.session_id})
    assert answer.status_code == 409
    assert answer.json()["detail"] == (
        f"browser_session_id {closed.session_id} is completed (Closed by its owner); start a new browser session"
    )


def test_one_run_at_a_time_holds_a_session(org):
    session = _running(org)
    first, second = TaskRunFactory(organization=org, status="running"), TaskRunFactory(organization=org)

    def hold(run) -> str:
        return sessions.browser_session_hold(session_id=session.session_id, run_id=run.run_id)

    assert hold(first) == "held" and hold(first) == "held"  # holding again is harmless
    assert hold(second) == "busy"  # it waits in the worker's queue
    sessions.browser_session_release(session_id=session.session_id, run_id=first.run_id)
    assert hold(second) == "held"
    TaskRun.objects.filter(pk=second.pk).update(status="failed")  # its worker died mid-run
    assert hold(first) == "held"  # an ended holder does not keep the session forever


def test_closing_marks_the_session_completed_and_asks_its_worker_to_stop_it(client, org, sent):
    session = _running(org, pid=4242)

    first = client.post(f"/v1/browser_sessions/{session.session_id}/close")
    again = client.post(f"/v1/browser_sessions/{session.session_id}/close")

    assert first.status_code == again.status_code == 200
    assert first.json()["status"] == "completed" and first.json()["completed_at"]
    assert sent[0] == ("close", session.session_id, "browser.w1@host")
    assert client.get("/v1/browser_sessions").json() == []


def test_extending_moves_the_expiry_and_caps_the_timeout(client, org):
    session = _running(org, timeout_minutes=60)

    body = client.post(
        f"/v1/browser_sessions/{session.session_id}/extend",
        {"additional_minutes": 30},
        content_type="application/json",
    ).json()
    assert body["timeout"] == 90
    capped = client.post(
        f"/v1/browser_sessions/{session.session_id}/extend",
        {"additional_minutes": 1440},
        content_type="application/json",
    ).json()
    assert capped["timeout"] == 1440


def test_a_profile_is_a_copy_of_a_closed_sessions_browser_data(client, org, sent):
    session = _running(org)
    refused = client.post(
        "/v1/browser_profiles",
        {"name": "p", "browser_session_id": session.session_id},
        content_type="application/json",
    )
    assert refused.status_code == 409 and "close it first" in refused.json()["detail"]
    sessions.browser_session_end(session_id=session.session_id, status="completed")
    default_storage.save(session_snapshot_name(session), ContentFile(b"archive"))

    made = client.post(
        "/v1/browser_profiles",
        {"name": "Signed in", "browser_session_id": session.session_id},
        content_type="application/json",
    )

    assert made.status_code == 200, made.content
    profile_id = made.json()["browser_profile_id"]
    assert client.get(f"/v1/browser_profiles/{profile_id}").json()["name"] == "Signed in"
    assert [p["browser_profile_id"] for p in client.get("/v1/browser_profiles").json()] == [profile_id]
    assert client.delete(f"/v1/browser_profiles/{profile_id}").status_code == 204
    assert client.get(f"/v1/browser_profiles/{profile_id}").status_code == 404


def test_the_sweep_sends_a_lost_run_on_a_session_back_to_that_sessions_worker(org, sent, monkeypatch):
    session = _running(org)
    run = TaskRunFactory(organization=org, browser_session_id=session.session_id)
    TaskRun.objects.filter(pk=run.pk).update(status="queued", queued_at=timezone.now() - timedelta(minutes=5))
    asked = []
    monkeypatch.setattr(
        "runs.dispatch.runs_waiting", lambda *, run_ids, queues=(): asked.append(queues) or set()
    )

    assert runs_redispatch(grace_seconds=15) == [run.run_id]
    assert asked == [{"browser.w1@host"}]  # the broker is asked about the worker's own queue too
    assert sent == [("run", run.run_id, "browser.w1@host")]


def test_the_reaper_times_out_expired_sessions_and_fails_silent_ones(org, sent):
    expired = _running(org)
    BrowserSession.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    silent = _running(org)
    BrowserSession.objects.filter(pk=silent.pk).update(heartbeat_at=timezone.now() - timedelta(minutes=5))
    fresh = _running(org)

    assert sorted(sessions.browser_sessions_reap(stale_after_seconds=60)) == sorted(
        [expired.session_id, silent.session_id]
    )
    expired.refresh_from_db(), silent.refresh_from_db(), fresh.refresh_from_db()
    assert (expired.status, silent.status, fresh.status) == ("timed_out", "failed", "running")
    assert "timeout of 60 minutes" in expired.close_reason and "stopped responding" in silent.close_reason
    assert ("close", expired.session_id, "browser.w1@host") in sent  # its worker stops the browser


def test_runs_waiting_on_a_session_whose_worker_died_fail_saying_so(org, sent):
    session = _running(org)
    BrowserSession.objects.filter(pk=session.pk).update(heartbeat_at=timezone.now() - timedelta(minutes=5))
    waiting = TaskRunFactory(organization=org, browser_session_id=session.session_id)
    TaskRun.objects.filter(pk=waiting.pk).update(status="queued")

    assert reap_browser_sessions() == [session.session_id]

    waiting.refresh_from_db()
    assert waiting.status == "failed"
    assert waiting.failure_reason == (
        f"Browser session {session.session_id} ended before this run started "
        "(The worker that held this browser stopped responding)"
    )


def test_the_legacy_routes_start_list_read_and_close_a_session(
    client, org, sent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        # The legacy spec's POST has no body.
        made = client.generic("POST", "/api/v1/browser_sessions", b"", content_type="application/json")
    assert made.status_code == 200, made.content
    body = made.json()
    session_id = body["session_id"]
    assert session_id.startswith("pbs_") and body["browser_session_id"] == session_id
    assert body["organization_id"] == org.organization_id and body["timeout"] == 60
    assert {"runnable_type", "runnable_id", "created_at", "modified_at", "deleted_at"} <= set(body)
    assert sent == [("start", session_id, "browser")]

    sized = client.post("/api/v1/browser_sessions", {"timeout": 15}, content_type="application/json")
    assert sized.json()["timeout"] == 15
    listed = client.get("/api/v1/browser_sessions").json()
    assert {s["session_id"] for s in listed} == {session_id, sized.json()["session_id"]}
    assert client.get(f"/api/v1/browser_sessions/{session_id}").json()["status"] == "created"

    closed = client.post(f"/api/v1/browser_sessions/{session_id}/close")
    assert closed.status_code == 200 and closed.json()["session_id"] == session_id
    assert client.get(f"/api/v1/browser_sessions/{session_id}").json()["status"] == "completed"
    assert client.get("/api/v1/browser_sessions/pbs_missing").status_code == 404
    assert (
        client.post("/api/v1/browser_sessions", {"timeout": 2}, content_type="application/json").status_code
        == 422
    )
