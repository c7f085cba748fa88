"""Run one task from the command line: progress on stderr, the result as JSON on stdout.

    python -m agent "Find the price of the blue mug" --url https://shop.example --schema price.json

The model comes from --model / SKYVERN_LLM_MODEL (plus SKYVERN_LLM_API_BASE, SKYVERN_LLM_API_KEY).
Exit status: 0 when the task completed, 1 otherwise, 2 for bad arguments.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from agent import AgentResult, AgentTask, BrowserConfig, LLMClient, LLMConfig, NullSink, run_agent
from agent.schemas import ActionRecord, StepRecord


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m agent", description="Run a browser task with an LLM.")
    parser.add_argument("prompt", help="what the agent should do")
    parser.add_argument("--url", help="page to start on")
    parser.add_argument("--schema", type=Path, help="JSON file with the data_extraction_schema")
    parser.add_argument("--payload", type=Path, help="JSON file with the navigation_payload")
    parser.add_argument("--max-steps", type=int, default=10)
    parser.add_argument("--model", default=os.environ.get("SKYVERN_LLM_MODEL"))
    parser.add_argument("--api-base", default=os.environ.get("SKYVERN_LLM_API_BASE"))
    parser.add_argument("--headful", action="store_true", help="show the browser window")
    parser.add_argument("--run-dir", type=Path, help="where downloads and videos go (default: a temp dir)")
    parser.add_argument("--chromium", default="/usr/bin/chromium", help="Chromium executable")
    parser.add_argument(
        "--allow-host",
        action="append",
        default=[],
        help="private host/IP/CIDR the browser may reach (repeatable)",
    )
    parser.add_argument("--video", action="store_true", help="record a video of the run")
    return parser


class ProgressSink(NullSink):
    """Prints one line per step and per action, for a human watching the terminal."""

    async def step_started(self, step: StepRecord) -> None:
        retry = f" (retry {step.retry_index})" if step.retry_index else ""
        _say(f"step {step.order}{retry}: thinking...")

    async def action_recorded(self, step: StepRecord, action: ActionRecord, screenshot: bytes | None) -> None:
        target = f" {action.element_id}" if action.element_id else ""
        text = f" {action.text!r}" if action.text is not None else ""
        result = (
            "ok" if action.status == "completed" else f"FAILED ({action.error_type}: {action.error_message})"
        )
        _say(f"  {action.action_type}{target}{text} -> {result}")

    async def step_finished(self, step: StepRecord) -> None:
        _say(f"step {step.order}: {step.status} ({step.input_tokens}+{step.output_tokens} tokens)")


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def _read_json(path: Path | None) -> Any:
    return json.loads(path.read_text(encoding="utf-8")) if path else None


def _summary(result: AgentResult) -> dict[str, Any]:
    return result.model_dump(mode="json", exclude={"final_screenshot"})


async def _main(args: argparse.Namespace) -> AgentResult:
    task = AgentTask(
        prompt=args.prompt,
        url=args.url,
        data_extraction_schema=_read_json(args.schema),
        navigation_payload=_read_json(args.payload),
        max_steps=args.max_steps,
    )
    llm = LLMClient(
        LLMConfig(model=args.model, api_base=args.api_base, api_key=os.environ.get("SKYVERN_LLM_API_KEY"))
    )
    run_dir = args.run_dir or Path(tempfile.mkdtemp(prefix="agent-run-"))
    browser = BrowserConfig(
        chromium_path=args.chromium,
        headless=not args.headful,
        run_dir=run_dir,
        allow_private_hosts=args.allow_host,
        record_video=args.video,
    )
    _say(f"run dir: {run_dir}")
    return await run_agent(task, llm=llm, browser=browser, sink=ProgressSink())


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=logging.WARNING, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s"
    )
    try:
        result = asyncio.run(_main(args))
    except (OSError, ValueError) as exc:  # unreadable --schema/--payload files, bad values
        _say(f"error: {exc}")
        return 2
    if result.failure_reason:
        _say(f"{result.status}: {result.failure_reason}")
    print(json.dumps(_summary(result), indent=2, ensure_ascii=False))
    return 0 if result.status == "completed" else 1


if __name__ == "__main__":
    sys.exit(main())
