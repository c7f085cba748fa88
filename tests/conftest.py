"""Shared fixtures for the Django side. tests/agent has its own conftest and runs without Django too, so
nothing here imports Django before a fixture asks for it.

- `redis_url`               the Redis server's URL (skips without one; fails in CI); marks its users `redis`.
- `org`, `api_key`          an organization; an (ApiKey, raw value) for it.
- `artifact_storage`        artifact files go to a temporary folder, which it returns.
- `in_memory_channel_layer` socket events travel in this process only.
- `no_worker`               runs are created for real but stay queued; artifacts as `artifact_storage`.
- `webhook_receiver`        a started `tests.support.http.WebhookReceiver` that runs may reach.
- `thread_connections_closed` used by every async test on a transactional database (see its docstring).

Rows: `tests.support.factories` (factories, and `run_in_status` for a run in any status).
"""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_asyncio import is_async_test

from tests.support.http import WebhookReceiver

REQUIRE_SERVICES = os.environ.get("SKYVERN_REQUIRE_SERVICES") == "1"


def pytest_report_header(config) -> str | None:
    if config.pluginmanager.hasplugin("django"):
        from django.conf import settings

        return f"database engine: {settings.DATABASES['default']['ENGINE']}; redis: {settings.REDIS_URL}"
    return None


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "redis_url" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.redis)


def service_missing(reason: str) -> None:
    """Skip on a laptop without the service; fail in CI, where a skip would hide untested code."""
    if REQUIRE_SERVICES:
        pytest.fail(f"required service missing: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def redis_url() -> str:
    import redis
    from django.conf import settings

    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        service_missing(f"Redis at {settings.REDIS_URL}: {exc}")
    return settings.REDIS_URL


@pytest.fixture
def org(db):
    from tests.support.factories import OrganizationFactory

    return OrganizationFactory()


@pytest.fixture
def api_key(org):
    """(ApiKey, raw value) for `org`."""
    from runs.services import api_key_create

    return api_key_create(organization=org, name="test")


@pytest.fixture
def artifact_storage(settings, tmp_path) -> Path:
    """Artifact files go to tmp_path/artifacts (returned) instead of the project's var/ folder."""
    location = tmp_path / "artifacts"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(location)},
        },
    }
    return location


@pytest.fixture
def in_memory_channel_layer(settings) -> None:
    """Socket events travel through this process's memory instead of Redis (sequence numbers and viewer
    counts still use Redis: ask for `redis_url` too where they matter)."""
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}


@pytest.fixture
def no_worker(monkeypatch, settings, artifact_storage) -> None:
    """Runs are created for real but stay queued (the hand-off to Celery is the outside world here),
    and artifact files go to a temporary folder."""
    monkeypatch.setattr("runs.dispatch.run_execute", lambda *, run_id: None)
    settings.CELERY_TASK_ALWAYS_EAGER = False


@pytest.fixture(autouse=True)
def _async_db_tests_close_their_connections(request) -> None:
    """Every async test on a transactional database gets `thread_connections_closed` without asking."""
    marker = request.node.get_closest_marker("django_db")
    if marker and marker.kwargs.get("transaction") and is_async_test(request.node):
        request.getfixturevalue("thread_connections_closed")


@pytest.fixture
async def thread_connections_closed():
    """Closes the connections that sync_to_async's worker thread opened during an async test. Left open,
    they keep the test database busy, and dropping it at the end of the session waits 5 s, then fails."""
    yield
    from asgiref.sync import sync_to_async
    from django.db import connections

    await sync_to_async(connections.close_all)()


@pytest.fixture
def webhook_receiver(settings) -> Iterator[WebhookReceiver]:
    """A receiver on the loopback address, which the private-host allow-list lets runs reach."""
    settings.SKYVERN_ALLOW_PRIVATE_HOSTS = ["127.0.0.1"]
    with WebhookReceiver() as receiver:
        yield receiver


@pytest.fixture(autouse=True)
def _throttle_counts_are_per_test(request) -> None:
    """Failed logins and keys are counted in this process's memory and forgotten after each test: every
    test client is 127.0.0.1, so counts left in Redis would throttle later tests (and other test runs)."""
    if not request.config.pluginmanager.hasplugin("django"):
        return
    from runs.throttle import throttle_reset

    request.getfixturevalue("settings").SKYVERN_THROTTLE_STORAGE = "memory://"
    throttle_reset()
