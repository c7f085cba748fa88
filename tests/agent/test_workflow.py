"""agent.workflow: blocks in order on one browser, templating, loops, LLM-only blocks, the SSRF guard."""

from __future__ import annotations

import json
import re
from contextlib import asynccontextmanager
from typing import Any

import pytest

from agent import LLMClient, LLMConfig
from agent.workflow import WorkflowHost, WorkflowOptions, check_definition, run_workflow
from tests.support.fake_llm import FakeLLM, actions, element_id, page_text, prompt_kind

PRODUCT_SCHEMA = {
    "type": "object",
    "properties": {"name": {"type": "string"}, "price": {"type": "number"}},
    "required": ["name", "price"],
}


def script(messages: list[dict[str, Any]]) -> str:
    kind = prompt_kind(messages)
    user = messages[-1]["content"] if isinstance(messages[-1]["content"], str) else ""
    if kind == "text_prompt":
        name = re.search(r"Greet (\w+)", user)
        return json.dumps({"llm_response": f"Hello {name.group(1)}" if name else user[:40]})
    if kind == "validation":
        return json.dumps({"valid": "Blue mug" in user, "reasoning": "the product page is shown"})
    if kind == "extract":
        return '{"name": "Blue mug", "price": 12.5}'
    if kind == "verify":
        return '{"goal_achieved": true, "reasoning": "done"}'
    return actions({"action_type": "complete", "reasoning": "nothing to do"})


class RecordingHost(WorkflowHost):
    def __init__(self) -> None:
        self.finished: list[tuple[str, str, int | None, str | None]] = []

    async def block_finished(self, block) -> None:
        parent = block.parent.label if block.parent else None
        self.finished.append((block.label, block.status, block.loop_index, parent))


@pytest.fixture
def counting_launcher(launcher):
    opened: list[Any] = []

    @asynccontextmanager
    async def launch(config):
        async with launcher(config) as session:
            opened.append(session)
            yield session

    launch.opened = opened
    return launch


def options(fake: FakeLLM, launcher: Any, browser_config: Any) -> WorkflowOptions:
    config = LLMConfig(model=fake.model, api_base=fake.base_url, api_key="test", retry_backoff=0.01)
    return WorkflowOptions(llm=LLMClient(config), browser=browser_config, launcher=launcher, timeout=120)


def definition(url: str) -> dict[str, Any]:
    return check_definition(
        {
            "parameters": [
                {"key": "people", "workflow_parameter_type": "json"},
                {"key": "page", "workflow_parameter_type": "string"},
            ],
            "blocks": [
                {"block_type": "goto_url", "label": "open", "url": "{{ page }}"},
                {
                    "block_type": "for_loop",
                    "label": "each",
                    "loop_over_parameter_key": "people",
                    "loop_blocks": [
                        {"block_type": "text_prompt", "label": "greet", "prompt": "Greet {{ current_value }}"}
                    ],
                },
                {
                    "block_type": "extraction",
                    "label": "product",
                    "data_extraction_goal": "The product's name and price",
                    "data_schema": PRODUCT_SCHEMA,
                },
                {"block_type": "validation", "label": "check", "complete_criterion": "a product is shown"},
                {
                    "block_type": "text_prompt",
                    "label": "note",
                    "prompt": "Say {{ product.output.name }} costs {{ product_output.price }}",
                },
            ],
        }
    )


async def test_a_workflow_runs_its_blocks_on_one_browser(
    counting_launcher, browser_config, page_server
) -> None:
    host = RecordingHost()
    parameters = {"people": ["Ada", "Grace", "Linus"], "page": page_server.url("loop_product.html")}
    with FakeLLM(script) as fake:
        result = await run_workflow(
            definition(""), parameters, options(fake, counting_launcher, browser_config), host
        )
    assert result.status == "completed", result.failure_reason
    assert result.output["each"] == [
        {"greet": {"llm_response": "Hello Ada"}},
        {"greet": {"llm_response": "Hello Grace"}},
        {"greet": {"llm_response": "Hello Linus"}},
    ]
    assert result.output["product"] == {"name": "Blue mug", "price": 12.5}
    assert result.output["check"]["valid"] is True
    assert result.output["note"] == {"llm_response": "Say Blue mug costs 12.5"}
    assert len(counting_launcher.opened) == 1
    assert [entry for entry in host.finished if entry[3] == "each"] == [
        ("greet", "completed", 0, "each"),
        ("greet", "completed", 1, "each"),
        ("greet", "completed", 2, "each"),
    ]
    assert result.input_tokens > 0


async def test_a_failed_validation_stops_the_run_before_later_blocks(
    counting_launcher, browser_config, page_server
) -> None:
    host = RecordingHost()
    parameters = {"people": [], "page": page_server.url("form.html")}
    with FakeLLM(script) as fake:
        result = await run_workflow(
            check_definition(
                {
                    "parameters": [{"key": "page", "workflow_parameter_type": "string"}],
                    "blocks": [
                        {"block_type": "goto_url", "label": "open", "url": "{{ page }}"},
                        {
                            "block_type": "validation",
                            "label": "check",
                            "complete_criterion": "a mug is shown",
                        },
                        {"block_type": "text_prompt", "label": "never", "prompt": "Greet nobody"},
                    ],
                }
            ),
            {"page": parameters["page"]},
            options(fake, counting_launcher, browser_config),
            host,
        )
    assert result.status == "terminated"
    assert "Block 'check'" in result.failure_reason
    assert [label for label, *_ in host.finished] == ["open", "check"]


async def test_text_prompts_need_no_browser_and_http_requests_pass_the_guard(
    counting_launcher, browser_config, page_server
) -> None:
    blocks = [
        {"block_type": "http_request", "label": "fetch", "url": page_server.url("loop_product.html")},
        {"block_type": "text_prompt", "label": "after", "prompt": "Greet {{ fetch.output.status_code }}"},
    ]
    refused_config = browser_config.model_copy(update={"allow_private_hosts": []})
    with FakeLLM(script) as fake:
        allowed = await run_workflow(
            check_definition({"blocks": blocks}),
            {},
            options(fake, counting_launcher, browser_config),
            WorkflowHost(),
        )
        refused = await run_workflow(
            check_definition({"blocks": blocks}),
            {},
            options(fake, counting_launcher, refused_config),
            WorkflowHost(),
        )
    assert allowed.status == "completed", allowed.failure_reason
    assert allowed.output["fetch"]["status_code"] == 200 and "Blue mug" in allowed.output["fetch"]["body"]
    assert allowed.output["after"] == {"llm_response": "Hello 200"}
    assert refused.status == "failed" and "Block 'fetch'" in refused.failure_reason
    assert "refused" in refused.failure_reason
    assert counting_launcher.opened == []


class CredentialHost(RecordingHost):
    async def login(self, block, inputs):
        return {
            "secrets": {"cred_1_username": "ada-secret-name"},
            "secret_labels": {"cred_1_username": "a name"},
        }


async def test_a_login_block_types_the_stored_credential_the_model_never_sees(
    counting_launcher, browser_config, page_server
) -> None:
    def login_script(messages: list[dict[str, Any]]) -> str:
        if prompt_kind(messages) == "verify":
            return '{"goal_achieved": true, "reasoning": "done"}'
        if "Thank you" in page_text(messages):
            return actions({"action_type": "complete", "reasoning": "in"})
        return actions(
            {
                "action_type": "input_text",
                "id": element_id(messages, "Your name"),
                "text": "{{cred_1_username}}",
            },
            {"action_type": "click", "id": element_id(messages, "Sign up")},
        )

    workflow = check_definition(
        {"blocks": [{"block_type": "login", "label": "sign_in", "url": page_server.url("loop_form.html")}]}
    )
    with FakeLLM(login_script) as fake:
        result = await run_workflow(
            workflow, {}, options(fake, counting_launcher, browser_config), CredentialHost()
        )
        without = await run_workflow(
            workflow, {}, options(fake, counting_launcher, browser_config), WorkflowHost()
        )
    assert result.status == "completed", result.failure_reason
    assert "ada-secret-name" not in json.dumps(fake.requests) and "{{cred_1_username}}" in json.dumps(
        fake.requests
    )
    assert without.status == "failed" and "needs a stored credential" in without.failure_reason


async def test_a_loop_over_an_earlier_blocks_list_with_a_loop_inside_it(
    counting_launcher, browser_config, page_server
) -> None:
    def list_script(messages: list[dict[str, Any]]) -> str:
        if "List the team" in messages[-1]["content"]:
            return json.dumps({"names": ["Ada", "Grace"]})
        return script(messages)

    workflow = check_definition(
        {
            "parameters": [{"key": "rounds", "workflow_parameter_type": "json", "default_value": [1, 2]}],
            "blocks": [
                {
                    "block_type": "text_prompt",
                    "label": "team",
                    "prompt": "List the team",
                    "json_schema": {"type": "object", "properties": {"names": {"type": "array"}}},
                },
                {
                    "block_type": "for_loop",
                    "label": "people",
                    "loop_variable_reference": "team.output.names",
                    "loop_blocks": [
                        {
                            "block_type": "for_loop",
                            "label": "times",
                            "loop_over_parameter_key": "rounds",
                            "loop_blocks": [
                                {
                                    "block_type": "text_prompt",
                                    "label": "hi",
                                    "prompt": "Greet {{ current_value }}",
                                }
                            ],
                        },
                        {"block_type": "text_prompt", "label": "bye", "prompt": "Greet {{ current_value }}"},
                    ],
                },
            ],
        }
    )
    with FakeLLM(list_script) as fake:
        result = await run_workflow(
            workflow, {"rounds": [1, 2]}, options(fake, counting_launcher, browser_config), WorkflowHost()
        )
    assert result.status == "completed", result.failure_reason
    assert [iteration["bye"] for iteration in result.output["people"]] == [
        {"llm_response": "Hello Ada"},
        {"llm_response": "Hello Grace"},
    ]
    assert result.output["people"][0]["times"] == [
        {"hi": {"llm_response": "Hello 1"}},
        {"hi": {"llm_response": "Hello 2"}},
    ]
