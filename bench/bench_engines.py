"""Engine benchmark: LLM calls, tokens and wall time per engine on the demo job application.

    .venv/bin/python bench/bench_engines.py                            # every engine with a stand-in, 3 runs
    .venv/bin/python bench/bench_engines.py --engines skyvern-2.0 --runs 5 --llm-delay 2

Daphne serves the product's own demo page (/demo/job-application, on its own PostgreSQL database
`skyvern_bench`, created and migrated when missing); each run is `agent.run_agent` in this process with
the engine's scripted stand-in LLM (tests/support/fake_llm.py over real HTTP, so litellm's whole path runs).
The stand-ins fill the form for Ada Lovelace and read the application reference off the thank-you page;
their token counts are the prompt's and answer's length / 4, so they compare how much each engine sends
(pages, history, checks), not how a real model would answer. --llm-delay adds a model-like wait to
every answer: wall time then shows what the number of calls costs.

Engines are measured in turn, never at once. To add one, give it a stand-in in STAND_INS.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "skyvern_site.settings")

SCHEMA = {"type": "object", "properties": {"reference": {"type": "string"}}, "required": ["reference"]}
PROMPT = (
    "Apply for the Backend Engineer position as Ada Lovelace (ada@example.com, 7 years of experience), "
    "accepting the terms, and return the application reference."
)
Script = Callable[[list[dict[str, Any]]], Any]


def _args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/skyvern_bench")
    parser.add_argument("--engines", default=",".join(STAND_INS), help="comma-separated engine names")
    parser.add_argument("--runs", type=int, default=3, help="runs per engine")
    parser.add_argument("--llm-delay", type=float, default=0.0, help="seconds added to every LLM answer")
    return parser.parse_args()


# --- stand-ins ------------------------------------------------------------------------------------


def application_script(messages: list[dict[str, Any]]) -> str:
    """Both Skyvern engines on the demo form: 2.0's planner hands out one mini-goal, which 1.0's calls do."""
    from tests.support.fake_llm import actions, element_id, goal_reached, mini_goal, page_text, prompt_kind

    kind, text = prompt_kind(messages), page_text(messages)
    reference = re.search(r"APP-[0-9A-F]{6}", text)
    if kind == "goal_plan":
        if reference:
            return goal_reached(True, "The thank-you page shows the reference")
        return mini_goal("Fill in and submit the application form", completion_criterion="a reference shows")
    if kind in ("goal_check", "verify"):
        done = reference is not None
        key = "user_goal_achieved" if kind == "goal_check" else "goal_achieved"
        return json.dumps({key: done, "thoughts": "checked", "reasoning": "checked"})
    if kind in ("extract", "goal_summary"):
        return json.dumps({"reference": reference.group(0) if reference else None})
    if reference:
        return actions({"action_type": "complete", "reasoning": "The application was received"})
    field = lambda label: element_id(messages, label)  # noqa: E731
    return actions(
        {"action_type": "input_text", "id": field("Full name"), "text": "Ada Lovelace", "reasoning": "Name"},
        {"action_type": "input_text", "id": field("Email"), "text": "ada@example.com", "reasoning": "Email"},
        {"action_type": "select_option", "id": field("Position"), "option": {"label": "Backend Engineer"}},
        {"action_type": "input_text", "id": field("Years of experience"), "text": "7", "reasoning": "Years"},
        {"action_type": "checkbox", "id": field("I agree"), "is_checked": True, "reasoning": "Terms"},
        {"action_type": "click", "id": field("Submit application"), "reasoning": "Send it"},
    )


# engine name -> the scripted LLM that plays its model on the demo form.
STAND_INS: dict[str, Script] = {
    "skyvern-1.0": application_script,
    "skyvern-2.0": application_script,
}


# --- measuring ------------------------------------------------------------------------------------


@dataclass
class Sample:
    status: str
    seconds: float
    calls: int
    input_tokens: int
    output_tokens: int
    steps: int
    output: Any


async def one_run(engine: str, url: str, llm: Any, work: Path) -> Sample:
    from agent import AgentTask, BrowserConfig, LLMClient, LLMConfig, run_agent

    task = AgentTask(prompt=PROMPT, url=url, data_extraction_schema=SCHEMA, max_steps=10)
    config = LLMConfig(model=llm.model, api_base=llm.base_url, api_key="bench")
    browser = BrowserConfig(
        run_dir=work / uuid.uuid4().hex[:8], record_video=False, allow_private_hosts=["127.0.0.1"]
    )
    before = len(llm.requests)
    started = time.monotonic()
    result = await run_agent(task, LLMClient(config), browser, engine=engine)
    return Sample(
        status=result.status if result.status == "completed" else f"{result.status}: {result.failure_reason}",
        seconds=time.monotonic() - started,
        calls=len(llm.requests) - before,
        input_tokens=result.input_tokens,
        output_tokens=result.output_tokens,
        steps=result.step_count,
        output=result.output,
    )


def measure(engine: str, url: str, runs: int, delay: float, work: Path) -> list[Sample]:
    from tests.support.fake_llm import FakeLLM, FakeReply

    script = STAND_INS[engine]

    def answer(messages: list[dict[str, Any]]) -> Any:
        reply = script(messages)
        return FakeReply(reply, delay=delay) if delay and isinstance(reply, str) else reply

    with FakeLLM(answer) as llm:
        return [asyncio.run(one_run(engine, url, llm, work)) for _ in range(runs)]


def _prepare_database(url: str) -> None:
    if url.startswith("postgresql://"):
        import psycopg

        base, name = url.rsplit("/", 1)
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
                conn.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = url
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def main() -> None:
    args = _args()
    engines = [name.strip() for name in args.engines.split(",") if name.strip()]
    unknown = [name for name in engines if name not in STAND_INS]
    if unknown:
        raise SystemExit(f"no stand-in for {', '.join(unknown)}; known: {', '.join(STAND_INS)}")
    _prepare_database(args.database_url)
    from django.conf import settings

    from tests.e2e.helpers import free_port
    from tests.e2e.processes import service_env, start_daphne

    with tempfile.TemporaryDirectory(prefix="bench-engines-") as tmp:
        work = Path(tmp)
        env = service_env(
            database_url=args.database_url,
            redis_url=settings.REDIS_URL,
            secret_key=settings.SECRET_KEY,
            llm_base_url="http://127.0.0.1:9/v1",  # daphne only serves the demo page here
            llm_model="none",
            work_dir=work,
            port=free_port(),
        )
        daphne = start_daphne(env, work / "logs")
        try:
            url = daphne.url + "/demo/job-application"
            measure(engines[0], url, 1, 0.0, work)  # warm-up, not counted: imports litellm, fills caches
            results = {engine: measure(engine, url, args.runs, args.llm_delay, work) for engine in engines}
        finally:
            daphne.process.stop()
    _report(args, results)


def _medians(samples: list[Sample]) -> Callable[[str], float]:
    return lambda name: statistics.median(getattr(sample, name) for sample in samples)


def _report(args: argparse.Namespace, results: dict[str, list[Sample]]) -> None:
    print(f"\nEngine benchmark: demo job application, {args.runs} runs each, LLM delay {args.llm_delay} s")
    print("\n| engine | completed | LLM calls | input tokens | output tokens | steps | median wall (s) |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for engine, samples in results.items():
        done = sum(s.status == "completed" for s in samples)
        median = _medians(samples)
        print(
            f"| {engine} | {done}/{len(samples)} | {median('calls'):.0f} | {median('input_tokens'):,.0f} "
            f"| {median('output_tokens'):,.0f} | {median('steps'):.0f} | {median('seconds'):.1f} |"
        )
    for engine, samples in results.items():
        for sample in samples:
            if sample.status != "completed":
                print(f"{engine}: {sample.status}")
        print(f"{engine} output: {samples[-1].output}")


if __name__ == "__main__":
    main()
