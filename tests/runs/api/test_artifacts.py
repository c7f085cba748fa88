"""Artifacts: listing, one by id, and the file behind signed links or the owner's key."""

import time

import pytest
from django.test import Client

from runs.choices import ArtifactType
from runs.presenters import artifact_url
from tests.support.factories import ArtifactFactory, StepFactory, TaskRunFactory

pytestmark = pytest.mark.django_db

BASE = "http://127.0.0.1:8000"


def _path(url: str) -> str:
    return url.removeprefix(BASE)


def test_a_runs_artifacts_are_listed_oldest_first(client, org):
    run = TaskRunFactory(organization=org)
    step = StepFactory(run=run, order=0)
    first = ArtifactFactory(run=run, step=step)
    second = ArtifactFactory(run=run, artifact_type=ArtifactType.RECORDING)

    body = client.get(f"/v1/runs/{run.run_id}/artifacts").json()

    assert [a["artifact_id"] for a in body] == [first.artifact_id, second.artifact_id]
    assert body[0]["step_id"] == step.step_id and body[0]["run_id"] == run.run_id
    assert body[0]["organization_id"] == org.organization_id
    assert body[0]["artifact_type"] == "screenshot_action"


def test_artifact_type_filters_and_repeats(client, org):
    run = TaskRunFactory(organization=org)
    shot = ArtifactFactory(run=run, artifact_type=ArtifactType.SCREENSHOT_FINAL)
    video = ArtifactFactory(run=run, artifact_type=ArtifactType.RECORDING)
    ArtifactFactory(run=run, artifact_type=ArtifactType.LLM_PROMPT)

    one = client.get(f"/v1/runs/{run.run_id}/artifacts?artifact_type=recording").json()
    two = client.get(
        f"/v1/runs/{run.run_id}/artifacts?artifact_type=recording&artifact_type=screenshot_final"
    ).json()

    assert [a["artifact_id"] for a in one] == [video.artifact_id]
    assert {a["artifact_id"] for a in two} == {shot.artifact_id, video.artifact_id}
    assert client.get(f"/v1/runs/{run.run_id}/artifacts?artifact_type=har").json() == []
    assert client.get(f"/v1/runs/{run.run_id}/artifacts?artifact_type=bogus").status_code == 422


def test_one_artifact_is_answered_by_id(client, org):
    artifact = ArtifactFactory(run=TaskRunFactory(organization=org))

    body = client.get(f"/v1/artifacts/{artifact.artifact_id}").json()

    assert body["artifact_id"] == artifact.artifact_id
    assert body["uri"] == f"{BASE}/artifacts/{artifact.artifact_id}/content"
    assert body["signed_url"].startswith(body["uri"] + "?sig=")


def test_an_unknown_artifact_is_404(client):
    assert client.get("/v1/artifacts/a_123").json() == {"detail": "Artifact not found"}


def test_a_signed_link_opens_the_file_without_credentials(org):
    artifact = ArtifactFactory(run=TaskRunFactory(organization=org))

    response = Client().get(_path(artifact_url(artifact)))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"\x89PNG fake image bytes"
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("inline")


def test_the_owning_organizations_key_opens_the_file(client, org):
    artifact = ArtifactFactory(run=TaskRunFactory(organization=org))

    assert client.get(f"/artifacts/{artifact.artifact_id}/content").status_code == 200


def test_without_a_signature_or_a_key_the_file_is_refused(org):
    artifact = ArtifactFactory(run=TaskRunFactory(organization=org))

    response = Client().get(f"/artifacts/{artifact.artifact_id}/content?sig=forged:value")

    assert response.status_code == 403
    assert response.json() == {"detail": "Invalid or expired link"}


def test_a_signature_opens_only_the_artifact_it_was_made_for(org):
    run = TaskRunFactory(organization=org)
    mine, other = ArtifactFactory(run=run), ArtifactFactory(run=run)
    sig = artifact_url(mine).split("?sig=")[1]

    assert Client().get(f"/artifacts/{other.artifact_id}/content?sig={sig}").status_code == 403


def test_a_signed_link_expires(org, settings, monkeypatch):
    settings.ARTIFACT_LINK_SECONDS = 60
    artifact = ArtifactFactory(run=TaskRunFactory(organization=org))
    url = artifact_url(artifact)
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now + 60 + 600 + 1)

    assert Client().get(_path(url)).status_code == 403


def test_another_organizations_key_gets_404_for_the_file(other_org_run, client):
    artifact = ArtifactFactory(run=other_org_run)

    assert client.get(f"/artifacts/{artifact.artifact_id}/content").status_code == 404


def test_captured_html_is_sent_as_a_sandboxed_download(client, org):
    artifact = ArtifactFactory(
        run=TaskRunFactory(organization=org),
        artifact_type=ArtifactType.HTML_SCRAPE,
        content_type="text/html",
        filename="page.html",
    )

    response = client.get(f"/artifacts/{artifact.artifact_id}/content")

    assert response["Content-Disposition"].startswith("attachment")
    assert response["Content-Security-Policy"] == "sandbox"


def test_a_byte_range_is_answered_with_206_for_video_seeking(client, org):
    artifact = ArtifactFactory(run=TaskRunFactory(organization=org), content_type="video/webm")

    response = client.get(f"/artifacts/{artifact.artifact_id}/content", headers={"Range": "bytes=1-3"})

    assert response.status_code == 206
    assert response.content == b"PNG"
    assert response["Content-Range"] == f"bytes 1-3/{artifact.size}"


def test_a_missing_file_is_404_not_an_error(client, org):
    artifact = ArtifactFactory(run=TaskRunFactory(organization=org))
    artifact.file.delete(save=False)

    assert client.get(f"/artifacts/{artifact.artifact_id}/content").status_code == 404
