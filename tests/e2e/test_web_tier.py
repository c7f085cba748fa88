"""The production web tier (`scripts/web`): connections spread over its processes, a dead process is replaced,
a port already served is refused, and stopping the tier stops every process."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from tests.e2e.helpers import free_port, wait_until
from tests.e2e.processes import LiveServer, start_web

pytestmark = [pytest.mark.e2e]

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def tier(e2e_env, e2e_dir) -> Iterator[LiveServer]:
    port = free_port()
    env = {**e2e_env, "DAPHNE_PORT": str(port), "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}"}
    server = start_web(env, e2e_dir / "logs" / "web_tier", processes=2)
    server.env = env  # type: ignore[attr-defined]
    yield server
    server.process.stop()


def _children(pid: int) -> list[int]:
    text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    return [int(child) for child in text.split()]


def _holders(port: int) -> Counter:
    """Which process holds each established connection to `port` (from the kernel's socket table)."""
    out = subprocess.run(
        ["ss", "-Htnp", "state", "established", f"( sport = :{port} )"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return Counter(int(part.split("pid=")[1].split(",")[0]) for part in out.split() if "pid=" in part)


def _port(server: LiveServer) -> int:
    return int(server.url.rsplit(":", 1)[1])


def test_connections_opened_at_once_reach_every_process(tier):
    clients = [httpx.Client(base_url=tier.url, timeout=10) for _ in range(24)]
    try:
        with ThreadPoolExecutor(len(clients)) as pool:  # as a load generator does: all connections at once
            statuses = list(pool.map(lambda c: c.get("/api/v1/heartbeat").status_code, clients))
        assert statuses == [200] * len(clients)
        holders = _holders(_port(tier))
        children = set(_children(tier.process.pid))
        assert len(children) == 2
        assert set(holders) == children, (holders, children)
        assert sum(holders.values()) == 24
    finally:
        for client in clients:
            client.close()


def test_a_killed_process_is_replaced_and_the_api_keeps_answering(tier):
    before = _children(tier.process.pid)
    os.kill(before[0], signal.SIGKILL)
    wait_until(
        lambda: len(_children(tier.process.pid)) == 2 and before[0] not in _children(tier.process.pid),
        timeout=30,
        what="the web tier to start a new process",
    )
    for _ in range(20):
        # New connections: any process may take them.
        with httpx.Client(base_url=tier.url, timeout=10) as client:
            assert client.get("/api/v1/heartbeat").status_code == 200
    assert "exited with" in tier.process.log()


def test_a_second_tier_on_the_same_port_is_refused(tier):
    second = subprocess.run(
        [str(REPO / "scripts" / "web")],
        env={**tier.env, "PORT": str(_port(tier)), "WEB_PROCESSES": "1"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert second.returncode == 1
    assert "is in use" in second.stderr


def test_stopping_the_tier_stops_every_process(e2e_env, e2e_dir):
    port = free_port()
    env = {**e2e_env, "DAPHNE_PORT": str(port), "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}"}
    server = start_web(env, e2e_dir / "logs" / "web_tier_stop", processes=2)
    children = _children(server.process.pid)
    os.kill(server.process.pid, signal.SIGTERM)  # the parent only: it stops its processes
    server.process.proc.wait(30)
    assert server.process.proc.returncode == 0
    for child in children:
        deadline = time.monotonic() + 10
        while Path(f"/proc/{child}").exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert (
            not Path(f"/proc/{child}").exists()
            or "zombie" in Path(f"/proc/{child}/status").read_text().lower()
        )
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"http://127.0.0.1:{port}/api/v1/heartbeat", timeout=2)
