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

Engines are measured in turn, never at once. To add one, give it a stand-in in STAND_INS (a scripted chat
LLM) or, for an engine that speaks a provider's own format, in COORDINATE_STAND_INS.
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
from bench.common import demo_server, prepare_database  # noqa: E402 (needs the repository on the path)

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
    parser.add_argument("--engines", default=",".join(ALL_ENGINES), help="comma-separated engine names")
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


# --- coordinate engines ---------------------------------------------------------------------------
# The same application by coordinates, one action per model turn as computer-use models answer, on each
# provider's wire format (tests/support/cua_providers.py). Where to click is measured once on the demo page at
# the agent's viewport, as a model that reads the screenshot perfectly would see it; the checkbox and the
# button are below the fold, so the plan scrolls first. Token counts: text length / 4, plus width * height /
# 750 per screenshot (Anthropic's published estimate), so the columns compare with the Skyvern engines'.

VIEWPORT = (1280, 720)
IMAGE_TOKENS = VIEWPORT[0] * VIEWPORT[1] // 750
TARGETS = {
    "name": "#id_full_name",
    "email": "#id_email",
    "position": "#id_position",
    "years": "#id_years_experience",
    "terms": "#id_accept_terms",
    "submit": "button[type=submit]",
}
# (what, argument): click a target, type text, press a key, scroll down, or finish with a message.
APPLY_PLAN = [
    ("click", "name"), ("type", "Ada Lovelace"), ("click", "email"), ("type", "ada@example.com"),
    ("click", "position"), ("type", "Backend"), ("key", "Enter"), ("click", "years"), ("type", "7"),
    ("scroll", ""), ("click", "terms"), ("click", "submit"), ("done", "I applied as Ada Lovelace."),
]  # fmt: skip
# How far each engine's scroll goes: OpenAI's in pixels, Anthropic's in wheel clicks of 100 px, UI-TARS's is
# half the viewport (agent/engines/ui_tars.py).
SCROLL_PX = {"openai-cua": 400, "anthropic-cua": 400, "ui-tars": VIEWPORT[1] // 2}


def measure_targets(url: str) -> dict[str, tuple[float, float, float]]:
    """Each target's centre on the page: x, y at the top of the page, and the page's furthest scroll."""
    from playwright.sync_api import sync_playwright

    from agent.browser import BrowserConfig

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=BrowserConfig().chromium_path, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": VIEWPORT[0], "height": VIEWPORT[1]})
        page.goto(url)
        furthest = page.evaluate("document.documentElement.scrollHeight - window.innerHeight")
        found = {}
        for name, selector in TARGETS.items():
            box = page.locator(selector).bounding_box()
            found[name] = (box["x"] + box["width"] / 2, box["y"] + box["height"] / 2, furthest)
        browser.close()
    return found


def _point(
    engine: str, targets: dict[str, tuple[float, float, float]], name: str, scrolled: bool
) -> tuple[int, int]:
    x, y, furthest = targets[name]
    return round(x), round(y - (min(SCROLL_PX[engine], furthest) if scrolled else 0))


def _openai_answer(what: str, arg: str, point: tuple[int, int]) -> dict[str, Any]:
    from tests.support.cua_providers import computer_call, message, responses_body

    action = {
        "click": {"type": "click", "button": "left", "x": point[0], "y": point[1]},
        "type": {"type": "type", "text": arg},
        "key": {"type": "keypress", "keys": [arg.upper()]},
        "scroll": {"type": "scroll", "x": 640, "y": 360, "scroll_x": 0, "scroll_y": SCROLL_PX["openai-cua"]},
    }.get(what)
    return responses_body(computer_call(action) if action else message(arg))


def _anthropic_answer(what: str, arg: str, point: tuple[int, int]) -> dict[str, Any]:
    from tests.support.cua_providers import messages_body, text_block, tool_use

    clicks = SCROLL_PX["anthropic-cua"] // 100
    action = {
        "click": {"action": "left_click", "coordinate": list(point)},
        "type": {"action": "type", "text": arg},
        "key": {"action": "key", "text": "Return" if arg == "Enter" else arg},
        "scroll": {
            "action": "scroll",
            "coordinate": [640, 360],
            "scroll_direction": "down",
            "scroll_amount": clicks,
        },
    }.get(what)
    return messages_body(tool_use(action) if action else text_block(arg))


def _ui_tars_answer(what: str, arg: str, point: tuple[int, int]) -> dict[str, Any]:
    from tests.support.cua_providers import chat_body

    grid = f"({round(point[0] * 1000 / VIEWPORT[0])},{round(point[1] * 1000 / VIEWPORT[1])})"
    action = {
        "click": f"click(start_box='{grid}')",
        "type": f"type(content='{arg}')",
        "key": f"hotkey(key='{arg.lower()}')",
        "scroll": "scroll(start_box='(500,500)', direction='down')",
        "done": f"finished(content='{arg}')",
    }[what]
    return chat_body(f"Thought: step {what}\nAction: {action}")


def _extraction_answer(engine: str, body: dict[str, Any]) -> dict[str, Any]:
    from tests.support.cua_providers import chat_body, message, messages_body, responses_body, text_block

    reference = re.search(r"APP-[0-9A-F]{6}", json.dumps(body))
    text = json.dumps({"reference": reference.group(0) if reference else None})
    if engine == "openai-cua":
        return responses_body(message(text))
    return messages_body(text_block(text)) if engine == "anthropic-cua" else chat_body(text)


@dataclass
class CoordinateStandIn:
    server: str  # the class in tests.support.cua_providers
    model: str
    answer: Callable[[str, str, tuple[int, int]], dict[str, Any]]


# engine name -> the provider stand-in that plays its model on the demo form.
COORDINATE_STAND_INS: dict[str, CoordinateStandIn] = {
    "openai-cua": CoordinateStandIn("FakeResponses", "computer-use-preview", _openai_answer),
    "anthropic-cua": CoordinateStandIn("FakeMessages", "claude-sonnet-4-5", _anthropic_answer),
    "ui-tars": CoordinateStandIn("FakeChat", "ui-tars-1.5-7b", _ui_tars_answer),
}
ALL_ENGINES = [*STAND_INS, *COORDINATE_STAND_INS]


def coordinate_script(engine: str, targets: dict[str, tuple[float, float, float]], delay: float) -> Callable:
    """The provider's script: which turn of APPLY_PLAN a request is, answered with usage estimated."""
    from tests.support.cua_providers import ProviderReply, images_in, prompt_kind

    stand_in = COORDINATE_STAND_INS[engine]
    turns: dict[str, int] = {}  # OpenAI chains turns by response id

    def turn_of(body: dict[str, Any]) -> int:
        if engine == "openai-cua":
            previous = body.get("previous_response_id")
            return turns[previous] + 1 if previous in turns else 0
        return sum(message.get("role") == "assistant" for message in body["messages"])

    def script(body: dict[str, Any]) -> ProviderReply:
        if prompt_kind(body) == "extract":
            answer = _extraction_answer(engine, body)
        else:
            turn = turn_of(body)
            what, arg = APPLY_PLAN[min(turn, len(APPLY_PLAN) - 1)]
            scrolled = turn > APPLY_PLAN.index(("scroll", ""))
            point = _point(engine, targets, arg, scrolled) if what == "click" else (0, 0)
            answer = stand_in.answer(what, arg, point)
            if engine == "openai-cua":
                turns[answer["id"]] = turn
        images = len(images_in(body))
        text = len(re.sub(r"[A-Za-z0-9+/=]{200,}", "", json.dumps(body)))
        _set_usage(answer, text // 4 + images * IMAGE_TOKENS, max(1, len(json.dumps(answer)) // 8))
        return ProviderReply(answer, delay=delay)

    return script


def _set_usage(answer: dict[str, Any], input_tokens: int, output_tokens: int) -> None:
    if "choices" in answer:
        answer["usage"] = {"prompt_tokens": input_tokens, "completion_tokens": output_tokens}
    else:
        answer["usage"] = {"input_tokens": input_tokens, "output_tokens": output_tokens}


def measure_coordinates(engine: str, url: str, runs: int, delay: float, work: Path) -> list[Sample]:
    from tests.support import cua_providers

    stand_in = COORDINATE_STAND_INS[engine]
    targets = measure_targets(url)
    server = getattr(cua_providers, stand_in.server)(coordinate_script(engine, targets, delay))
    server.model = stand_in.model  # what one_run configures the engine with
    with server:
        return [asyncio.run(one_run(engine, url, server, work)) for _ in range(runs)]


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

    # Room for the coordinate engines' one action per turn; the Skyvern engines finish well before.
    task = AgentTask(prompt=PROMPT, url=url, data_extraction_schema=SCHEMA, max_steps=20)
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
    if engine in COORDINATE_STAND_INS:
        return measure_coordinates(engine, url, runs, delay, work)
    from tests.support.fake_llm import FakeLLM, FakeReply

    script = STAND_INS[engine]

    def answer(messages: list[dict[str, Any]]) -> Any:
        reply = script(messages)
        return FakeReply(reply, delay=delay) if delay and isinstance(reply, str) else reply

    with FakeLLM(answer) as llm:
        return [asyncio.run(one_run(engine, url, llm, work)) for _ in range(runs)]


def main() -> None:
    args = _args()
    engines = [name.strip() for name in args.engines.split(",") if name.strip()]
    unknown = [name for name in engines if name not in ALL_ENGINES]
    if unknown:
        raise SystemExit(f"no stand-in for {', '.join(unknown)}; known: {', '.join(ALL_ENGINES)}")
    prepare_database(args.database_url)
    with tempfile.TemporaryDirectory(prefix="bench-engines-") as tmp:
        work = Path(tmp)
        with demo_server(args.database_url, work) as daphne:
            url = daphne.url + "/demo/job-application"
            measure(engines[0], url, 1, 0.0, work)  # warm-up, not counted: imports litellm, fills caches
            results = {engine: measure(engine, url, args.runs, args.llm_delay, work) for engine in engines}
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
