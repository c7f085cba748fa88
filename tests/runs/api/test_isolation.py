"""Every route is scoped to the key's organization: another organization's run is 404, and unchanged."""

import pytest

from runs.choices import RunStatus
from runs.models import TaskRun
from tests.support.factories import ArtifactFactory, run_in_status

pytestmark = pytest.mark.django_db

RUN_ROUTES = [
    ("get", "/v1/runs/{id}"),
    ("post", "/v1/runs/{id}/cancel"),
    ("post", "/v1/runs/{id}/retry_webhook"),
    ("get", "/v1/runs/{id}/timeline"),
    ("get", "/v1/runs/{id}/artifacts"),
    ("get", "/api/v1/tasks/{id}"),
    ("get", "/api/v1/tasks/{id}/steps"),
    ("get", "/api/v1/tasks/{id}/actions"),
    ("post", "/api/v1/tasks/{id}/cancel"),
]


@pytest.mark.parametrize("method, path", RUN_ROUTES)
def test_another_organizations_run_is_not_found(client, other_org_run, method, path):
    other_org_run.webhook_url = "https://hooks.example/x"
    other_org_run.save()

    response = getattr(client, method)(path.format(id=other_org_run.run_id), content_type="application/json")

    assert response.status_code == 404
    assert response.json() == {"detail": "Run not found"}


@pytest.mark.parametrize("path", ["/v1/runs/{id}/cancel", "/api/v1/tasks/{id}/cancel"])
def test_cancelling_another_organizations_run_leaves_it_running(client, other_org_run, path):
    running = run_in_status(RunStatus.RUNNING, organization=other_org_run.organization)

    client.post(path.format(id=running.run_id))

    assert TaskRun.objects.get(pk=running.pk).status == RunStatus.RUNNING


def test_another_organizations_artifact_is_not_found(client, other_org_run):
    artifact = ArtifactFactory(run=other_org_run)

    assert client.get(f"/v1/artifacts/{artifact.artifact_id}").status_code == 404
    assert client.get(f"/artifacts/{artifact.artifact_id}/content").status_code == 404


def test_lists_never_show_another_organizations_runs(client, other_org_run):
    assert client.get("/v1/runs").json() == []
    assert client.get("/api/v1/tasks").json() == []
    assert client.get(f"/v1/runs?search={other_org_run.prompt}").json() == []
