"""The product's processes (Celery worker, Daphne) as children of a test or benchmark.

Each runs in its own process group with its log in a file, so a test can kill a worker the way the
kernel's OOM killer would (SIGKILL to the group) and a failing test can show what the process said.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.e2e.helpers import wait_until

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def service_env(
    *,
    database_url: str,
    redis_url: str,
    secret_key: str,
    llm_base_url: str,
    llm_model: str,
    work_dir: Path,
    port: int,
    record_video: bool = True,
) -> dict[str, str]:
    """Environment for worker and Daphne: this session's database, Redis key prefixes and folders."""
    tag = f"e2e-{uuid.uuid4().hex[:8]}"
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "skyvern_site.settings",
        "DATABASE_URL": database_url,
        "DB_CONN_MAX_AGE": "0",
        "SECRET_KEY": secret_key,  # API keys are encrypted with it: webhooks must decrypt them
        "REDIS_URL": redis_url,
        "CELERY_BROKER_URL": redis_url,
        "CELERY_KEY_PREFIX": f"{tag}:",
        "CHANNELS_PREFIX": tag,
        "SKYVERN_LLM_MODEL": llm_model,
        "SKYVERN_LLM_API_BASE": llm_base_url,
        "SKYVERN_LLM_API_KEY": "test",
        # The scripted LLM is blind: say so, instead of the worker sending it an image probe at start-up.
        "SKYVERN_LLM_VISION": "off",
        "SKYVERN_ALLOW_PRIVATE_HOSTS": "127.0.0.1",
        "ARTIFACTS_DIR": str(work_dir / "artifacts"),
        "RUNS_WORK_DIR": str(work_dir / "work"),
        "RUN_HEARTBEAT_SECONDS": "1",
        "BROWSER_RECORD_VIDEO": "true" if record_video else "false",
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "DAPHNE_PORT": str(port),
        "LOG_LEVEL": "INFO",
        "PYTHONUNBUFFERED": "1",
    }


class Subprocess:
    """A child process in its own process group, logging to `log_dir/<name>.log`."""

    def __init__(self, name: str, args: list[str], env: dict[str, str], log_dir: Path) -> None:
        self.name, self.args, self.env = name, args, env
        log_dir.mkdir(parents=True, exist_ok=True)
        self.log_path = log_dir / f"{name}.log"
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        with self.log_path.open("ab") as handle:
            self.proc = subprocess.Popen(
                self.args,
                env=self.env,
                cwd=REPO,
                stdout=handle,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

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
        if self.proc is None:
            return
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


class Worker(Subprocess):
    """`celery worker` on the browser and small-task queues (or `queues`); start() returns once it is ready."""

    def __init__(
        self,
        env: dict[str, str],
        log_dir: Path,
        *,
        concurrency: int = 4,
        pool: str = "prefork",
        queues: str = "browser,small",
        name: str = "worker",
    ) -> None:
        args = [
            str(BIN / "celery"),
            "-A",
            "skyvern_site",
            "worker",
            "-Q",
            queues,
            "--pool",
            pool,
            "--concurrency",
            str(concurrency),
            "--loglevel",
            "INFO",
            "--hostname",
            f"{name}-{env['CHANNELS_PREFIX']}@%h",
            "--without-gossip",
            "--without-mingle",
        ]
        super().__init__(name, args, env, log_dir)
        self.hostname = f"{name}-{env['CHANNELS_PREFIX']}@{socket.gethostname()}"

    def start(self, *, wait: bool = True) -> None:
        self._offset = len(self.log())
        super().start()
        if wait:
            self.wait_ready()

    def wait_ready(self) -> None:
        wait_until(
            lambda: self._ready(self._offset), timeout=120, interval=0.2, what=f"{self.name} to be ready"
        )

    def busy_tasks(self) -> set[str]:
        """Ids of execute_run tasks this worker received and has not finished (read from its log since it last
        started: what a killed process had received is gone with it)."""
        log = self.log()[getattr(self, "_offset", 0) :]
        received = set(re.findall(r"execute_run\[([\w-]+)\] received", log))
        finished = set(re.findall(r"execute_run\[([\w-]+)\] (?:succeeded|raised|failed)", log))
        return received - finished

    def _ready(self, offset: int) -> bool:
        assert self.running, f"the worker exited:\n{self.log()[offset:]}"
        return " ready." in self.log()[offset:]


@dataclass
class LiveServer:
    url: str
    ws_url: str
    process: Subprocess


def start_daphne(env: dict[str, str], log_dir: Path) -> LiveServer:
    port = env["DAPHNE_PORT"]
    args = [str(BIN / "daphne"), "-b", "127.0.0.1", "-p", port, "skyvern_site.asgi:application"]
    return _serve("daphne", args, env, log_dir, port=port, probe="/api/openapi.json", timeout=60)


def _serve(
    name: str, args: list[str], env: dict[str, str], log_dir: Path, *, port: str, probe: str, timeout: float
) -> LiveServer:
    """Start a web server process and wait until `probe` answers 200 (failing fast if it exits)."""
    process = Subprocess(name, args, env, log_dir)
    process.start()
    url = f"http://127.0.0.1:{port}"

    def answers() -> bool:
        assert process.running, f"{name} exited:\n{process.log()}"
        try:
            return httpx.get(url + probe, timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    wait_until(answers, timeout=timeout, interval=0.2, what=f"{name} to answer")
    return LiveServer(url=url, ws_url=f"ws://127.0.0.1:{port}", process=process)


class Beat(Subprocess):
    """`celery beat`: the reaper and the queue sweep every RUN_SWEEP_SECONDS, as in production."""

    def __init__(self, env: dict[str, str], log_dir: Path) -> None:
        schedule = log_dir / "celerybeat-schedule"
        args = [
            str(BIN / "celery"),
            "-A",
            "skyvern_site",
            "beat",
            "--loglevel",
            "INFO",
            "--schedule",
            str(schedule),
        ]
        super().__init__("beat", args, env, log_dir)


class RedisServer(Subprocess):
    """A private redis-server on `port` that keeps nothing on disk: a restart loses every key, as a Redis
    without persistence (or a failover to an empty replica) does."""

    def __init__(self, port: int, log_dir: Path) -> None:
        args = [
            "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ]
        args += ["--dir", str(log_dir)]
        super().__init__(f"redis-{port}", args, os.environ.copy(), log_dir)
        self.url = f"redis://127.0.0.1:{port}/0"

    def start(self) -> None:
        super().start()
        import redis

        def answers() -> bool:
            try:
                return bool(redis.Redis.from_url(self.url, socket_connect_timeout=0.5).ping())
            except redis.RedisError:
                return False

        wait_until(answers, timeout=15, interval=0.05, what="redis-server to answer")

    def restart(self) -> None:
        self.stop()
        self.start()


def start_web(env: dict[str, str], log_dir: Path, *, processes: int = 2) -> LiveServer:
    """`scripts/web` (uvicorn processes, each on its own socket; HTTP and WebSockets) on DAPHNE_PORT."""
    port = env["DAPHNE_PORT"]
    web_env = {**env, "PORT": port, "WEB_PROCESSES": str(processes)}
    return _serve(
        "web",
        [str(REPO / "scripts" / "web")],
        web_env,
        log_dir,
        port=port,
        probe="/api/v1/heartbeat",
        timeout=90,
    )
