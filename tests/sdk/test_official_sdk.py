"""The official Skyvern Python SDK (skyvern==1.0.56, installed into var/sdk by scripts/test) against a
live server: it must work unchanged and parse every answer."""

import importlib.metadata
import sys
from pathlib import Path

import httpx
import pytest
from django.core.files.base import ContentFile

from runs.choices import RunStatus
from runs.models import TaskRun
from runs.services import api_key_create
from tests.conftest import service_missing
from tests.support.factories import ActionFactory, ArtifactFactory, OrganizationFactory, StepFactory

SDK_DIR = Path(__file__).resolve().parents[2] / "var" / "sdk"
SDK_VERSION = "1.0.56"

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="module")
def sdk():
    """The SDK's client module; appended to sys.path so it can shadow nothing of ours."""
    if str(SDK_DIR) not in sys.path:
        sys.path.append(str(SDK_DIR))
    try:
        import skyvern.client
    except ImportError:
        service_missing(f"the Skyvern SDK is not installed in {SDK_DIR} (scripts/test installs it)")
    [dist] = importlib.metadata.distributions(name="skyvern", path=[str(SDK_DIR)])
    assert dist.version == SDK_VERSION
    return skyvern.client


@pytest.fixture(autouse=True)
def _no_worker(no_worker):
    """Runs stay queued (see tests/conftest.py)."""


@pytest.fixture
def org_and_key():
    org = OrganizationFactory()
    return org, api_key_create(organization=org)[1]


@pytest.fixture
def http():
    """Closed when the test ends, so the live server's request threads finish inside the test: a kept-alive
    connection closed later makes Django close an in-memory SQLite connection from the wrong thread."""
    with httpx.Client(timeout=10) as client:
        yield client


@pytest.fixture
def client(sdk, live_server, org_and_key, http):
    return sdk.Skyvern(base_url=live_server.url, api_key=org_and_key[1], httpx_client=http)


SCHEMA = {"type": "object", "properties": {"price": {"type": "number"}}, "required": ["price"]}


def test_run_task_get_run_and_cancel_run_work_unchanged(client):
    created = client.run_task(
        prompt="Find the price of the red mug",
        url="https://shop.example/mugs",
        engine="skyvern-1.0",
        data_extraction_schema=SCHEMA,
        max_steps=4,
        title="Mug price",
    )

    assert created.status == "queued"
    assert created.run_request.max_steps == 4
    assert created.run_request.data_extraction_schema == SCHEMA
    run = TaskRun.objects.get(run_id=created.run_id)
    assert (run.max_steps, run.title, run.status) == (4, "Mug price", RunStatus.QUEUED)

    fetched = client.get_run(created.run_id)
    assert fetched.run_type == "task_v1"
    assert fetched.run_id == created.run_id
    assert fetched.app_url.endswith(f"/runs/{created.run_id}")

    client.cancel_run(created.run_id)
    assert client.get_run(created.run_id).status == "canceled"


def test_an_unknown_run_raises_the_sdks_not_found_error(sdk, client):
    from skyvern.client.errors import NotFoundError

    with pytest.raises(NotFoundError) as raised:
        client.get_run("tsk_123456")

    assert raised.value.body == {"detail": "Run not found"}


def test_a_refused_engine_raises_the_sdks_bad_request_error(client, monkeypatch):
    from skyvern.client.errors import BadRequestError

    monkeypatch.setattr("runs.services.run_requests.engines_supported", lambda: frozenset({"skyvern-2.0"}))
    with pytest.raises(BadRequestError) as raised:
        client.run_task(prompt="p", engine="skyvern-1.0")

    assert "not supported" in raised.value.body["detail"]


def test_a_wrong_key_is_a_403_for_the_sdk(sdk, live_server, http):
    from skyvern.client.core.api_error import ApiError

    with pytest.raises(ApiError) as raised:
        sdk.Skyvern(base_url=live_server.url, api_key="sk_wrong", httpx_client=http).get_run("tsk_1")

    assert raised.value.status_code == 403


def test_the_sdk_parses_artifacts_and_the_timeline(client, org_and_key):
    run_id = client.run_task(prompt="p", url="https://shop.example/").run_id
    run = TaskRun.objects.get(run_id=run_id)
    step = StepFactory(run=run, order=0)
    artifact = ArtifactFactory(run=run, step=step)
    ActionFactory(step=step, action_type="click", screenshot=artifact)

    [listed] = client.get_run_artifacts(run_id, artifact_type="screenshot_action")
    [entry] = client.get_run_timeline(run_id)

    assert listed.artifact_id == artifact.artifact_id and listed.signed_url
    assert entry.type == "block"
    assert entry.block.actions[0].action_type == "click"
    assert client.get_run(run_id).screenshot_urls == [listed.signed_url]


def _task(client, prompt: str = "p", **fields):
    return client.run_task(prompt=prompt, url="https://shop.example/", engine="skyvern-1.0", **fields)


def test_get_runs_v2_parses_the_list_and_its_filters_work(client):
    mugs = _task(client, "Find mugs", title="Mugs")
    plates = _task(client, "Find plates")
    client.cancel_run(plates.run_id)

    listed = client.get_runs_v2(page=1, page_size=10)
    queued = client.get_runs_v2(status=["queued"], run_type=["task_v1"], search_key="mug")

    assert [item.run_id for item in listed] == [plates.run_id, mugs.run_id]
    [item] = queued
    assert (item.task_run_id, item.task_run_type, item.status, item.title) == (
        mugs.run_id,
        "task_v1",
        "queued",
        "Mugs",
    )
    assert item.created_at.tzinfo is not None and item.finished_at is None
    assert [item.run_id for item in client.get_runs_v2(status="canceled")] == [plates.run_id]


def test_bulk_cancel_runs_parses_its_answer(client):
    run_id = _task(client).run_id

    answer = client.bulk_cancel_runs(run_ids=[run_id, "tsk_404"])

    assert (answer.cancelled, answer.failed) == ([run_id], ["tsk_404"])
    assert client.get_run(run_id).status == "canceled"


def test_get_version_parses(client):
    assert client.get_version() == {"version": "0.1.0"}


def test_artifact_content_comes_back_to_the_organizations_key_only(client, sdk, live_server, http):
    from skyvern.client.errors import NotFoundError

    run = TaskRun.objects.get(run_id=_task(client).run_id)
    answer = ArtifactFactory(
        run=run,
        artifact_type="llm_response_parsed",
        file=ContentFile(b'{"action": "click"}', name="answer.json"),
        content_type="application/json",
    )
    stranger = sdk.Skyvern(
        base_url=live_server.url,
        api_key=api_key_create(organization=OrganizationFactory())[1],
        httpx_client=http,
    )

    [listed] = client.get_run_artifacts(run.run_id)

    assert listed.artifact_id == answer.artifact_id
    assert client.artifacts.get_artifact_content(answer.artifact_id) == {"action": "click"}
    with pytest.raises(NotFoundError):
        client.artifacts.get_artifact_content("a_404")
    with pytest.raises(NotFoundError):
        stranger.artifacts.get_artifact_content(answer.artifact_id)
