"""Script replay vs the agent run it was recorded from: wall time, LLM calls and tokens on the demo form.

    .venv/bin/python bench/bench_replay.py                      # 3 agent runs, 3 replays, 2 s per LLM answer
    .venv/bin/python bench/bench_replay.py --runs 5 --llm-delay 2

Daphne serves the product's demo page (/demo/job-application, on its own PostgreSQL database `skyvern_bench`,
created and migrated when missing). The agent (skyvern-1.0, `agent.run_agent` in this process) applies as Ada
Lovelace with a scripted stand-in model (bench_engines.application_script over real HTTP, so litellm's whole
path runs) that waits `--llm-delay` seconds per answer, as a hosted model does (1-2 s is typical for a short
JSON answer; the default is 2 s). The first agent run's actions become a script (agent.scripts.build_plan); each replay then runs
`agent.run_agent` with `ScriptEngine` on a fresh browser and the same stand-in, which must not be called.
Two times are reported: the whole run (launching Chromium, opening the page, the steps, the final
screenshot and closing) and the steps only (first step started to last step finished: what the agent's
model calls or the script's locators cost). The goal (issue 12) is a replay >= 10x faster with 0 tokens.
The load average is printed: on a busy machine every number is slower, Chromium's launch most of all.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
from bench.bench_engines import application_script  # noqa: E402 (needs the repository on the path)
from bench.common import demo_server, prepare_database  # noqa: E402

PROMPT = (
    "Apply for the Backend Engineer position as Ada Lovelace (ada@example.com, 7 years of experience), "
    "accepting the terms."
)


def _args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/skyvern_bench")
    parser.add_argument("--runs", type=int, default=3, help="agent runs and replays, each")
    parser.add_argument(
        "--llm-delay", type=float, default=2.0, help="seconds the stand-in model takes per answer"
    )
    return parser.parse_args()


def recorder() -> Any:
    """A sink that keeps the actions (to build the script from) and when the first step started and the
    last one finished."""
    from agent import NullSink

    class Recorder(NullSink):
        def __init__(self) -> None:
            self.actions: list[dict[str, Any]] = []
            self.first_step_at = 0.0
            self.last_step_at = 0.0

        async def step_started(self, step: Any) -> None:
            self.first_step_at = self.first_step_at or time.monotonic()

        async def step_finished(self, step: Any) -> None:
            self.last_step_at = time.monotonic()

        async def action_recorded(self, step: Any, action: Any, screenshot: Any) -> None:
            self.actions.append(action.model_dump(mode="json"))

    return Recorder()


async def one_run(url: str, llm: Any, work: Path, engine: Any = None, sink: Any = None) -> dict[str, Any]:
    from agent import AgentTask, BrowserConfig, LLMClient, LLMConfig, run_agent

    sink = sink or recorder()
    task = AgentTask(prompt=PROMPT, url=url, max_steps=10)
    config = LLMConfig(model=llm.model, api_base=llm.base_url, api_key="bench")
    browser = BrowserConfig(
        run_dir=work / uuid.uuid4().hex[:8], record_video=False, allow_private_hosts=["127.0.0.1"]
    )
    before = len(llm.requests)
    started = time.monotonic()
    result = await run_agent(task, LLMClient(config), browser, sink=sink, engine=engine)
    ended = time.monotonic()
    status = result.status if result.status == "completed" else f"{result.status}: {result.failure_reason}"
    return {
        "status": status,
        "seconds": ended - started,
        "step_seconds": sink.last_step_at - sink.first_step_at,
        "calls": len(llm.requests) - before,
        "tokens": result.input_tokens + result.output_tokens,
        "steps": result.step_count,
    }


def measure(url: str, runs: int, delay: float, work: Path) -> tuple[list[dict], list[dict], list[dict]]:
    from agent.scripts import build_plan
    from agent.scripts.replay import ScriptEngine
    from tests.support.fake_llm import FakeLLM, FakeReply

    def answer(messages: list[dict[str, Any]]) -> Any:
        reply = application_script(messages)
        return FakeReply(reply, delay=delay) if isinstance(reply, str) else reply

    with FakeLLM(answer) as llm:
        recorded = recorder()
        asyncio.run(one_run(url, llm, work, sink=recorded))  # warm-up and the recording, not counted
        plan, parameters = build_plan(recorded.actions, prompt=PROMPT)
        agent, replays = [], []
        for _ in range(runs):  # alternated, so both meet the same leftovers of the run before
            agent.append(asyncio.run(one_run(url, llm, work)))
            replays.append(asyncio.run(one_run(url, llm, work, ScriptEngine(plan, parameters))))
    return agent, replays, plan


def main() -> None:
    args = _args()
    prepare_database(args.database_url)
    with tempfile.TemporaryDirectory(prefix="bench-replay-") as tmp:
        work = Path(tmp)
        with demo_server(args.database_url, work) as daphne:
            agent, replays, plan = measure(
                daphne.url + "/demo/job-application", args.runs, args.llm_delay, work
            )
    _report(args, agent, replays, plan)
    print(f"load average: {' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} cores")


def _report(args: argparse.Namespace, agent: list[dict], replays: list[dict], plan: list[dict]) -> None:
    print(f"\nReplay benchmark: demo job application, {args.runs} runs each, model {args.llm_delay} s/answer")
    print(f"script: {len(plan)} steps ({', '.join(step['action'] for step in plan)})")
    print("\n| run | completed | LLM calls | tokens | steps | median wall (s) | median steps only (s) |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, samples in (("agent (skyvern-1.0)", agent), ("script replay", replays)):
        done = sum(s["status"] == "completed" for s in samples)
        median = lambda key, s=samples: statistics.median(x[key] for x in s)  # noqa: E731
        print(
            f"| {name} | {done}/{len(samples)} | {median('calls'):.0f} | {median('tokens'):,.0f} "
            f"| {median('steps'):.0f} | {median('seconds'):.2f} | {median('step_seconds'):.2f} |"
        )
    for key, what in (("seconds", "whole run"), ("step_seconds", "steps only")):
        speedup = statistics.median(s[key] for s in agent) / statistics.median(s[key] for s in replays)
        print(f"replay is {speedup:.1f}x faster ({what}; goal: >= 10x, 0 tokens)")
    for sample in agent + replays:
        if sample["status"] != "completed":
            print(f"not completed: {sample['status']}")


if __name__ == "__main__":
    main()
