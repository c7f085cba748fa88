"""Fixtures for the API tests: an authenticated client, a second organization, no worker queue."""

import pytest
from django.test import Client

from runs.services import api_key_create
from tests.support.factories import OrganizationFactory, TaskRunFactory


@pytest.fixture(autouse=True)
def _no_worker(no_worker):
    """Every API test runs without a worker queue (see tests/conftest.py)."""


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
