"""Stored secrets: the model sees placeholders, the page gets the value, nothing the agent sends out has it."""

from __future__ import annotations

import json
from typing import Any

import pytest

from agent import AgentTask, LLMClient, LLMConfig, run_agent
from agent.prompts import PageView, plan_messages
from agent.secrets import redact, redact_bytes, substitute
from tests.agent.test_loop import RecordingSink
from tests.support.fake_llm import FakeLLM, actions, element_id, page_text, prompt_kind

SECRET = "Zq-7-Very-Secret-Value"


def test_placeholders_are_substituted_for_typing_and_values_redacted_everywhere_else() -> None:
    secrets = {"cred_1_password": SECRET}
    assert substitute("{{cred_1_password}}!", secrets) == SECRET + "!"
    assert redact(f"typed {SECRET} and {json.dumps(SECRET)}", secrets).count("{{cred_1_password}}") == 2
    assert redact_bytes(SECRET.encode(), "image/png", secrets) == SECRET.encode()
    assert SECRET not in redact_bytes(f"<p>{SECRET}</p>".encode(), "text/html", secrets).decode()
    assert redact("12 apples", {"month": "12"}) == "12 apples"  # too short to be a secret on its own


def test_the_plan_prompt_lists_placeholders_never_values() -> None:
    messages = plan_messages(
        goal="Log in",
        page=PageView(url="https://example.com", title="Sign in", text="[1]<input>"),
        history=[],
        secret_labels={"cred_1_password": "the password of the stored credential 'Shop'"},
    )
    user = messages[1]["content"]
    assert "{{cred_1_password}}: the password of the stored credential 'Shop'" in user


@pytest.mark.browser
async def test_a_secret_is_typed_into_the_page_but_never_sent_out(
    launcher, browser_config, page_server
) -> None:
    def script(messages: list[dict[str, Any]]) -> str:
        if prompt_kind(messages) == "verify":
            return '{"goal_achieved": true, "reasoning": "done"}'
        if "Thank you" in page_text(messages):
            return actions({"action_type": "complete", "reasoning": "done"})
        return actions(
            {"action_type": "input_text", "id": element_id(messages, "Your name"), "text": "{{acct_name}}"},
            {"action_type": "click", "id": element_id(messages, "Sign up")},
        )

    sink = RecordingSink()
    task = AgentTask(
        prompt="Sign up with the stored name",
        url=page_server.url("loop_form.html"),
        secrets={"acct_name": SECRET},
        secret_labels={"acct_name": "the account name"},
        max_steps=3,
    )
    with FakeLLM(script) as fake:
        config = LLMConfig(model=fake.model, api_base=fake.base_url, api_key="test", retry_backoff=0.01)
        result = await run_agent(task, LLMClient(config), browser_config, sink=sink, launcher=launcher)
    assert result.status == "completed", result.failure_reason
    sent = json.dumps(fake.requests)
    assert SECRET not in sent
    assert (
        "Thank you, {{acct_name}}!" in sent
    )  # the page showed the typed value; the model saw the placeholder
    assert "{{acct_name}}" in sent and "the account name" in sent
    for _, kind, name, data in sink.artifacts:
        assert SECRET.encode() not in data, (kind, name)
    assert SECRET not in repr(sink.events) and SECRET not in repr(
        result.model_dump(exclude={"final_screenshot"})
    )
