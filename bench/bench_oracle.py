"""A perfect policy on MiniWoB++: does the agent ever fail for its own reasons?

    .venv/bin/uv pip install miniwob==1.1.0 --no-deps     # once: the tasks' HTML (gymnasium not needed)
    .venv/bin/python bench/bench_oracle.py [--tasks click-button enter-date ...] [--seeds 5] [--first-seed 1]

Each episode is a real `agent.run_agent` (skyvern-1.0, one shared headless Chromium, a fresh context per
run) on a MiniWoB++ task page served over local HTTP and seeded like the gym environment seeds it
(bench/miniwob_site.py). The model is a local OpenAI-compatible stand-in (tests/support/fake_llm.py) whose
answers come from bench/oracle_policy.py, which reads only the prompt the agent sends. The task's own
reward decides success (raw reward 1.0); for each miss the report prints the agent's failed actions and its
failure reason.
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
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

import litellm  # noqa: E402

from agent import AgentTask, BrowserConfig, LLMClient, LLMConfig, NullSink, run_agent  # noqa: E402
from agent.browser import new_session  # noqa: E402
from agent.browser.config import LAUNCH_ARGS  # noqa: E402
from bench.miniwob_site import MiniWobSite  # noqa: E402
from bench.oracle_policy import answer  # noqa: E402
from tests.support.fake_llm import FakeLLM, page_text, prompt_kind  # noqa: E402

TASKS = (
    "click-button", "click-link", "click-checkboxes", "enter-text", "enter-password", "enter-date",
    "enter-time", "choose-list", "click-option", "click-tab", "click-dialog", "login-user", "focus-text",
    "click-collapsible", "use-autocomplete", "choose-date", "click-button-sequence", "search-engine",
)  # fmt: skip
TASKS += (  # bench/oracle_menus.py
    "click-menu", "click-menu-2", "click-scroll-list", "click-tab-2-hard", "navigate-tree", "read-table",
    "click-collapsible-2", "click-widget", "multi-orderings", "multi-layouts",
)  # fmt: skip
TASKS += (  # bench/oracle_forms.py
    "social-media", "social-media-some", "email-inbox", "email-inbox-reply", "enter-text-dynamic", "enter-text-2",
    "click-checkboxes-large", "form-sequence", "login-user-popup", "phone-book", "use-spinner",
)  # fmt: skip
# The agent never sees this: it reads the instruction from the page, as a person would.
GOAL = "Do what the instruction at the top of the page asks, then stop."


class Actions(NullSink):
    def __init__(self) -> None:
        self.records: list[str] = []

    async def action_recorded(self, step: Any, action: Any, screenshot: bytes | None) -> None:
        outcome = (
            "ok" if action.status == "completed" else f"FAILED {action.error_type}: {action.error_message}"
        )
        self.records.append(f"step {step.order}: {action.action_type} {action.element_id or ''} -> {outcome}")


@dataclass
class Episode:
    task: str
    seed: int
    reward: float | None
    status: str
    failure: str | None
    steps: int
    seconds: float
    plan_tokens: float  # median prompt tokens of its planning requests (gpt-4o tokenizer)
    actions: list[str] = field(default_factory=list)
    last_page: str = ""  # the page text of the last planning prompt, shown for a miss with --verbose

    @property
    def success(self) -> bool:
        return self.reward is not None and self.reward >= 1.0


async def one_episode(
    site: MiniWobSite, llm: FakeLLM, browser: Any, task: str, seed: int, work: Path
) -> Episode:
    episode = uuid.uuid4().hex[:10]
    config = BrowserConfig(run_dir=work / episode, allow_private_hosts=["127.0.0.1"], record_video=False)

    @asynccontextmanager
    async def launch(config: BrowserConfig):
        session = await new_session(browser, config)
        try:
            yield session
        finally:
            await session.close()

    sink = Actions()
    first_request = len(llm.requests)
    agent_task = AgentTask(prompt=GOAL, url=site.episode_url(task, seed, episode), max_steps=25)
    client = LLMClient(LLMConfig(model=llm.model, api_base=llm.base_url, api_key="bench"))
    started = time.monotonic()
    result = await run_agent(agent_task, client, config, sink, launcher=launch, engine="skyvern-1.0")
    seconds = time.monotonic() - started
    reward = site.rewards.get(episode, {}).get("reward")
    plans = [
        body["messages"] for body in llm.requests[first_request:] if prompt_kind(body["messages"]) == "plan"
    ]
    plan_tokens = [litellm.token_counter(model="gpt-4o", messages=messages) for messages in plans]
    return Episode(
        task, seed, reward, result.status, result.failure_reason, result.step_count, seconds,
        statistics.median(plan_tokens) if plan_tokens else 0, sink.records, page_text(plans[-1]) if plans else "",
    )  # fmt: skip


async def run(tasks: list[str], seeds: list[int]) -> list[Episode]:
    from playwright.async_api import async_playwright

    episodes = []
    with MiniWobSite() as site, FakeLLM(answer) as llm, tempfile.TemporaryDirectory() as tmp:
        async with async_playwright() as pw:
            chromium = await pw.chromium.launch(
                executable_path=BrowserConfig().chromium_path, headless=True, args=list(LAUNCH_ARGS)
            )
            # Not counted: the first run imports litellm and warms the browser's caches.
            await one_episode(site, llm, chromium, "click-button", 0, Path(tmp))
            for task in tasks:
                for seed in seeds:
                    episode = await one_episode(site, llm, chromium, task, seed, Path(tmp))
                    mark = "ok " if episode.success else "MISS"
                    print(f"{mark} {task} seed {seed}: reward {episode.reward} {episode.status}", flush=True)
                    episodes.append(episode)
            await chromium.close()
    return episodes


def report(episodes: list[Episode], verbose: bool) -> None:
    by_task: dict[str, list[Episode]] = {}
    for episode in episodes:
        by_task.setdefault(episode.task, []).append(episode)
    wins = sum(e.success for e in episodes)
    print(
        f"\nPerfect policy on MiniWoB++: {wins}/{len(episodes)} episodes ({100 * wins / len(episodes):.0f}%)\n"
    )
    print("| task | success | median steps | median wall (s) | median planning prompt (tokens) |")
    print("|---|---:|---:|---:|---:|")
    for task, runs in by_task.items():
        print(
            f"| {task} | {sum(e.success for e in runs)}/{len(runs)} | {statistics.median(e.steps for e in runs):.0f} "
            f"| {statistics.median(e.seconds for e in runs):.1f} | {statistics.median(e.plan_tokens for e in runs):,.0f} |"
        )
    for e in episodes:
        if not e.success:
            print(f"\nMISS {e.task} seed {e.seed}: reward {e.reward}, run {e.status}: {e.failure}")
            for line in e.actions:
                print(f"    {line}")
            if verbose:
                print(
                    "    the last page the policy saw:\n"
                    + "\n".join(f"      {x}" for x in e.last_page.splitlines())
                )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tasks", nargs="+", default=list(TASKS))
    parser.add_argument("--seeds", type=int, default=5, help="episodes per task")
    parser.add_argument("--first-seed", type=int, default=1)
    parser.add_argument("--verbose", action="store_true", help="print the last page text of each miss")
    args = parser.parse_args()
    seeds = list(range(args.first_seed, args.first_seed + args.seeds))
    report(asyncio.run(run(args.tasks, seeds)), args.verbose)


if __name__ == "__main__":
    main()
