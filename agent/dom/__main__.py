"""`python -m agent.dom URL [--max-chars N] [--allow HOST ...]`: print the page's snapshot as JSON."""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
from pathlib import Path

from agent.browser import BrowserConfig, open_browser
from agent.dom.capture import DEFAULT_MAX_CHARS, snapshot


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m agent.dom", description=__doc__)
    parser.add_argument("url")
    parser.add_argument("--max-chars", type=int, default=DEFAULT_MAX_CHARS)
    parser.add_argument("--allow", action="append", default=[], help="private host or CIDR to allow")
    parser.add_argument("--prompt", action="store_true", help="print only the prompt text")
    return parser.parse_args()


async def main(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as run_dir:
        config = BrowserConfig(run_dir=Path(run_dir), allow_private_hosts=args.allow)
        async with open_browser(config) as session:
            await session.goto(args.url, wait_until="load")
            snap = await snapshot(session.page, max_chars=args.max_chars)
    print(snap.prompt_text if args.prompt else json.dumps(snap.model_dump(mode="json"), indent=2))


if __name__ == "__main__":
    asyncio.run(main(parse_args()))
