"""Scripts: a run's actions become a plan and a program; a replay needs no LLM until the page changes."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest

from agent import AgentTask, BrowserConfig, LLMClient, LLMConfig, run_agent
from agent.scripts import build_plan, generate_code
from agent.scripts.replay import ScriptEngine
from tests.agent.test_loop import RecordingSink, signup_script
from tests.support.fake_llm import FakeLLM, FakeReply, actions, element_id, prompt_kind

pytestmark = pytest.mark.browser

PROMPT = "Sign up as Ada for the monthly plan"


def _llm(fake: FakeLLM) -> LLMClient:
    return LLMClient(LLMConfig(model=fake.model, api_base=fake.base_url, api_key="test", retry_backoff=0.01))


def _actions(sink: RecordingSink) -> list[dict[str, Any]]:
    return [a.model_dump(mode="json") for step in sink.steps() for a in step.actions]


@pytest.fixture
def recorded(launcher: Any, browser_config: BrowserConfig, page_server: Any):
    """Runs the agent once on the newsletter form and returns (plan, parameters, task)."""

    async def record() -> tuple[list[dict[str, Any]], dict[str, Any], AgentTask]:
        task = AgentTask(prompt=PROMPT, url=page_server.url("loop_form.html"))
        sink = RecordingSink()
        with FakeLLM(signup_script) as fake:
            result = await run_agent(task, _llm(fake), browser_config, sink=sink, launcher=launcher)
        assert result.status == "completed", result.failure_reason
        steps, parameters = build_plan(_actions(sink), prompt=task.prompt, output=result.output)
        return steps, parameters, task

    return record


async def replay(launcher: Any, config: BrowserConfig, task: AgentTask, engine: ScriptEngine, fake: FakeLLM):
    sink = RecordingSink()
    result = await run_agent(task, _llm(fake), config, sink=sink, launcher=launcher, engine=engine)
    return result, sink


async def test_actions_record_robust_locators_and_the_plan_lifts_parameters(recorded: Any) -> None:
    steps, parameters, _ = await recorded()
    assert [s["action"] for s in steps] == ["input_text", "select_option", "click", "complete"]
    name, _plan, submit, done = steps
    assert name["locators"][0] == {"by": "role", "role": "textbox", "name": "Your name"}
    assert {"by": "label", "value": "Your name"} in name["locators"]
    assert name["locators"][-1]["by"] == "css" and "data-sk" not in name["locators"][-1]["value"]
    assert name["parameter"] == "your_name" and parameters == {"your_name": "Ada", "plan": "Monthly"}
    assert submit["locators"][0] == {"by": "role", "role": "button", "name": "Sign up"}
    assert submit["wait_url"].split("?")[0].endswith("/loop_thanks.html")
    assert done["output"] == {"signed_up": True}


async def test_a_replay_of_an_unchanged_page_makes_no_llm_call(recorded, launcher, browser_config) -> None:
    steps, parameters, task = await recorded()
    with FakeLLM([]) as fake:  # any call would be answered with an error
        result, sink = await replay(launcher, browser_config, task, ScriptEngine(steps, parameters), fake)
    assert result.status == "completed", result.failure_reason
    assert result.output == {"signed_up": True}
    assert fake.requests == [] and result.input_tokens == 0
    assert [s.output["ai_fallback"] for s in sink.steps()] == [False] * 4


def relabelled_fallback(messages: list[dict[str, Any]]) -> str | FakeReply:
    if prompt_kind(messages) != "plan":
        return FakeReply("unexpected call", status=400)
    return actions({"action_type": "input_text", "id": element_id(messages, "Full name"), "text": "Ada"})


async def test_a_changed_field_falls_back_to_the_agent_for_that_step_only(
    recorded, launcher, browser_config, page_server
) -> None:
    steps, parameters, task = await recorded()
    changed = task.model_copy(update={"url": page_server.url("loop_form.html?relabelled=1")})
    engine = ScriptEngine(steps, parameters)
    with FakeLLM(relabelled_fallback) as fake:
        result, sink = await replay(launcher, browser_config, changed, engine, fake)
    assert result.status == "completed", result.failure_reason
    assert fake.kinds() == ["plan"] and engine.fallbacks == 1
    fallback = [s for s in sink.steps() if s.output["ai_fallback"]]
    assert len(fallback) == 1 and fallback[0].output["script_step"] == 0
    assert (
        "'Ada'" in fallback[0].output["fallback_goal"] and "Your name" in fallback[0].output["fallback_goal"]
    )
    assert "no element matched" in fallback[0].output["fallback_reason"]
    revised, revised_parameters = build_plan(_actions(sink), prompt=PROMPT, known_parameters=parameters)
    assert {"by": "label", "value": "Full name"} in revised[0]["locators"]
    assert revised[0]["parameter"] == "your_name" and revised_parameters == parameters
    with FakeLLM([]) as fake:  # the revision replays the changed page with no LLM
        result, _ = await replay(launcher, browser_config, changed, ScriptEngine(revised, parameters), fake)
    assert result.status == "completed" and fake.requests == []


async def test_without_ai_fallback_the_run_fails_at_the_broken_step(
    recorded, launcher, browser_config, page_server
) -> None:
    steps, parameters, task = await recorded()
    changed = task.model_copy(update={"url": page_server.url("loop_form.html?relabelled=1")})
    with FakeLLM([]) as fake:
        result, _ = await replay(
            launcher, browser_config, changed, ScriptEngine(steps, parameters, ai_fallback=False), fake
        )
    assert result.status == "failed" and fake.requests == []
    assert result.failure_reason.startswith("Script step 1 (type 'Ada' into the element that was the field")
    assert "no element matched any of its locators" in result.failure_reason
    assert "ai_fallback is off" in result.failure_reason


async def test_the_generated_program_compiles_and_fills_the_form(recorded, page_server, tmp_path) -> None:
    steps, parameters, _ = await recorded()
    code = generate_code(steps, parameters, title=PROMPT, run_id="tsk_1")
    compile(code, "script.py", "exec")
    assert 'page.get_by_role("textbox", name="Your name", exact=True)' in code.replace("'", '"')
    assert "async def run(page: Page, *, your_name: str = 'Ada', plan: str = 'Monthly')" in code
    (tmp_path / "script.py").write_text(code)
    command = [sys.executable, str(tmp_path / "script.py"), "--url", page_server.url("loop_form.html")]
    command += ["--your-name", "Grace", "--chromium", BrowserConfig().chromium_path or ""]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "{'signed_up': True}" in done.stdout
    assert any("loop_thanks.html?name=Grace&plan=monthly" in r["path"] for r in page_server.requests)


def test_the_plan_keeps_each_actions_settings_and_names_payload_values_by_their_keys() -> None:
    def element(label: str) -> dict[str, Any]:
        return {"label": label, "tag": "input", "candidates": [{"by": "label", "value": label}]}

    page = {"url": "https://shop.example/a", "url_after": "https://shop.example/a"}
    recorded = [
        {"action_type": "input_text", "text": "Q-77", "locator": element("Order number"), "page": page},
        {
            "action_type": "checkbox",
            "locator": element("Gift wrap"),
            "page": {**page, "action": {"is_checked": False}},
        },
        {"action_type": "keypress", "page": {**page, "action": {"key": "Enter"}}},
        {"action_type": "click", "status": "failed", "locator": element("Nope"), "page": page},
        {"action_type": "scroll", "page": page},
        {"action_type": "goto_url", "page": {**page, "action": {"url": "https://shop.example/b"}}},
    ]
    steps, parameters = build_plan(
        recorded, prompt="Track my order", navigation_payload={"order": {"id": "Q-77"}}
    )
    assert [s["action"] for s in steps] == ["input_text", "checkbox", "keypress", "goto_url"]
    assert steps[0]["parameter"] == "order_id" and parameters == {"order_id": "Q-77"}
    assert steps[1]["value"] is False and steps[2]["value"] == "Enter"
    assert steps[3]["value"] == "https://shop.example/b"
    code = generate_code(steps, parameters)
    compile(code, "script.py", "exec")
    assert ".set_checked(False)" in code and "page.keyboard.press('Enter')" in code
    assert "async def run(page: Page, *, order_id: str = 'Q-77')" in code


async def test_a_replay_types_a_stored_secret_where_the_script_keeps_its_placeholder(
    recorded, launcher, browser_config, page_server
) -> None:
    steps, _, task = await recorded()
    secret_task = task.model_copy(update={"secrets": {"full_name": "Grace Hopper"}})
    engine = ScriptEngine(steps, {"your_name": "{{full_name}}", "plan": "Monthly"})
    with FakeLLM([]) as fake:
        result, sink = await replay(launcher, browser_config, secret_task, engine, fake)
    assert result.status == "completed" and fake.requests == []
    assert any("name=Grace+Hopper&plan=monthly" in r["path"] for r in page_server.requests)
    typed = [a for s in sink.steps() for a in s.actions if a.action_type == "input_text"]
    assert typed[0].text == "{{full_name}}"  # the record keeps the placeholder, never the value
