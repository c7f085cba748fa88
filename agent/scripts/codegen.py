"""The plan as a readable Python program: Playwright's async API, robust locators, parameters as arguments.

The program runs on its own (`python script.py --email someone@example.com`) or as a function
(`await run(page, email=...)`) on a page already at the start URL. Each step tries its locators in the
plan's order (role + accessible name, label, placeholder, text, CSS path) and uses the first one that finds
exactly one element.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from agent.scripts.plan import describe_target

HEADER = '''"""{title}

Generated from run {run_id} by replaying its actions with Playwright; no LLM is needed to run it.
Parameters (values the run typed or chose) are arguments of `run` and options of this program.
"""

import argparse
import asyncio
import urllib.request
from pathlib import Path
from tempfile import mkdtemp

from playwright.async_api import Locator, Page, async_playwright

START_URL = {start_url!r}


async def first(*candidates: Locator) -> Locator:
    """The first locator that finds exactly one element (waits up to 5 s for the page to show one)."""
    for _ in range(50):
        for locator in candidates:
            if await locator.count() == 1:
                return locator
        await asyncio.sleep(0.1)
    raise LookupError("no locator matched exactly one element")


def fetch(url: str) -> str:
    """Download a file to upload, unless it is a local path already."""
    if not url.startswith(("http://", "https://")):
        return url
    target = Path(mkdtemp()) / (url.rsplit("/", 1)[-1].split("?")[0] or "upload")
    urllib.request.urlretrieve(url, target)
    return str(target)

'''

FOOTER = """

async def main() -> None:
    parser = argparse.ArgumentParser(description={title!r})
    parser.add_argument("--url", default=START_URL, help="where to start (default: %(default)s)")
    parser.add_argument("--headed", action="store_true", help="show the browser")
    parser.add_argument("--chromium", default=None, help="a Chromium binary (default: Playwright's own)")
{arguments}
    args = parser.parse_args()
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(headless=not args.headed, executable_path=args.chromium)
        page = await browser.new_page()
        await page.goto(args.url, wait_until="domcontentloaded")
        result = await run(page{call})
        print(result)
        await browser.close()


if __name__ == "__main__":
    asyncio.run(main())
"""


def generate_code(
    plan: list[dict[str, Any]], parameters: dict[str, Any], *, title: str = "", run_id: str = ""
) -> str:
    """Python source for the plan; `compile()` accepts it (tests/agent/test_scripts.py)."""
    start_url = next((step.get("url") for step in plan if step.get("url")), "about:blank")
    title = _one_line(title) or "A replay of a browser run"
    signature = "".join(f", {name}: str = {value!r}" for name, value in parameters.items())
    body = [f"async def run(page: Page{', *' if parameters else ''}{signature}) -> object:"]
    body.append(f'    """Replay the run on `page`, which is at {start_url} already."""')
    for index, step in enumerate(plan, start=1):
        body.extend(_step_lines(index, step))
    if not plan or plan[-1]["action"] != "complete":
        body.append("    return None")
    arguments = "\n".join(
        f"    parser.add_argument({'--' + name.replace('_', '-')!r}, default={value!r})"
        for name, value in parameters.items()
    )
    call = "".join(f", {name}=args.{name}" for name in parameters)
    return (
        HEADER.format(title=title.replace('"""', "'''"), run_id=run_id or "(unknown)", start_url=start_url)
        + "\n"
        + "\n".join(body)
        + "\n"
        + FOOTER.format(title=title, arguments=arguments, call=call)
    )


def _one_line(text: str) -> str:
    return " ".join((text or "").split())[:120]


def _value(step: dict[str, Any]) -> str:
    return step["parameter"] if step.get("parameter") else repr(step.get("value"))


def _step_lines(index: int, step: dict[str, Any]) -> list[str]:
    action = step["action"]
    words = step.get("target") or describe_target({})
    if action == "complete":
        return [
            f"    # {index}. The run ended here, on {step.get('url')}.",
            f"    return {step.get('output')!r}",
        ]
    if action == "goto_url":
        return [
            f"    # {index}. Go to a page.",
            f"    await page.goto({_value(step)}, wait_until='domcontentloaded')",
        ]
    if action == "keypress":
        return [f"    # {index}. Press a key.", f"    await page.keyboard.press({_value(step)})"]
    target = f"(await first({', '.join(_locator(c) for c in step['locators'])}))"
    do = {
        "click": (f"click {words}", f"await {target}.click()"),
        "hover": (f"hover over {words}", f"await {target}.hover()"),
        "input_text": (f"type into {words}", f"await {target}.fill({_value(step)})"),
        "select_option": (f"choose in {words}", f"await {target}.select_option(label={_value(step)})"),
        "checkbox": (f"set {words}", f"await {target}.set_checked({bool(step.get('value'))!r})"),
        "upload_file": (
            f"upload a file to {words}",
            f"await {target}.set_input_files(fetch({_value(step)}))",
        ),
    }[action]
    lines = [f"    # {index}. {do[0]}", f"    {do[1]}"]
    if step.get("wait_url"):
        lines.append(f"    await page.wait_for_url({_url_pattern(step['wait_url'])!r})")
        lines.append("    await page.wait_for_load_state('domcontentloaded')")
    return lines


def _locator(candidate: dict[str, Any]) -> str:
    by = candidate["by"]
    if by == "role":
        return f"page.get_by_role({candidate['role']!r}, name={candidate['name']!r}, exact=True)"
    if by == "label":
        return f"page.get_by_label({candidate['value']!r}, exact=True)"
    if by == "placeholder":
        return f"page.get_by_placeholder({candidate['value']!r}, exact=True)"
    if by == "text":
        return f"page.get_by_text({candidate['value']!r}, exact=True)"
    return f"page.locator({candidate['value']!r})"


def _url_pattern(url: str) -> str:
    """A glob for the page's path on whichever host the script runs against."""
    path = urlsplit(url).path or "/"
    return f"**{path}*" if path != "/" else "**"
