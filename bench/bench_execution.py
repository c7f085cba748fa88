"""Execution benchmark: queue latency, step-event latency, and concurrent runs on one worker.

    .venv/bin/python bench/bench_execution.py                       # defaults below
    .venv/bin/python bench/bench_execution.py --levels 1,2,4,6,8 --llm-delay 2

It starts Daphne and a Celery worker as subprocesses (like tests/e2e), a scripted LLM and a local site,
on its own PostgreSQL database (`skyvern_bench`, created and migrated when missing; override with
--database-url). Each run signs up on a form: two steps, three actions, screenshots and a video.

1. Queue latency: POST /v1/run/tasks on an idle worker → the run's started_at.
2. Step-event latency: a WebSocket client on the run; for every step/action event, receive time minus
   the row's timestamp (written just before its commit).
3. Concurrency: for each level N, a worker with N pool processes gets N runs at once; we report wall time,
   per-run duration, throughput and the worker's peak memory (PSS of worker + pool + browsers).
   --llm-delay adds latency to every LLM answer: real models take seconds, which is what lets one worker
   overlap many runs; with 0 the runs are CPU-bound.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
from bench.common import bench_key, prepare_database, product_server  # noqa: E402 (needs the repository on the path)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "skyvern_site.settings")

TERMINAL = {"completed", "failed", "terminated", "timed_out", "canceled"}
# The README's execution numbers are skyvern-1.0 runs (two steps each); bench_engines.py compares engines.
ENGINE = "skyvern-1.0"


def _args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/skyvern_bench")
    parser.add_argument("--runs", type=int, default=5, help="sequential runs for the latency numbers")
    parser.add_argument("--levels", default="1,2,4,6", help="concurrency levels to try")
    parser.add_argument("--llm-delay", type=float, default=0.0, help="seconds added to every LLM answer")
    parser.add_argument("--no-video", action="store_true", help="run without recording video")
    parser.add_argument(
        "--pool", default="prefork", choices=["prefork", "threads"], help="Celery worker pool"
    )
    return parser.parse_args()


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def _summary(values: list[float], unit: str = "ms", scale: float = 1000) -> str:
    if not values:
        return "n/a"
    scaled = [v * scale for v in values]
    return (
        f"median {statistics.median(scaled):.0f} {unit}, p95 {_pct(scaled, 0.95):.0f} {unit}, "
        f"max {max(scaled):.0f} {unit} (n={len(values)})"
    )


def _tree_pss_mb(pid: int) -> float:
    """Proportional set size of the process tree: shared pages (forked pool, Chromium) counted once."""
    from tests.e2e.helpers import descendants

    total = 0
    for child in [pid, *(p for p, _ in descendants(pid))]:
        try:
            for line in Path(f"/proc/{child}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


class PeakMemory:
    def __init__(self, pid: int) -> None:
        self.pid, self.peak, self._stop = pid, 0.0, threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.wait(0.5):
            self.peak = max(self.peak, _tree_pss_mb(self.pid))

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def _wait_finished(run_ids: list[str], timeout: float = 300) -> list:
    from runs.models import TaskRun
    from tests.e2e.helpers import wait_until

    def done():
        runs = list(TaskRun.objects.filter(run_id__in=run_ids))
        return runs if len(runs) == len(run_ids) and all(r.status in TERMINAL for r in runs) else None

    return wait_until(done, timeout=timeout, interval=0.2, what="the runs to finish")


def _event_latencies(stream, run_id: str) -> list[float]:
    """Receive time minus the committed row's timestamp, for every step and action event."""
    from runs.models import Action, Step

    steps = {s.step_id: s for s in Step.objects.filter(run__run_id=run_id)}
    actions = {a.action_id: a for a in Action.objects.filter(step__run__run_id=run_id)}
    latencies = []
    for event, received in zip(list(stream.events), list(stream.received_at), strict=False):
        data = event.get("data", {})
        if event["type"] == "step.started":
            written = steps[data["step_id"]].created_at
        elif event["type"] == "step.finished":
            written = steps[data["step_id"]].modified_at
        elif event["type"] == "action":
            written = actions[data["action_id"]].created_at
        else:
            continue
        latencies.append(received - written.timestamp())
    return latencies


def latency_phase(client, daphne, site, raw_key: str, runs: int) -> tuple[list[float], list[float]]:
    from runs.models import TaskRun
    from tests.e2e.helpers import EventStream, wait_until

    queue, events = [], []
    for _ in range(runs):
        site.gate.clear()  # the run waits on its first page until the socket listens
        posted = time.time()
        run_id = client.post(
            "/v1/run/tasks", json={"prompt": "Sign up as Ada", "url": site.url + "/gated/", "engine": ENGINE}
        )
        run_id = run_id.json()["run_id"]
        stream = EventStream(f"{daphne.ws_url}/ws/runs/{run_id}/?apikey={raw_key}")
        site.gate.set()
        started = wait_until(
            lambda rid=run_id: TaskRun.objects.filter(run_id=rid, started_at__isnull=False).first(),
            timeout=60,
        )
        queue.append(started.started_at.timestamp() - posted)
        _wait_finished([run_id])
        time.sleep(0.5)  # let the last events arrive
        stream.close()
        events.extend(_event_latencies(stream, run_id))
    return queue, events


def concurrency_phase(client, site, worker, level: int) -> dict:
    posted = time.time()
    with PeakMemory(worker.pid) as memory, ThreadPoolExecutor(level) as pool:
        bodies = pool.map(
            lambda _: client.post(
                "/v1/run/tasks", json={"prompt": "Sign up", "url": site.url + "/", "engine": ENGINE}
            ).json(),
            range(level),
        )
        runs = _wait_finished([body["run_id"] for body in bodies])
    wall = max(r.finished_at.timestamp() for r in runs) - posted
    durations = [(r.finished_at - r.started_at).total_seconds() for r in runs if r.started_at]
    return {
        "level": level,
        "completed": sum(r.status == "completed" for r in runs),
        "wall": wall,
        "median_run": statistics.median(durations) if durations else 0,
        "max_run": max(durations, default=0),
        "throughput": 60 * len(runs) / wall,
        "peak_mb": memory.peak,
    }


def main() -> None:
    args = _args()
    prepare_database(args.database_url)
    import httpx

    from tests.e2e.helpers import ScriptedLLM, TestSite, site_script
    from tests.e2e.processes import Worker
    from tests.support.fake_llm import FakeReply

    raw = bench_key()
    work = REPO / "var" / "bench" / uuid.uuid4().hex[:6]

    def script(messages):
        reply = site_script(messages)
        text = reply.text if isinstance(reply, FakeReply) else reply
        return FakeReply(text, delay=args.llm_delay) if args.llm_delay else reply

    site = TestSite()
    with (
        ScriptedLLM(script) as llm,
        product_server(
            args.database_url,
            work,
            llm_base_url=llm.base_url,
            llm_model=llm.model,
            record_video=not args.no_video,
        ) as (env, daphne),
    ):
        client = httpx.Client(base_url=daphne.url, headers={"x-api-key": raw}, timeout=60)
        try:
            worker = Worker(env, work / "logs", concurrency=2, pool=args.pool)
            worker.start()
            _wait_finished(  # a first run warms up the pool process
                [
                    client.post(
                        "/v1/run/tasks", json={"prompt": "warm", "url": site.url, "engine": ENGINE}
                    ).json()["run_id"]
                ]
            )
            queue, events = latency_phase(client, daphne, site, raw, args.runs)
            worker.stop()
            rows = []
            for level in [int(n) for n in args.levels.split(",")]:
                worker = Worker(env, work / "logs", concurrency=level, pool=args.pool)
                worker.start()
                rows.append(concurrency_phase(client, site, worker, level))
                worker.stop()
        finally:
            client.close()
            site.stop()
    _report(args, queue, events, rows)


def _report(args: argparse.Namespace, queue: list[float], events: list[float], rows: list[dict]) -> None:
    print(
        f"\nExecution benchmark ({os.cpu_count()} CPUs, {args.pool} pool, LLM delay {args.llm_delay} s,"
        f" video {not args.no_video})"
    )
    print(f"queue latency (POST -> running):        {_summary(queue)}")
    print(f"step-event latency (commit -> socket):   {_summary(events)}")
    print(
        "\n| runs at once | completed | wall (s) | median run (s) | slowest run (s) | runs/min | peak PSS MB |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(
            f"| {r['level']} | {r['completed']}/{r['level']} | {r['wall']:.1f} | {r['median_run']:.1f} "
            f"| {r['max_run']:.1f} | {r['throughput']:.1f} | {r['peak_mb']:.0f} |"
        )


if __name__ == "__main__":
    main()
