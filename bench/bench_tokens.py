"""Prompt tokens per step, side by side with Skyvern 1.0.56 on the same pages.

    .venv/bin/python bench/bench_tokens.py [--sizes 300 3000 10000] [--tasks click-button ...]

For each page it counts (gpt-4o tokenizer, litellm.token_counter):

- page: the page as the model reads it. Ours is the snapshot's prompt text (agent/dom/render.py), uncapped
  so both sides show the whole page; Skyvern's is its element tree HTML (bench/skyvern_tree.py runs its own
  installed code);
- prompt: a whole skyvern-1.0 planning request. Ours is agent.prompts.plan_messages with the page capped
  as a run caps it (agent/loop/observe.py); Skyvern's is its extract-action.j2 template rendered with the
  same goal, its element tree and its defaults (no optional sections), untrusted-text markers left out.
- static: the part of our request that is the same on every step (the system message), which providers
  cache (agent/llm.py marks it for Anthropic; OpenAI caches a repeated prefix by itself).

Pages: the generated pages of bench_perception.py and the MiniWoB++ tasks of bench_oracle.py (seed 1, if
the `miniwob` package is installed).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

import litellm  # noqa: E402

from agent.browser import BrowserConfig, open_browser  # noqa: E402
from agent.dom import snapshot  # noqa: E402
from agent.loop.observe import PAGE_MAX_CHARS  # noqa: E402
from agent.prompts import PageView, plan_messages  # noqa: E402
from bench.bench_oracle import GOAL, TASKS  # noqa: E402
from bench.bench_perception import page_html  # noqa: E402
from bench.skyvern_tree import SDK_DIR, skyvern_elements_html  # noqa: E402

UNCAPPED = 10**9
TEMPLATE = SDK_DIR / "skyvern" / "forge" / "prompts" / "skyvern" / "extract-action.j2"


def tokens(text: str) -> int:
    return litellm.token_counter(model="gpt-4o", text=text)


def skyvern_prompt(elements: str, url: str) -> str:
    import jinja2

    env = jinja2.Environment(autoescape=False)
    env.filters["untrusted"] = lambda value: value
    template = env.from_string(TEMPLATE.read_text(encoding="utf-8"))
    return template.render(
        navigation_goal=GOAL, navigation_payload_str="null", elements=elements, current_url=url,
        action_history="[]", local_datetime="2026-01-01T00:00:00",
    )  # fmt: skip


async def measure(page: Any, name: str) -> dict[str, Any]:
    full = await snapshot(page, max_chars=UNCAPPED)
    capped = await snapshot(page, max_chars=PAGE_MAX_CHARS)
    view = PageView(url=page.url, title=capped.title, text=capped.prompt_text)
    messages = plan_messages(goal=GOAL, page=view, history=[])
    ours_prompt = "\n".join(str(m["content"]) for m in messages)
    theirs = await skyvern_elements_html(page)
    return {
        "page": name,
        "elements": len(full.elements),
        "ours_page": tokens(full.prompt_text),
        "theirs_page": tokens(theirs),
        "ours_prompt": tokens(ours_prompt),
        "theirs_prompt": tokens(skyvern_prompt(theirs, page.url)),
        "static": tokens(str(messages[0]["content"])),
    }


async def main(sizes: list[int], tasks: list[str]) -> list[dict[str, Any]]:
    rows = []
    with tempfile.TemporaryDirectory() as run_dir:
        config = BrowserConfig(run_dir=Path(run_dir), allow_private_hosts=["127.0.0.1"], record_video=False)
        async with open_browser(config) as session:
            for size in sizes:
                await session.page.set_content(page_html(size))
                rows.append(await measure(session.page, f"generated ~{size:,}"))
            if tasks:
                from bench.miniwob_site import MiniWobSite

                with MiniWobSite() as site:
                    for task in tasks:
                        await session.goto(site.episode_url(task, 1, "tokens"), wait_until="load")
                        await asyncio.sleep(0.3)
                        rows.append(await measure(session.page, task))
    return rows


def report(rows: list[dict[str, Any]]) -> None:
    print("| page | elements | page tokens: ours / Skyvern (ratio) | prompt tokens: ours / Skyvern (ratio) "
          "| static, cacheable |")  # fmt: skip
    print("|---|---:|---:|---:|---:|")
    for r in rows:
        page_ratio = r["ours_page"] / max(1, r["theirs_page"])
        prompt_ratio = r["ours_prompt"] / max(1, r["theirs_prompt"])
        print(
            f"| {r['page']} | {r['elements']:,} | {r['ours_page']:,} / {r['theirs_page']:,} ({page_ratio:.2f}×) "
            f"| {r['ours_prompt']:,} / {r['theirs_prompt']:,} ({prompt_ratio:.2f}×) | {r['static']:,} |"
        )
    small = [r for r in rows if not r["page"].startswith("generated")]
    if small:
        page = statistics.median(r["ours_page"] / max(1, r["theirs_page"]) for r in small)
        prompt = statistics.median(r["ours_prompt"] / max(1, r["theirs_prompt"]) for r in small)
        print(f"\nMiniWoB++ pages, median ratio: page {page:.2f}×, whole prompt {prompt:.2f}×")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="*", default=[300, 3_000, 10_000])
    parser.add_argument("--tasks", nargs="*", default=list(TASKS))
    options = parser.parse_args()
    report(asyncio.run(main(options.sizes, options.tasks)))
