"""GET /v1/runs/{run_id} and GET /v1/runs."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from runs.choices import ArtifactType, RunStatus
from runs.models import TaskRun
from tests.support.factories import ArtifactFactory, TaskRunFactory, run_in_status

pytestmark = pytest.mark.django_db


def test_a_run_is_answered_with_every_task_run_response_field(client, org):
    run = run_in_status(RunStatus.COMPLETED, organization=org, output={"price": 12.5}, step_count=3)

    body = client.get(f"/v1/runs/{run.run_id}").json()

    assert body["run_id"] == run.run_id
    assert body["status"] == "completed"
    assert body["output"] == {"price": 12.5}
    assert body["step_count"] == 3
    assert body["run_type"] == "task_v1"
    expected = {"downloaded_files", "recording_url", "screenshot_urls", "failure_reason", "errors", "app_url"}
    assert expected | {"queued_at", "started_at", "finished_at", "browser_session_id", "run_request"} <= set(
        body
    )


def test_timestamps_are_iso_8601(client, org):
    run = TaskRunFactory(organization=org)

    body = client.get(f"/v1/runs/{run.run_id}").json()

    parsed = datetime.fromisoformat(body["created_at"].replace("Z", "+00:00"))
    assert abs(parsed - run.created_at) < timedelta(milliseconds=1)


def test_screenshot_urls_are_signed_links_latest_first(client, org):
    run = TaskRunFactory(organization=org)
    shots = [ArtifactFactory(run=run) for _ in range(4)]
    ArtifactFactory(run=run, artifact_type=ArtifactType.LLM_PROMPT)

    urls = client.get(f"/v1/runs/{run.run_id}").json()["screenshot_urls"]

    assert [url.split("/artifacts/")[1].split("/")[0] for url in urls] == [
        s.artifact_id for s in shots[::-1][:3]
    ]
    assert all("?sig=" in url for url in urls)


def test_recording_and_downloads_are_links_that_open_the_file(client, org):
    run = TaskRunFactory(organization=org)
    ArtifactFactory(
        run=run, artifact_type=ArtifactType.RECORDING, content_type="video/webm", filename="run.webm"
    )
    ArtifactFactory(run=run, artifact_type=ArtifactType.DOWNLOAD, filename="invoice.pdf", checksum="ab" * 32)

    body = client.get(f"/v1/runs/{run.run_id}").json()

    assert body["recording_url"].startswith("http://127.0.0.1:8000/artifacts/")
    [download] = body["downloaded_files"]
    assert download["filename"] == "invoice.pdf" and download["checksum"] == "ab" * 32
    path = download["url"].removeprefix("http://127.0.0.1:8000")
    assert client.get(path).status_code == 200


def test_errors_stored_as_strings_are_answered_as_objects(client, org):
    run = TaskRunFactory(organization=org, errors=["boom", {"error_code": "E1"}])

    assert client.get(f"/v1/runs/{run.run_id}").json()["errors"] == [
        {"message": "boom"},
        {"error_code": "E1"},
    ]


def test_an_unknown_run_is_404(client):
    response = client.get("/v1/runs/tsk_404")

    assert response.status_code == 404
    assert response.json() == {"detail": "Run not found"}


@pytest.mark.parametrize("run_id", ["tsk_%00", "..", "tsk_1%20OR%201=1", "x" * 300])
def test_malformed_run_ids_are_404_not_errors(client, run_id):
    assert client.get(f"/v1/runs/{run_id}").status_code == 404


def _runs(org, count: int, **fields) -> list[TaskRun]:
    runs = [TaskRunFactory(organization=org, **fields) for _ in range(count)]
    for age, run in enumerate(reversed(runs)):  # the last one created is the newest
        TaskRun.objects.filter(pk=run.pk).update(created_at=timezone.now() - timedelta(minutes=age))
    return runs


def test_the_list_is_newest_first_and_paged(client, org):
    runs = _runs(org, 5)

    first = client.get("/v1/runs?page_size=2").json()
    third = client.get("/v1/runs?page=3&page_size=2").json()

    assert [r["run_id"] for r in first] == [runs[4].run_id, runs[3].run_id]
    assert [r["run_id"] for r in third] == [runs[0].run_id]
    assert client.get("/v1/runs?page=4&page_size=2").json() == []


@pytest.mark.parametrize("query", ["page=0", "page_size=0", "page_size=101", "page=x", "page=-1"])
def test_paging_out_of_bounds_is_a_validation_error(client, query):
    response = client.get(f"/v1/runs?{query}")

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][0] == "query"


def test_the_list_filters_by_several_statuses(client, org):
    run_in_status(RunStatus.QUEUED, organization=org)
    failed = run_in_status(RunStatus.FAILED, organization=org)
    done = run_in_status(RunStatus.COMPLETED, organization=org)

    body = client.get("/v1/runs?status=failed&status=completed").json()

    assert {r["run_id"] for r in body} == {failed.run_id, done.run_id}
    assert client.get("/v1/runs?status=exploded").status_code == 422


def test_search_looks_in_title_prompt_and_url(client, org):
    by_title = TaskRunFactory(organization=org, title="Weekly INVOICE download")
    by_prompt = TaskRunFactory(organization=org, prompt="fetch the invoice for March")
    by_url = TaskRunFactory(organization=org, url="https://billing.example/invoices")
    TaskRunFactory(organization=org, prompt="something else")

    body = client.get("/v1/runs?search=invoice").json()

    assert {r["run_id"] for r in body} == {by_title.run_id, by_prompt.run_id, by_url.run_id}


def test_the_list_holds_only_the_callers_runs(client, org, other_org_run):
    mine = TaskRunFactory(organization=org)

    assert [r["run_id"] for r in client.get("/v1/runs").json()] == [mine.run_id]


def test_a_nul_in_the_search_is_a_validation_error(client):
    assert client.get("/v1/runs?search=a%00b").status_code == 422


def test_task_details_under_run_tasks_are_the_run(client, org):
    run = run_in_status(RunStatus.COMPLETED, organization=org, output={"price": 1})

    details = client.get(f"/v1/run/tasks/{run.run_id}")

    assert details.status_code == 200
    assert details.json() == client.get(f"/v1/runs/{run.run_id}").json()
    assert client.get("/v1/run/tasks/tsk_404").json() == {"detail": "Run not found"}


def test_list_items_carry_the_sdks_task_run_list_item_fields_and_the_whole_run(client, org):
    run = run_in_status(RunStatus.COMPLETED, organization=org, title="Mugs")

    [item] = client.get("/v1/runs").json()

    assert item["task_run_id"] == item["run_id"] == run.run_id
    assert item["task_run_type"] == item["run_type"] == "task_v1"
    assert (item["status"], item["title"]) == ("completed", "Mugs")
    assert item["started_at"] and item["finished_at"] and item["created_at"]
    assert item["workflow_permanent_id"] is None and item["script_run"] is None
    whole = client.get(f"/v1/runs/{run.run_id}").json()
    assert {name: item[name] for name in whole} == whole


def test_the_list_filters_by_run_type(client, org):
    v1 = TaskRunFactory(organization=org)
    v2 = TaskRunFactory(organization=org, engine="skyvern-2.0", run_type="task_v2")

    assert [r["run_id"] for r in client.get("/v1/runs?run_type=task_v2").json()] == [v2.run_id]
    both = client.get("/v1/runs?run_type=task_v1&run_type=task_v2").json()
    assert {r["run_id"] for r in both} == {v1.run_id, v2.run_id}
    assert (
        client.get("/v1/runs?run_type=workflow_run").json() == []
    )  # a type Skyvern has and this server never makes
    assert client.get("/v1/runs?run_type=nope").status_code == 422


def test_search_key_is_the_sdks_name_for_search(client, org):
    wanted = TaskRunFactory(organization=org, title="Quarterly invoice")
    TaskRunFactory(organization=org, title="Something else")

    assert [r["run_id"] for r in client.get("/v1/runs?search_key=INVOICE").json()] == [wanted.run_id]
    assert [r["run_id"] for r in client.get("/v1/runs?search=invoice").json()] == [wanted.run_id]


def test_a_status_only_skyvern_has_matches_nothing(client, org):
    TaskRunFactory(organization=org)

    assert client.get("/v1/runs?status=paused").json() == []
