"""The non-LLM cost of one skyvern-1.0 step, split into its parts, on generated pages of growing size.

    .venv/bin/python bench/bench_step.py [--sizes 300 3000 10000] [--runs 5]

A step observes the page (snapshot, screenshot, page HTML, element JSON) and runs the planned action; this
times each part alone, then `agent.loop.observe` as a step calls it (the parts after the snapshot overlap),
then the action, a click on a button near the end of the page. The step total is observe + action. Prints a
markdown table of medians.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_perception import page_html  # noqa: E402

from agent import dom  # noqa: E402
from agent.actions import ActionContext, run_action  # noqa: E402
from agent.browser import BrowserConfig, open_browser  # noqa: E402
from agent.llm import LLMClient, LLMConfig  # noqa: E402
from agent.loop.memory import freeze_startup_objects  # noqa: E402
from agent.loop.observe import PAGE_MAX_CHARS, elements_json, observe  # noqa: E402
from agent.schemas import AgentTask, PlannedAction  # noqa: E402

PARTS = ("snapshot", "screenshot", "html", "elements_json", "observe", "action")


async def _unused(*args: Any, **kwargs: Any) -> Any:
    raise AssertionError("a click asks no LLM")


async def one_step(session: Any, ctx: ActionContext) -> dict[str, float]:
    times: dict[str, float] = {}
    start = time.perf_counter()
    snap = await dom.snapshot(session.page, max_chars=PAGE_MAX_CHARS)
    times["snapshot"] = time.perf_counter() - start
    start = time.perf_counter()
    await session.screenshot()
    times["screenshot"] = time.perf_counter() - start
    start = time.perf_counter()
    await session.page.content()
    times["html"] = time.perf_counter() - start
    start = time.perf_counter()
    elements_json(snap.elements)
    times["elements_json"] = time.perf_counter() - start
    start = time.perf_counter()
    await observe(session)  # the four parts as a step takes them (the screenshot, HTML and JSON overlap)
    times["observe"] = time.perf_counter() - start
    target = [e for e in snap.elements if e.tag == "button"][-1]
    start = time.perf_counter()
    result = await run_action(ctx, PlannedAction(action_type="click", id=target.id))
    times["action"] = time.perf_counter() - start
    assert result.success, result.error_message
    return times


async def measure(session: Any, elements: int, runs: int) -> dict[str, float]:
    await session.page.set_content(page_html(elements))
    ctx = ActionContext(
        session=session,
        task=AgentTask(prompt="bench"),
        llm=LLMClient(LLMConfig(model=None)),
        ask=_unused,
        observe=_unused,
    )
    steps = [await one_step(session, ctx) for _ in range(runs)]
    row = {part: statistics.median(step[part] for step in steps) for part in PARTS}
    row["total"] = statistics.median(step["observe"] + step["action"] for step in steps)
    row["elements"] = elements
    return row


def table(rows: list[dict[str, float]]) -> str:
    head = "| elements | " + " | ".join(PARTS) + " | step total |\n|---:" + "|---:" * (len(PARTS) + 1) + "|"
    lines = [
        f"| ~{r['elements']:,.0f} | "
        + " | ".join(f"{r[p] * 1000:.0f} ms" for p in PARTS)
        + f" | {r['total'] * 1000:.0f} ms |"
        for r in rows
    ]
    return "\n".join([head, *lines])


async def main(sizes: list[int], runs: int) -> None:
    with tempfile.TemporaryDirectory() as run_dir:
        async with open_browser(BrowserConfig(run_dir=Path(run_dir), record_video=False)) as session:
            freeze_startup_objects()  # as run_agent does before a process's first run
            rows = [await measure(session, size, runs) for size in sizes]
    print(f"Medians of {runs} steps (snapshot budget {PAGE_MAX_CHARS:,} chars, as a skyvern-1.0 step).\n")
    print(table(rows))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[300, 3_000, 10_000])
    parser.add_argument("--runs", type=int, default=5)
    options = parser.parse_args()
    asyncio.run(main(options.sizes, options.runs))
