"""Fixtures for the API tests: an authenticated client, a second organization, no worker queue."""

import pytest
from django.test import Client

from runs.services import api_key_create
from tests.factories import OrganizationFactory, TaskRunFactory


@pytest.fixture(autouse=True)
def no_worker(monkeypatch, settings, tmp_path):
    """Runs stay queued: nothing tries to reach a Celery worker. Artifact files go to a temporary folder."""
    monkeypatch.setattr("runs.tasks.enqueue_run", lambda run_pk: None)
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "artifacts")},
        },
    }


@pytest.fixture
def client(api_key) -> Client:
    """A client that sends the org's key in x-api-key, as the SDK does."""
    _, raw = api_key
    return Client(headers={"x-api-key": raw})


@pytest.fixture
def other_org_run(db):
    """A run that belongs to someone else: every route must answer 404 for it."""
    other = OrganizationFactory()
    api_key_create(organization=other)
    return TaskRunFactory(organization=other)


def post_task(client: Client, body: dict, **headers):
    return client.post("/v1/run/tasks", body, content_type="application/json", headers=headers)
