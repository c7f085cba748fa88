"""The served ASGI application: API requests take the one-hop handler (skyvern_site/api_http.py) and answer as
the API always has; the dashboard keeps Django's own handler."""

import httpx
import pytest
from asgiref.sync import sync_to_async

from runs.choices import RunStatus
from runs.models import TaskRun
from runs.services import api_key_create
from skyvern_site.api_http import OneHopHandler
from skyvern_site.asgi import application
from tests.support.factories import ArtifactFactory, OrganizationFactory, TaskRunFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def served(no_worker) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=application)
    return httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000")


@sync_to_async
def _org_with_key() -> tuple[object, str]:
    org = OrganizationFactory()
    return org, api_key_create(organization=org, name="asgi")[1]


def test_the_api_is_served_by_the_one_hop_handler():
    from skyvern_site.asgi import api_http_app

    assert isinstance(api_http_app, OneHopHandler)


async def test_a_run_is_read_through_the_served_app(served):
    org, raw = await _org_with_key()
    run = await sync_to_async(TaskRunFactory)(organization=org)

    response = await served.get(f"/v1/runs/{run.run_id}", headers={"x-api-key": raw})

    assert response.status_code == 200
    assert response.json()["run_id"] == run.run_id
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    assert response.headers["x-content-type-options"] == "nosniff"  # the middleware stack ran


async def test_a_task_posted_through_the_served_app_is_stored_queued(served):
    org, raw = await _org_with_key()

    response = await served.post(
        "/v1/run/tasks/",
        json={"prompt": "Read the title", "url": "https://93.184.215.14/"},
        headers={"x-api-key": raw},
    )

    assert response.status_code == 200, response.text
    run = await TaskRun.objects.aget(run_id=response.json()["run_id"])
    assert (run.status, run.organization_id) == (RunStatus.QUEUED, org.pk)


async def test_a_wrong_key_and_a_bad_body_keep_their_json_answers(served):
    _, raw = await _org_with_key()

    wrong = await served.get("/v1/runs/tsk_1", headers={"x-api-key": "sk_wrong"})
    bad = await served.post("/v1/run/tasks", content=b"{not json", headers={"x-api-key": raw})

    assert (wrong.status_code, wrong.json()) == (403, {"detail": "Invalid credentials"})
    assert bad.status_code == 400 and "detail" in bad.json()


async def test_an_artifact_file_streams_through_the_served_app(served):
    org, raw = await _org_with_key()
    artifact = await sync_to_async(ArtifactFactory)(run=await sync_to_async(TaskRunFactory)(organization=org))

    response = await served.get(f"/v1/artifacts/{artifact.artifact_id}/content", headers={"x-api-key": raw})

    assert response.status_code == 200
    assert response.content == b"\x89PNG fake image bytes"


async def test_the_dashboard_keeps_djangos_handler(served):
    response = await served.get("/runs")

    assert response.status_code == 302
    assert response.headers["location"].startswith("/accounts/login/")
