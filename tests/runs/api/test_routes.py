"""Every route answers with and without a trailing slash, and /api/docs serves a valid OpenAPI schema."""

import json
from pathlib import Path

import pytest
from django.test import Client

from agent.engines import ENGINES
from agent.engines.skyvern_v1 import SkyvernV1
from tests.runs.api.test_browser_sessions_api import SESSION_ROUTES
from tests.runs.api.test_scripts_api import SCRIPT_ROUTES
from tests.runs.api.test_workflows import WORKFLOW_ROUTES
from tests.support.factories import ArtifactFactory, StepFactory, TaskRunFactory

pytestmark = pytest.mark.django_db

SPECS = Path(__file__).resolve().parents[4] / "shared" / "skyvern-openapi"

ROUTES = [
    ("post", "/v1/run/tasks"),
    ("get", "/v1/runs"),
    ("get", "/v1/runs/{run_id}"),
    ("post", "/v1/runs/{run_id}/cancel"),
    ("post", "/v1/runs/{run_id}/retry_webhook"),
    ("get", "/v1/runs/{run_id}/timeline"),
    ("get", "/v1/runs/{run_id}/artifacts"),
    ("get", "/v1/artifacts/{artifact_id}"),
    ("get", "/api/v1/heartbeat"),
    ("get", "/api/v1/models"),
    ("get", "/api/v1/tasks"),
    ("get", "/api/v1/tasks/{task_id}"),
    ("get", "/api/v1/tasks/{task_id}/steps"),
    ("get", "/api/v1/tasks/{task_id}/actions"),
    ("post", "/api/v1/tasks/{task_id}/cancel"),
    ("post", "/v1/runs/cancel"),
    ("get", "/v1/run/tasks/{run_id}"),
    ("get", "/v1/version"),
    ("post", "/api/v1/tasks"),
    ("get", "/api/v1/runs"),
    ("post", "/api/v1/tasks/{task_id}/retry_webhook"),
    ("get", "/api/v1/tasks/{task_id}/steps/{step_id}/artifacts"),
    ("get", "/api/v1/{entity_type}/{entity_id}/artifacts"),
    ("post", "/api/v2/tasks"),
    ("get", "/api/v2/tasks/{task_id}"),
]
# Multipart uploads (tests/sdk/test_sdk_uploads.py exercises them).
UPLOAD_ROUTES = [("post", "/v1/upload_file"), ("post", "/api/v1/upload_file")]
# Credentials and pushed 2FA codes (tests/runs/api/test_credentials.py exercises them).
CREDENTIAL_ROUTES = [
    ("get", "/v1/credentials"),
    ("post", "/v1/credentials"),
    ("get", "/v1/credentials/{credential_id}"),
    ("delete", "/v1/credentials/{credential_id}"),
    ("post", "/v1/credentials/{credential_id}/delete"),
    ("post", "/v1/credentials/totp"),
    ("post", "/v1/run/tasks/login"),
    ("get", "/api/v1/credentials"),
    ("post", "/api/v1/credentials"),
    ("get", "/api/v1/credentials/{credential_id}"),
    ("delete", "/api/v1/credentials/{credential_id}"),
    ("post", "/api/v1/totp"),
]
# A body each POST route accepts (an empty one elsewhere).
BODIES = {
    "/v1/run/tasks": {"prompt": "p", "engine": "skyvern-1.0"},
    "/v1/runs/cancel": {"run_ids": ["tsk_1"]},
    "/api/v1/tasks": {"url": "https://example.com", "navigation_goal": "p"},
    "/api/v2/tasks": {"user_prompt": "p"},
}


@pytest.mark.parametrize("slash", ["", "/"])
@pytest.mark.parametrize("method, path", ROUTES)
def test_every_route_answers_with_and_without_a_trailing_slash(client, org, monkeypatch, method, path, slash):
    monkeypatch.setattr(
        "runs.execution.webhooks.webhook_send",
        lambda *, run: {"status_code": 200, "latency_ms": 1, "error": None},
    )
    monkeypatch.setitem(ENGINES, "skyvern-2.0", SkyvernV1)  # for /api/v2/tasks, whatever engines exist
    run = TaskRunFactory(organization=org, webhook_url="https://hooks.example/x")
    step = StepFactory(run=run, order=0)
    artifact = ArtifactFactory(run=run, step=step)
    ids = {"run_id": run.run_id, "task_id": run.run_id, "artifact_id": artifact.artifact_id}
    url = path.format(**ids, step_id=step.step_id, entity_type="task", entity_id=run.run_id) + slash
    body = BODIES.get(path, {})

    response = getattr(client, method)(url, body, content_type="application/json")

    assert response.status_code == 200, response.content


def test_the_docs_page_is_served_without_reaching_the_internet():
    response = Client().get("/api/docs")

    assert response.status_code == 200
    assert b"/api/openapi.json" in response.content
    assert b"/static/ninja/swagger-ui-bundle.js" in response.content  # bundled, not from a CDN
    assert Client().get("/static/ninja/swagger-ui-bundle.js").status_code == 200


def test_the_openapi_schema_is_valid_and_documents_each_route_once():
    from openapi_spec_validator import validate

    schema = Client().get("/api/openapi.json").json()

    validate(schema)
    documented = sorted((method, path) for path, ops in schema["paths"].items() for method in ops)
    assert documented == sorted(
        ROUTES + WORKFLOW_ROUTES + SCRIPT_ROUTES + SESSION_ROUTES + CREDENTIAL_ROUTES + UPLOAD_ROUTES
    )


def test_operation_ids_match_skyverns_where_skyvern_has_the_route():
    ours = Client().get("/api/openapi.json").json()["paths"]
    theirs = {}
    for name in ("skyvern_openapi_2025-12-15_classic.json", "skyvern_openapi_2025-03-21_legacy_api_v1.json"):
        theirs.update(json.loads((SPECS / name).read_text())["paths"])

    shared = [
        (path, method) for path, ops in ours.items() for method in ops if method in theirs.get(path, {})
    ]

    # runs, tasks, artifacts, workflows, scripts, sessions, profiles, credentials, uploads
    assert len(shared) == 69
    for path, method in shared:
        assert ours[path][method]["operationId"] == theirs[path][method]["operationId"]


def test_the_schema_documents_the_api_key_header():
    schemes = Client().get("/api/openapi.json").json()["components"]["securitySchemes"]

    assert {"type": "apiKey", "in": "header", "name": "x-api-key"} in schemes.values()
