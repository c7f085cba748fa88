"""A page of runs costs a fixed number of queries, however many runs and artifacts it holds."""

import pytest

from runs.choices import ArtifactType
from tests.support.factories import ActionFactory, ArtifactFactory, StepFactory, TaskRunFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def busy_org(org):
    for _ in range(20):
        run = TaskRunFactory(organization=org)
        ArtifactFactory.create_batch(4, run=run)
        ArtifactFactory(run=run, artifact_type=ArtifactType.RECORDING)
        ArtifactFactory(run=run, artifact_type=ArtifactType.DOWNLOAD)
        ActionFactory(step=StepFactory(run=run, order=0))
    return org


@pytest.mark.parametrize("path", ["/v1/runs?page_size=20", "/api/v1/tasks?page_size=20"])
def test_listing_runs_does_not_query_per_run(client, busy_org, django_assert_max_num_queries, path):
    with django_assert_max_num_queries(6):
        assert len(client.get(path).json()) == 20


def test_a_run_with_screenshots_recording_and_downloads_is_a_handful_of_queries(
    client, busy_org, django_assert_max_num_queries
):
    run_id = client.get("/v1/runs?page_size=1").json()[0]["run_id"]

    with django_assert_max_num_queries(5):
        body = client.get(f"/v1/runs/{run_id}").json()

    assert len(body["screenshot_urls"]) == 3 and body["recording_url"] and len(body["downloaded_files"]) == 1
