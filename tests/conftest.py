"""Shared fixtures for the Django side. tests/agent has its own conftest and runs without Django too."""

import os

import pytest

REQUIRE_SERVICES = os.environ.get("SKYVERN_REQUIRE_SERVICES") == "1"


def pytest_report_header(config) -> str | None:
    if config.pluginmanager.hasplugin("django"):
        from django.conf import settings

        return f"database engine: {settings.DATABASES['default']['ENGINE']}; redis: {settings.REDIS_URL}"
    return None


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
    from tests.factories import OrganizationFactory

    return OrganizationFactory()


@pytest.fixture
def api_key(org):
    """(ApiKey, raw value) for `org`."""
    from runs.services import api_key_create

    return api_key_create(organization=org, name="test")


@pytest.fixture
def no_worker(monkeypatch, settings, tmp_path):
    """Runs are created for real but stay queued (the hand-off to Celery is the outside world here),
    and artifact files go to a temporary folder."""
    monkeypatch.setattr("runs.dispatch.run_execute", lambda *, run_id: None)
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "artifacts")},
        },
    }
