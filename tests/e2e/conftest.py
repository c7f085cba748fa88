"""Fixtures for end-to-end tests: a real Celery worker and Daphne, as subprocesses, on the test database.

Reusable pieces (the dashboard's browser tests use them too):

- `e2e_env`          env vars for subprocesses: test database, Redis with this session's key prefixes,
                     the scripted LLM, private hosts allowed, temp artifact/work dirs.
- `scripted_llm`     a FakeLLM whose `.script` a test may swap (default: `helpers.site_script`).
- `test_site`        `helpers.TestSite`, the local pages runs visit (`test_site.url + "/"`).
- `daphne_server`    `.url` (http) and `.ws_url` (ws) of the ASGI app, API and WebSockets included.
- `celery_worker`    the worker process (`.pid`, `.kill()`, `.log()`); restarted by `worker` when dead.
- `worker`           per test: makes sure the worker runs and the database is transactional.
- `e2e_client`       per test: (organization, raw API key, httpx.Client on daphne with x-api-key).
- `webhook_receiver` per test: `helpers.WebhookReceiver`, stopped afterwards.

These tests need PostgreSQL (other processes must see committed rows) and Redis; in CI a missing
service fails the run instead of skipping it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.conftest import service_missing
from tests.e2e.helpers import ScriptedLLM, TestSite, WebhookReceiver, free_port, wait_until

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
WORKER_CONCURRENCY = 4


def _database_url() -> str:
    from django.db import connection

    db = connection.settings_dict
    if db["ENGINE"] != "django.db.backends.postgresql":
        service_missing("end-to-end tests need PostgreSQL: set DATABASE_URL=postgresql://...")
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
        from tests.e2e.helpers import site_script

        request.getfixturevalue("scripted_llm").script = site_script


@pytest.fixture(scope="session")
def test_site() -> Iterator[TestSite]:
    site = TestSite()
    yield site
    site.gate.set()
    site.stop()


@pytest.fixture(scope="session")
def e2e_env(django_db_setup, redis_url, scripted_llm, tmp_path_factory) -> dict[str, str]:
    from django.conf import settings

    tag = f"e2e-{uuid.uuid4().hex[:8]}"
    work = tmp_path_factory.mktemp("e2e")
    daphne_port = free_port()
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "skyvern_site.settings",
        "DATABASE_URL": _database_url(),
        "DB_CONN_MAX_AGE": "0",
        "SECRET_KEY": settings.SECRET_KEY,  # API keys are encrypted with it: webhooks must decrypt them
        "REDIS_URL": redis_url,
        "CELERY_BROKER_URL": redis_url,
        "CELERY_KEY_PREFIX": f"{tag}:",
        "CHANNELS_PREFIX": tag,
        "SKYVERN_LLM_MODEL": scripted_llm.model,
        "SKYVERN_LLM_API_BASE": scripted_llm.base_url,
        "SKYVERN_LLM_API_KEY": "test",
        "SKYVERN_ALLOW_PRIVATE_HOSTS": "127.0.0.1",
        "ARTIFACTS_DIR": str(work / "artifacts"),
        "RUNS_WORK_DIR": str(work / "work"),
        "RUN_HEARTBEAT_SECONDS": "1",
        "BROWSER_RECORD_VIDEO": "true",
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{daphne_port}",
        "DAPHNE_PORT": str(daphne_port),
        "LOG_LEVEL": "INFO",
        "PYTHONUNBUFFERED": "1",
    }


class Subprocess:
    """A child process in its own process group, logging to a file."""

    def __init__(self, name: str, args: list[str], env: dict[str, str], log_dir: Path) -> None:
        self.name, self.args, self.env = name, args, env
        self.log_path = log_dir / f"{name}.log"
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        handle = self.log_path.open("ab")
        self.proc = subprocess.Popen(
            self.args, env=self.env, cwd=REPO, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True
        )
        handle.close()

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def kill(self) -> None:
        """SIGKILL the whole process group: the worker, its pool processes and their browsers."""
        if self.proc is not None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.proc.wait(10)

    def stop(self, timeout: float = 15) -> None:
        if not self.running:
            return
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()


@dataclass
class LiveServer:
    url: str
    ws_url: str
    process: Subprocess


@pytest.fixture(scope="session")
def daphne_server(e2e_env, tmp_path_factory) -> Iterator[LiveServer]:
    port = e2e_env["DAPHNE_PORT"]
    args = [str(BIN / "daphne"), "-b", "127.0.0.1", "-p", port, "skyvern_site.asgi:application"]
    process = Subprocess("daphne", args, e2e_env, tmp_path_factory.mktemp("logs"))
    process.start()
    url = f"http://127.0.0.1:{port}"

    def answers() -> bool:
        assert process.running, f"daphne exited:\n{process.log()}"
        try:
            return httpx.get(url + "/api/openapi.json", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    wait_until(answers, timeout=60, interval=0.2, what="daphne to answer")
    yield LiveServer(url=url, ws_url=f"ws://127.0.0.1:{port}", process=process)
    process.stop()


class Worker(Subprocess):
    def start(self) -> None:
        offset = len(self.log())
        super().start()
        wait_until(
            lambda: self._ready(offset), timeout=90, interval=0.2, what="the Celery worker to be ready"
        )

    def _ready(self, offset: int) -> bool:
        assert self.running, f"the worker exited:\n{self.log()[offset:]}"
        return " ready." in self.log()[offset:]


@pytest.fixture(scope="session")
def celery_worker(e2e_env, tmp_path_factory) -> Iterator[Worker]:
    args = [
        str(BIN / "celery"),
        "-A",
        "skyvern_site",
        "worker",
        "-Q",
        "browser,celery",
        "--pool",
        "prefork",
        "--concurrency",
        str(WORKER_CONCURRENCY),
        "--loglevel",
        "INFO",
        "--hostname",
        f"{e2e_env['CHANNELS_PREFIX']}@%h",
        "--without-gossip",
        "--without-mingle",
    ]
    worker = Worker("worker", args, e2e_env, tmp_path_factory.mktemp("logs"))
    worker.start()
    yield worker
    worker.stop()


@pytest.fixture
def worker(celery_worker, transactional_db) -> Worker:
    if not celery_worker.running:
        celery_worker.start()
    return celery_worker


@pytest.fixture
def e2e_client(daphne_server, transactional_db) -> Iterator[tuple]:
    from runs.services import api_key_create
    from tests.factories import OrganizationFactory

    org = OrganizationFactory()
    _, raw = api_key_create(organization=org, name="e2e")
    with httpx.Client(base_url=daphne_server.url, headers={"x-api-key": raw}, timeout=30) as client:
        yield org, raw, client


@pytest.fixture
def webhook_receiver() -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver()
    yield receiver
    receiver.stop()
