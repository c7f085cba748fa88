"""`python -m agent` as a person (or a script) would run it: a subprocess against a local page."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.support.fake_llm import FakeLLM, actions, element_id, page_text, prompt_kind

pytestmark = pytest.mark.browser  # drives Chromium

ROOT = Path(__file__).resolve().parents[2]


def _script(messages: list[dict[str, Any]]) -> str:
    kind = prompt_kind(messages)
    if kind == "verify":
        return '{"goal_achieved": true}'
    if kind == "extract":
        return '{"greeting": "Thank you, Ada! You chose the weekly plan."}'
    if "Thank you" in page_text(messages):
        return actions({"action_type": "complete"})
    return actions(
        {"action_type": "input_text", "id": element_id(messages, "Your name"), "text": "Ada"},
        {"action_type": "click", "id": element_id(messages, "Sign up")},
    )


def _run(args: list[str], fake: FakeLLM | None, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SKYVERN_LLM_", "OPENAI_"))}
    if fake:
        env |= {
            "SKYVERN_LLM_MODEL": fake.model,
            "SKYVERN_LLM_API_BASE": fake.base_url,
            "SKYVERN_LLM_API_KEY": "test",
        }
    command = [
        sys.executable,
        "-m",
        "agent",
        *args,
        "--run-dir",
        str(tmp_path / "run"),
        "--allow-host",
        "127.0.0.1",
    ]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_it_runs_a_task_and_prints_the_result_as_json(page_server: Any, tmp_path: Path) -> None:
    schema = tmp_path / "schema.json"
    schema.write_text(json.dumps({"type": "object", "properties": {"greeting": {"type": "string"}}}))
    with FakeLLM(_script) as fake:
        done = _run(
            ["Sign up as Ada", "--url", page_server.url("loop_form.html"), "--schema", str(schema)],
            fake,
            tmp_path,
        )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["status"] == "completed"
    assert result["output"] == {"greeting": "Thank you, Ada! You chose the weekly plan."}
    assert "step 0: thinking" in done.stderr
    assert "input_text" in done.stderr and "click" in done.stderr and "-> ok" in done.stderr


def test_without_a_model_it_says_what_to_set(page_server: Any, tmp_path: Path) -> None:
    done = _run(["Anything", "--url", page_server.url("loop_form.html")], None, tmp_path)
    assert done.returncode == 1
    assert json.loads(done.stdout)["failure_reason"].startswith("No LLM is configured")
    assert "SKYVERN_LLM_MODEL" in done.stderr
