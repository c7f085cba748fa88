"""A server started with a Skyvern `.env` only: the model from LLM_KEY=OPENAI_COMPATIBLE and its variables
(vision found by the worker's start-up image probe), and BROWSER_TYPE=cdp-connect on a Chromium this test
started. One Daphne and one worker for the module, on their own queue prefix."""

from __future__ import annotations

import os
import signal
import subprocess
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from agent.browser import BrowserConfig
from agent.browser.own_browser import cdp_answers
from tests.e2e.helpers import free_port, site_script, wait_until
from tests.e2e.processes import LiveServer, Worker, start_daphne
from tests.support.fake_llm import FakeLLM, prompt_kind
from tests.support.vision import image_parts, seeing

pytestmark = [pytest.mark.e2e, pytest.mark.browser, pytest.mark.slow]
FINAL = {"completed", "failed", "terminated", "canceled", "timed_out"}


@pytest.fixture(scope="module")
def seeing_llm() -> Iterator[FakeLLM]:
    """The local stand-in: an OpenAI-compatible server whose model can see images."""
    with FakeLLM(seeing(site_script), model="openai/local-vision") as llm:
        yield llm


@pytest.fixture(scope="module")
def test_chromium(e2e_dir) -> Iterator[tuple[str, subprocess.Popen]]:
    """A Chromium with remote debugging that this test starts (and stops), as a user's own browser."""
    url = f"http://127.0.0.1:{free_port()}"
    args = [
        BrowserConfig().chromium_path,
        f"--remote-debugging-port={url.rsplit(':', 1)[1]}",
        f"--user-data-dir={e2e_dir / 'test-chromium'}",
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
    ]
    process = subprocess.Popen(
        args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    try:
        wait_until(lambda: cdp_answers(url), timeout=30, interval=0.2, what="the test's Chromium")
        yield url, process
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)


@pytest.fixture(scope="module")
def skyvern_server(e2e_env, e2e_dir, seeing_llm, test_chromium) -> Iterator[tuple[LiveServer, Worker]]:
    """Daphne and a worker configured with Skyvern's names only (no SKYVERN_LLM_*)."""
    tag = f"dropin-{uuid.uuid4().hex[:8]}"
    port = free_port()
    env = {name: value for name, value in e2e_env.items() if not name.startswith("SKYVERN_LLM_")}
    env |= {
        "ENABLE_OPENAI_COMPATIBLE": "true",
        "OPENAI_COMPATIBLE_MODEL_NAME": "local-vision",
        "OPENAI_COMPATIBLE_API_BASE": seeing_llm.base_url,
        "OPENAI_COMPATIBLE_API_KEY": "test",
        "LLM_KEY": "OPENAI_COMPATIBLE",
        "BROWSER_TYPE": "cdp-connect",
        "BROWSER_REMOTE_DEBUGGING_URL": test_chromium[0],
        "BROWSER_RECORD_VIDEO": "false",
        "CELERY_KEY_PREFIX": f"{tag}:",
        "CHANNELS_PREFIX": tag,
        "DAPHNE_PORT": str(port),
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
    }
    logs = e2e_dir / "logs" / "dropin"
    daphne = start_daphne(env, logs)
    worker = Worker(env, logs, concurrency=1)
    try:
        worker.start()
        yield daphne, worker
    finally:
        worker.stop()
        daphne.process.stop()


@pytest.fixture
def client(skyvern_server, transactional_db) -> Iterator[httpx.Client]:
    from runs.services import api_key_create
    from tests.support.factories import OrganizationFactory

    _, raw = api_key_create(organization=OrganizationFactory(), name="dropin")
    with httpx.Client(base_url=skyvern_server[0].url, headers={"x-api-key": raw}, timeout=30) as http:
        yield http
    from runs.choices import ACTIVE_STATUSES
    from runs.models import TaskRun
    from runs.services import run_cancel

    for run in TaskRun.objects.filter(status__in=ACTIVE_STATUSES):
        run_cancel(run=run)
    wait_until(lambda: not skyvern_server[1].busy_tasks(), timeout=60, what="the worker to finish its runs")


def finished(client: httpx.Client, run_id: str, timeout: float = 90) -> dict[str, Any]:
    def final() -> dict[str, Any] | None:
        run = client.get(f"/v1/runs/{run_id}").json()
        return run if run["status"] in FINAL else None

    return wait_until(final, timeout=timeout, interval=0.3, what=f"{run_id} to finish")


def start(client: httpx.Client, url: str) -> str:
    body = {"prompt": "Sign up as Ada", "url": url, "engine": "skyvern-1.0", "max_steps": 5}
    response = client.post("/v1/run/tasks", json=body)
    assert response.status_code == 200, response.text
    return response.json()["run_id"]


def test_skyverns_names_alone_run_a_task_and_the_stand_in_receives_the_screenshot(
    client, seeing_llm, test_site, skyvern_server
):
    assert list(client.get("/api/v1/models").json()["models"]) == ["local-vision"]
    probes = [body for body in seeing_llm.requests if prompt_kind(body["messages"]) == "vision_probe"]
    assert len(probes) == 1  # sent once, by the worker at start-up
    assert "vision of openai/local-vision: takes images" in skyvern_server[1].log()

    run = finished(client, start(client, test_site.url + "/"))

    assert run["status"] == "completed", run["failure_reason"]
    plans = [body for body in seeing_llm.requests if prompt_kind(body["messages"]) == "plan"]
    assert plans and all(len(image_parts(body["messages"])) >= 1 for body in plans)
    assert {body["model"] for body in plans} == {"local-vision"}
    from runs.models import Step

    step = Step.objects.filter(run__run_id=run["run_id"]).order_by("order").first()
    assert step.screenshots_sent >= 1
    assert step.screenshot_note.startswith(
        "sent to openai/local-vision: image probe: the model named the colour"
    )


def test_cdp_connect_drives_the_browser_the_test_started(client, test_site, test_chromium):
    url, chromium = test_chromium
    test_site.gate.clear()  # the page waits, so the test can see where it opened
    try:
        run_id = start(client, test_site.url + "/gated/")

        def opened_in_our_chromium() -> bool:
            pages = httpx.get(url + "/json/list", timeout=5).json()
            return any("/gated/" in page.get("url", "") for page in pages)

        wait_until(
            opened_in_our_chromium, timeout=60, interval=0.2, what="the run's page in the test's Chromium"
        )
    finally:
        test_site.gate.set()
    run = finished(client, run_id)

    assert run["status"] == "completed", run["failure_reason"]
    time.sleep(0.5)
    assert chromium.poll() is None and cdp_answers(url)  # attached and detached; never closed
