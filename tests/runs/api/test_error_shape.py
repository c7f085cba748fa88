"""Every error on an API path is JSON `{"detail": ...}`, including those Django and ninja answer outside the
API's exception handlers (unknown paths, wrong methods, errors in plain views); dashboard pages keep HTML."""

import json

import pytest
from django.test import AsyncClient, Client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "method, path, allowed",
    [
        ("DELETE", "/v1/runs/tsk_1", "GET"),
        ("PUT", "/v1/run/tasks", "POST"),
        ("PATCH", "/api/v1/tasks/tsk_1/cancel/", "POST"),
        ("GET", "/v1/runs/cancel", "POST"),  # bulk cancel, not a run called "cancel"
        ("POST", "/v1/artifacts/a_1/content", "GET"),
    ],
)
def test_a_wrong_method_is_a_json_405_with_the_allowed_methods(client, method, path, allowed):
    response = client.generic(method, path)

    assert response.status_code == 405
    assert response["Allow"] == allowed
    assert response.json()["detail"].startswith(f"Method {method} is not allowed here")


async def test_the_405_is_json_under_asgi_too():
    response = await AsyncClient().delete("/v1/run/tasks")

    assert response.status_code == 405
    assert response.json() == {"detail": "Method DELETE is not allowed here; use POST"}


@pytest.mark.parametrize(
    "path", ["/v1", "/v1/", "/v1/nothing/here", "/api", "/api/", "/api/v3/tasks", "/api/v1/x"]
)
def test_an_unknown_api_path_is_a_json_404(path):
    response = Client().get(path)

    assert response.status_code == 404
    assert response.json() == {"detail": "Not Found"}


def test_an_unknown_dashboard_page_keeps_the_html_404():
    response = Client().get("/no-such-page")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def _explode(*args, **kwargs):
    raise RuntimeError("boom")


@pytest.mark.parametrize(
    "path, json_body", [("/v1/artifacts/a_1/content", True), ("/artifacts/a_1/content", False)]
)
def test_an_error_in_a_plain_view_is_json_on_api_paths_only(monkeypatch, path, json_body):
    monkeypatch.setattr("runs.api.files._authorised_artifact", _explode)

    response = Client(raise_request_exception=False).get(path)

    assert response.status_code == 500
    if json_body:
        assert response.json() == {"detail": "Internal server error"}
    else:
        assert response["Content-Type"].startswith("text/html")


def test_an_error_in_an_api_operation_is_a_json_500(client, monkeypatch):
    monkeypatch.setattr("runs.selectors.run_list_for_org", _explode)

    response = client.get("/v1/runs")

    assert response.status_code == 500
    assert response.json() == {"detail": "Internal server error"}


TOTP_NUMBER_DATE = {"totp_identifier": "a", "content": "123456", "expired_at": 3.2}


@pytest.mark.parametrize(
    "method, path, body, status",
    [
        ("post", "/v1/browser_sessions", "[null, null]", 400),  # a body that is not an object
        ("post", "/v1/credentials/totp", TOTP_NUMBER_DATE, 422),  # a date-time given as a number
        ("get", "/v1/workflows/runs?status=bogus", None, 422),  # a status no run has
        ("get", "/v1/agents?status=%00", None, 422),
        ("get", "/v1/agents?search_key=a%00b", None, 422),  # a NUL byte PostgreSQL cannot take
        ("get", "/v1/credentials?search=a%00b", None, 422),
        ("get", "/v1/scripts?page=2016850087473699840", None, 422),  # a page past any table
    ],
)
def test_input_the_schema_refuses_is_a_4xx_not_a_500(client, method, path, body, status):
    """Cases Schemathesis found: each answered 200 or 500 before."""
    if method == "post":
        body = body if isinstance(body, str) else json.dumps(body)
        response = client.post(path, body, content_type="application/json")
    else:
        response = client.get(path)

    assert response.status_code == status, response.content
    assert "detail" in response.json()
