"""A closed session's recording behind a signed link, and browser profiles made from a finished run's
cookies and storage (kept encrypted, never as an artifact)."""

from __future__ import annotations

import json

import pytest
from django.core.files.storage import default_storage
from django.test import Client

from runs.execution.session_recording import keep_recording, recording_storage_name
from runs.models import BrowserProfile, BrowserSession, TaskRun
from runs.services.browser_profiles import profile_state
from runs.services.keys import api_key_create
from runs.services.run_storage import run_storage_keep, run_storage_name
from tests.support.factories import OrganizationFactory, TaskRunFactory

pytestmark = pytest.mark.django_db
COOKIE_VALUE = "s3ss10n-c00k1e-value"
STATE = {
    "cookies": [
        {
            "name": "sessionid",
            "value": COOKIE_VALUE,
            "domain": "127.0.0.1",
            "path": "/",
            "expires": -1,
            "httpOnly": True,
            "secure": False,
            "sameSite": "Lax",
        }
    ],
    "origins": [{"origin": "http://127.0.0.1:8000", "localStorage": [{"name": "k", "value": "v"}]}],
}


def _profile_from(client: Client, run_id: str):
    body = {"name": "from a run", "workflow_run_id": run_id}
    return client.post("/v1/browser_profiles", body, content_type="application/json")


def test_a_finished_runs_browser_state_becomes_a_profile(client, org, artifact_storage, tmp_path):
    run = TaskRunFactory(organization=org)
    (tmp_path / "storage_state.json").write_text(json.dumps(STATE))

    assert run_storage_keep(run=run, run_dir=tmp_path)

    assert not (tmp_path / "storage_state.json").exists()
    with default_storage.open(run_storage_name(run), "rb") as handle:
        assert COOKIE_VALUE.encode() not in handle.read()  # encrypted at rest
    refused = _profile_from(client, run.run_id)
    assert refused.status_code == 409 and "still created" in refused.json()["detail"]
    TaskRun.objects.filter(pk=run.pk).update(status="completed")

    made = _profile_from(client, run.run_id)

    assert made.status_code == 200, made.content
    body = made.json()
    assert body["source_run_id"] == run.run_id and body["source_browser_session_id"] is None
    profile = BrowserProfile.objects.get(profile_id=body["browser_profile_id"])
    assert profile_state(profile) == STATE
    assert client.get(f"/v1/runs/{run.run_id}/artifacts").json() == []


def test_a_profile_needs_a_finished_run_of_the_organization_that_kept_a_state(
    client, org, other_org_run, artifact_storage
):
    bare = TaskRunFactory(organization=org)
    TaskRun.objects.filter(pk=bare.pk).update(status="failed")
    no_state = _profile_from(client, bare.run_id)
    assert no_state.status_code == 409 and "kept no browser state" in no_state.json()["detail"]
    assert _profile_from(client, other_org_run.run_id).status_code == 404
    assert _profile_from(client, "wr_0").status_code == 404
    body = {"name": "x", "workflow_run_id": bare.run_id, "browser_session_id": "pbs_0"}
    both = client.post("/v1/browser_profiles", body, content_type="application/json")
    assert both.status_code == 400 and "not both" in both.json()["detail"]


def test_a_closed_sessions_recording_is_listed_with_a_signed_link(client, org, artifact_storage, tmp_path):
    session = BrowserSession.objects.create(organization=org, status="completed")
    (tmp_path / "recording.webm").write_bytes(b"\x1a\x45\xdf\xa3 a webm")
    BrowserSession.objects.filter(pk=session.pk).update(recordings=keep_recording(session, tmp_path))
    assert default_storage.exists(recording_storage_name(session))

    listed = client.get(f"/v1/browser_sessions/{session.session_id}").json()["recordings"]

    assert [r["filename"] for r in listed] == ["recording.webm"]
    link = listed[0]["url"]
    assert link.startswith("http") and "sig=" in link
    path = link.split("://", 1)[1].split("/", 1)[1]
    opened = Client().get("/" + path)  # no key: the signature opens it
    assert opened.status_code == 200 and opened["Content-Type"] == "video/webm"
    assert b"".join(opened.streaming_content) == b"\x1a\x45\xdf\xa3 a webm"
    bare = "/" + path.split("?")[0]
    assert Client().get(bare).status_code == 403
    assert Client().get(bare + "?sig=forged").status_code == 403
    assert client.get(bare).status_code == 200
    _, raw = api_key_create(organization=OrganizationFactory())
    assert Client(headers={"x-api-key": raw}).get(bare).status_code == 404


@pytest.mark.parametrize("record", [True, False])
def test_browser_record_video_switches_session_recordings(org, settings, tmp_path, record):
    from runs.execution.browser_sessions import spec_for

    settings.BROWSER_RECORD_VIDEO = record
    session = BrowserSession.objects.create(organization=org)

    spec = spec_for(session, tmp_path / session.session_id / "profile")

    expected = tmp_path / session.session_id / "recording.webm" if record else None
    assert spec.recording_path == expected
