"""Browser session benchmark: how long a session takes to start, and what a warm session saves a task.

    .venv/bin/python bench/bench_sessions.py                  # 5 of each
    .venv/bin/python bench/bench_sessions.py --repeat 3 --llm-delay 1

It starts Daphne and a Celery worker as subprocesses (like tests/e2e), with the scripted LLM of
tests/e2e/test_browser_sessions.py, on its own PostgreSQL database (`skyvern_bench`, created and migrated
when missing). The task is "read my plan" on the demo account page, which needs signing in first:

1. Session start: POST /v1/browser_sessions → the answer with status `running` (Chromium launched by the
   worker, DevTools port known), client-side wall time.
2. Cold run: a task without a session (a fresh browser, /demo/login, sign in, read the plan: two steps).
3. Warm run: the same task on a session already signed in (no url: it reads the plan on the page it is on,
   one step). POST /v1/run/tasks → final status, wall time, for both.
--llm-delay adds latency to every LLM answer (real models take seconds per call).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
from bench.common import bench_key, prepare_database, product_server  # noqa: E402 (needs the repository on the path)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "skyvern_site.settings")
ENGINE = "skyvern-1.0"
TERMINAL = {"completed", "failed", "terminated", "timed_out", "canceled"}


def _args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/skyvern_bench")
    parser.add_argument("--repeat", type=int, default=5, help="measurements of each kind")
    parser.add_argument("--llm-delay", type=float, default=0.0, help="seconds added to every LLM answer")
    return parser.parse_args()


def _wait(client, run_id: str, timeout: float = 300) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body = client.get(f"/v1/runs/{run_id}").json()
        if body["status"] in TERMINAL:
            return body
        time.sleep(0.1)
    raise TimeoutError(run_id)


def _timed_run(client, body: dict) -> float:
    start = time.monotonic()
    run = client.post("/v1/run/tasks", json={"engine": ENGINE, **body}).json()
    finished = _wait(client, run["run_id"])
    assert finished["status"] == "completed", finished.get("failure_reason")
    return time.monotonic() - start


def _session(client, url: str) -> tuple[str, float]:
    start = time.monotonic()
    body = client.post("/v1/browser_sessions", json={"url": url}).json()
    assert body["status"] == "running", body
    return body["browser_session_id"], time.monotonic() - start


def measure(client, base: str, repeat: int) -> dict[str, list[float]]:
    from tests.e2e.test_browser_sessions import READ_PLAN, SIGN_IN

    login = base + "/demo/login"
    starts, cold, warm = [], [], []
    for _ in range(repeat):
        session_id, seconds = _session(client, login)
        starts.append(seconds)
        client.post(f"/v1/browser_sessions/{session_id}/close")
    session_id, _ = _session(client, login)
    _timed_run(client, {"prompt": SIGN_IN, "url": login, "browser_session_id": session_id})  # sign in once
    for _ in range(repeat):
        cold.append(_timed_run(client, {"prompt": SIGN_IN, "url": login}))
        warm.append(_timed_run(client, {"prompt": READ_PLAN, "browser_session_id": session_id}))
    client.post(f"/v1/browser_sessions/{session_id}/close")
    return {"start": starts, "cold": cold, "warm": warm}


def main() -> None:
    args = _args()
    prepare_database(args.database_url)
    import httpx

    from tests.e2e.helpers import ScriptedLLM
    from tests.e2e.processes import Worker
    from tests.e2e.test_browser_sessions import login_script
    from tests.support.fake_llm import FakeReply

    raw = bench_key()
    work = REPO / "var" / "bench" / uuid.uuid4().hex[:6]

    def script(messages):
        reply = login_script(messages)
        return FakeReply(reply, delay=args.llm_delay) if args.llm_delay else reply

    with (
        ScriptedLLM(script) as llm,
        product_server(
            args.database_url, work, llm_base_url=llm.base_url, llm_model=llm.model, record_video=False
        ) as (env, daphne),
    ):
        worker = Worker(env, work / "logs", concurrency=2)
        worker.start()
        try:
            with httpx.Client(base_url=daphne.url, headers={"x-api-key": raw}, timeout=120) as client:
                results = measure(client, daphne.url, args.repeat)
        finally:
            worker.stop()
    _report(args, results)


def _report(args: argparse.Namespace, results: dict[str, list[float]]) -> None:
    median = {name: statistics.median(values) for name, values in results.items()}
    print(f"\nSession benchmark ({os.cpu_count()} CPUs, {args.repeat} of each, LLM delay {args.llm_delay} s)")
    print("| measurement | median (s) | min (s) | max (s) |")
    print("|---|---:|---:|---:|")
    labels = {
        "start": "session start (POST → running)",
        "cold": "cold run: new browser, sign in, read plan",
        "warm": "warm run: signed-in session, read plan",
    }
    for name, label in labels.items():
        values = results[name]
        print(f"| {label} | {median[name]:.2f} | {min(values):.2f} | {max(values):.2f} |")
    saved = median["cold"] - median["warm"]
    print(f"\nA warm session saves {saved:.2f} s per task ({saved / median['cold']:.0%} of a cold run).")


if __name__ == "__main__":
    main()
