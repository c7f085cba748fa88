import pytest
from django.test import Client
from django.utils import timezone

from runs.models import ApiKey
from runs.services import api_key_revoke

pytestmark = pytest.mark.django_db


def test_a_request_without_a_key_is_refused_with_403():
    response = Client().get("/v1/runs")

    assert response.status_code == 403
    assert response.json() == {"detail": "Invalid credentials"}


def test_a_wrong_key_is_refused_with_403(api_key):
    response = Client(headers={"x-api-key": "sk_not-a-real-key"}).get("/v1/runs")

    assert response.status_code == 403
    assert response.json() == {"detail": "Invalid credentials"}


def test_a_revoked_key_is_refused_with_403(api_key):
    key, raw = api_key
    api_key_revoke(api_key=key)

    response = Client(headers={"x-api-key": raw}).get("/v1/runs")

    assert response.status_code == 403
    assert response.json() == {"detail": "Invalid credentials"}


def test_credentials_are_checked_before_the_body(api_key):
    response = Client().post("/v1/run/tasks", "not json", content_type="application/json")

    assert response.status_code == 403


def test_a_bearer_token_works_like_the_header(api_key):
    _, raw = api_key

    response = Client(headers={"Authorization": f"Bearer {raw}"}).get("/v1/runs")

    assert response.status_code == 200


def test_using_a_key_records_when_it_was_last_used(api_key):
    key, raw = api_key
    before = timezone.now()

    Client(headers={"x-api-key": raw}).get("/v1/runs")

    assert ApiKey.objects.get(pk=key.pk).last_used_at >= before


def test_the_heartbeat_needs_no_key():
    response = Client().get("/api/v1/heartbeat")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_unknown_api_paths_answer_404_in_the_api_shape(client):
    assert client.get("/v1/nothing/here").json() == {"detail": "Not Found"}
    assert Client().post("/api/v1/nothing").status_code == 404
