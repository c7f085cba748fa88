"""Fixtures for end-to-end tests: a real Celery worker and Daphne, as subprocesses, on the test database.

Reusable pieces (the dashboard's browser tests use them too):

- `e2e_dir`          var/e2e/<session>: artifacts, run folders, process logs (kept when a test fails).
- `e2e_env`          env vars for subprocesses: test database, Redis with this session's key prefixes,
                     the scripted LLM, private hosts allowed, temp artifact/work dirs.
- `scripted_llm`     a FakeLLM whose `.script` a test may swap (default: `helpers.site_script`).
- `cua_provider`     the openai-cua engine's stand-in (tests.support.cua_providers.FakeResponses); set `.script`.
- `test_site`        `helpers.TestSite`, the local pages runs visit (`test_site.url + "/"`).
- `daphne_server`    `.url` (http) and `.ws_url` (ws) of the ASGI app, API and WebSockets included.
- `celery_worker`    the worker process (`.pid`, `.kill()`, `.log()`); restarted by `worker` when dead.
- `worker`           per test: makes sure the worker runs and the database is transactional.
- `e2e_client`       per test: (organization, raw API key, httpx.Client on daphne with x-api-key).
- `webhook_receiver` per test (from tests/conftest.py): `tests.support.http.WebhookReceiver`.

These tests need PostgreSQL (other processes must see committed rows) and Redis; in CI a missing
service fails the run instead of skipping it.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import service_missing
from tests.e2e.helpers import ScriptedLLM, TestSite, free_port, site_script, wait_until
from tests.e2e.processes import REPO, LiveServer, Subprocess, Worker, service_env, start_daphne
from tests.support.cua_providers import FakeResponses

WORKER_CONCURRENCY = 4


def _database_url() -> str:
    from django.db import connection

    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    if db["ENGINE"] != "django.db.backends.postgresql":
        service_missing(f"end-to-end tests do not support {db['ENGINE']}")
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgresql://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture(scope="session")
def scripted_llm() -> Iterator[ScriptedLLM]:
    with ScriptedLLM() as llm:
        yield llm


@pytest.fixture(autouse=True)
def _default_script(request):
    """Every test starts with the default script, whatever the previous one set."""
    if "scripted_llm" in request.fixturenames:
        request.getfixturevalue("scripted_llm").script = site_script


@pytest.fixture(scope="session")
def test_site() -> Iterator[TestSite]:
    site = TestSite()
    yield site
    site.gate.set()
    site.stop()


@pytest.fixture(scope="session")
def e2e_dir(request) -> Iterator[Path]:
    """var/e2e/<session>: artifacts, run folders and process logs; kept when a test failed or E2E_KEEP=1."""
    path = REPO / "var" / "e2e" / f"{os.getpid()}-{uuid.uuid4().hex[:6]}"
    (path / "logs").mkdir(parents=True)
    yield path
    if request.session.testsfailed == 0 and os.environ.get("E2E_KEEP") != "1":
        shutil.rmtree(path, ignore_errors=True)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A failing test's report ends with the worker's and Daphne's latest log lines."""
    report = (yield).get_result()
    if report.failed and report.when == "call":
        for name in ("celery_worker", "daphne_server"):
            process = item.funcargs.get(name)
            process = getattr(process, "process", process)
            if isinstance(process, Subprocess):
                tail = "\n".join(process.log().splitlines()[-80:])
                report.sections.append((f"{process.name} log ({process.log_path})", tail))


@pytest.fixture(scope="session")
def e2e_env(django_db_setup, redis_url, scripted_llm, cua_provider, e2e_dir) -> dict[str, str]:
    from django.conf import settings

    env = service_env(
        database_url=_database_url(),
        redis_url=redis_url,
        secret_key=settings.SECRET_KEY,
        llm_base_url=scripted_llm.base_url,
        llm_model=scripted_llm.model,
        work_dir=e2e_dir,
        port=free_port(),
    )
    env.update(SKYVERN_OPENAI_CUA_API_BASE=cua_provider.base_url, SKYVERN_OPENAI_CUA_API_KEY="test")
    return env


@pytest.fixture(scope="session")
def cua_provider() -> Iterator[FakeResponses]:
    """The openai-cua engine's provider (OpenAI's Responses API); a test sets its `script`."""
    with FakeResponses([]) as provider:
        yield provider


@pytest.fixture(scope="session")
def daphne_server(e2e_env, e2e_dir) -> Iterator[LiveServer]:
    server = start_daphne(e2e_env, e2e_dir / "logs")
    yield server
    server.process.stop()


@pytest.fixture(scope="session")
def celery_worker(e2e_env, e2e_dir) -> Iterator[Worker]:
    worker = Worker(e2e_env, e2e_dir / "logs", concurrency=WORKER_CONCURRENCY)
    worker.start()
    yield worker
    worker.stop()


@pytest.fixture
def worker(celery_worker, transactional_db) -> Iterator[Worker]:
    """The worker, started if a test killed it. Afterwards, runs the test left active are canceled and
    awaited, so none of them writes into the next test's (flushed) database."""
    if not celery_worker.running:
        celery_worker.start()
    yield celery_worker
    from runs.choices import ACTIVE_STATUSES
    from runs.models import TaskRun
    from runs.services import run_cancel

    for run in TaskRun.objects.filter(status__in=ACTIVE_STATUSES):
        run_cancel(run=run)
    if celery_worker.running:
        wait_until(lambda: not celery_worker.busy_tasks(), timeout=60, what="the worker to finish its runs")


@pytest.fixture
def e2e_client(daphne_server, transactional_db) -> Iterator[tuple]:
    from runs.services import api_key_create
    from tests.support.factories import OrganizationFactory

    org = OrganizationFactory()
    _, raw = api_key_create(organization=org, name="e2e")
    with httpx.Client(base_url=daphne_server.url, headers={"x-api-key": raw}, timeout=30) as client:
        yield org, raw, client
