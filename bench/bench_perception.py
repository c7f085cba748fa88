"""How long a snapshot takes and how big the prompt is, on generated pages of growing size.

    .venv/bin/python bench/bench_perception.py [--sizes 300 3000 10000] [--runs 5]

Prints a markdown table: median snapshot time, prompt size (chars and gpt-4o tokens) under the
default budget and uncapped, and the time to locate and click an element near the end of the page.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")  # before litellm is imported: no network

import litellm  # noqa: E402

from agent.browser import BrowserConfig, open_browser  # noqa: E402
from agent.dom import DEFAULT_MAX_CHARS, locate, snapshot  # noqa: E402

UNCAPPED = 10**9


def block(i: int) -> str:
    """Six elements: a heading or paragraph, an input, a select, a button, a link and a checkbox."""
    text = f"<h3>Section {i}</h3>" if i % 10 == 0 else f"<p>Paragraph {i} with a little text to read.</p>"
    return (
        f"<div class=row>{text}"
        f'<input name="field{i}" placeholder="Field {i}">'
        f'<select name="s{i}"><option>One</option><option selected>Two</option></select>'
        f"<button onclick=\"this.textContent='done {i}'\">Button {i}</button>"
        f'<a href="/item/{i}">Item {i}</a>'
        f'<label><input type=checkbox name="c{i}"> Check {i}</label></div>'
    )


def page_html(elements: int) -> str:
    rows = "".join(block(i) for i in range(elements // 6))
    return f"<!doctype html><html><head><title>Bench {elements}</title></head><body>{rows}</body></html>"


def tokens(text: str) -> int:
    return litellm.token_counter(model="gpt-4o", text=text)


async def measure(page, elements: int, runs: int) -> dict[str, float]:
    await page.set_content(page_html(elements))
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        snap = await snapshot(page, max_chars=DEFAULT_MAX_CHARS)
        times.append(time.perf_counter() - start)
    full = await snapshot(page, max_chars=UNCAPPED)
    target = [e for e in snap.elements if e.tag == "button"][-1]
    start = time.perf_counter()
    await (await locate(page, target.id)).click()
    action = time.perf_counter() - start
    return {
        "elements": len(snap.elements),
        "first": times[0],
        "median": statistics.median(times),
        "chars": len(snap.prompt_text),
        "tokens": tokens(snap.prompt_text),
        "full_chars": len(full.prompt_text),
        "full_tokens": tokens(full.prompt_text),
        "action": action,
    }


def table(rows: list[dict[str, float]]) -> str:
    head = (
        "| interactable elements | first snapshot (ms) | median snapshot (ms) | prompt chars | prompt tokens "
        "| uncapped chars | uncapped tokens | locate + click (ms) |\n|---|---|---|---|---|---|---|---|"
    )
    lines = [
        f"| {r['elements']:,} | {r['first'] * 1000:.0f} | {r['median'] * 1000:.0f} | {r['chars']:,} | "
        f"{r['tokens']:,} | {r['full_chars']:,} | {r['full_tokens']:,} | {r['action'] * 1000:.0f} |"
        for r in rows
    ]
    return "\n".join([head, *lines])


async def main(sizes: list[int], runs: int) -> None:
    with tempfile.TemporaryDirectory() as run_dir:
        async with open_browser(BrowserConfig(run_dir=Path(run_dir))) as session:
            rows = [await measure(session.page, size, runs) for size in sizes]
    print(f"Snapshot budget {DEFAULT_MAX_CHARS:,} chars; medians of {runs} runs.\n")
    print(table(rows))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[300, 3_000, 10_000])
    parser.add_argument("--runs", type=int, default=5)
    options = parser.parse_args()
    asyncio.run(main(options.sizes, options.runs))
