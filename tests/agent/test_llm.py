"""The LLM client through real litellm against the scripted server, and the answer parsers."""

from __future__ import annotations

import json

import pytest

from agent.llm import (
    LLMClient,
    LLMConfig,
    LLMError,
    LLMNotConfigured,
    attach_images,
    extract_json,
    parse_plan,
    parse_verdict,
)
from agent.prompts import PageView, extract_messages, plan_messages, verify_messages
from tests.support.fake_llm import FakeLLM, FakeReply, element_id, is_correction, page_text, prompt_kind

HELLO = [{"role": "user", "content": "hello"}]


def client(fake: FakeLLM, **overrides: object) -> LLMClient:
    config = {"model": fake.model, "api_base": fake.base_url, "api_key": "test", "retry_backoff": 0.01}
    return LLMClient(LLMConfig(**{**config, **overrides}))


async def test_it_returns_the_text_and_the_usage() -> None:
    with FakeLLM([FakeReply("hi there", prompt_tokens=120, completion_tokens=7)]) as fake:
        reply = await client(fake).complete(HELLO)
    assert (reply.text, reply.input_tokens, reply.output_tokens) == ("hi there", 120, 7)
    assert reply.cost == 0.0  # litellm has no price for the fake model, and that must not crash
    assert reply.model == "openai/fake-model"
    assert fake.requests[0]["messages"] == HELLO


async def test_it_retries_rate_limits_and_server_errors() -> None:
    replies = [FakeReply("slow down", status=429), FakeReply("oops", status=500), FakeReply("finally")]
    with FakeLLM(replies) as fake:
        reply = await client(fake).complete(HELLO)
    assert reply.text == "finally" and len(fake.requests) == 3


async def test_it_gives_up_after_max_retries() -> None:
    with FakeLLM([FakeReply("down", status=503)] * 5) as fake:
        with pytest.raises(LLMError, match="LLM request failed"):
            await client(fake, max_retries=2).complete(HELLO)
    assert len(fake.requests) == 3


async def test_bad_requests_are_not_retried() -> None:
    with FakeLLM([FakeReply("bad input", status=400), FakeReply("never")]) as fake:
        with pytest.raises(LLMError, match="bad input"):
            await client(fake).complete(HELLO)
    assert len(fake.requests) == 1


async def test_an_auth_error_means_not_configured() -> None:
    with FakeLLM([FakeReply("invalid key", status=401)]) as fake:
        with pytest.raises(LLMNotConfigured, match="No LLM is configured"):
            await client(fake).complete(HELLO)


async def test_a_missing_model_or_key_means_not_configured(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(LLMNotConfigured):
        await LLMClient(LLMConfig(model="")).complete(HELLO)
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with pytest.raises(LLMNotConfigured, match="SKYVERN_LLM_MODEL"):
        await LLMClient(LLMConfig(model="openai/gpt-4o-mini", api_base="http://127.0.0.1:9/v1")).complete(
            HELLO
        )


async def test_images_are_sent_only_to_vision_models() -> None:
    with FakeLLM(["a", "b"]) as fake:
        await client(fake).complete(HELLO, images=[b"png"])
        await client(fake, vision=True).complete(HELLO, images=[b"png"])
    assert fake.requests[0]["messages"][0]["content"] == "hello"
    parts = fake.requests[1]["messages"][0]["content"]
    assert parts[0] == {"type": "text", "text": "hello"}
    assert parts[1]["image_url"]["url"] == "data:image/png;base64,cG5n"


def test_vision_support_is_asked_of_litellm() -> None:
    assert LLMClient(LLMConfig(model="openai/gpt-4o")).supports_vision
    assert not LLMClient(LLMConfig(model="openai/some-unknown-model")).supports_vision


def test_attach_images_leaves_the_original_messages_alone() -> None:
    messages = [{"role": "system", "content": "s"}, {"role": "user", "content": "u"}]
    attached = attach_images(messages, [b"x"])
    assert messages[1]["content"] == "u" and len(attached[1]["content"]) == 2


@pytest.mark.parametrize(
    "text",
    [
        '{"a": 1}',
        '```json\n{"a": 1}\n```',
        'Sure! Here you go:\n```\n{"a": 1}\n```\nAnything else?',
        'My answer is {"a": 1} as requested',
        'Thinking {not json} then {"a": 1}',
    ],
)
def test_extract_json_is_lenient(text: str) -> None:
    assert extract_json(text) == {"a": 1}


def test_extract_json_rejects_prose() -> None:
    with pytest.raises(ValueError, match="no JSON"):
        extract_json("I would click the button")


def test_parse_plan_accepts_upper_case_types_and_a_bare_list() -> None:
    plan = parse_plan('[{"action_type": "INPUT_TEXT", "id": 7, "text": "x"}, {"action_type": "Complete"}]')
    assert [a.action_type for a in plan.actions] == ["input_text", "complete"]
    assert plan.actions[0].id == "7"


def test_parse_plan_takes_skyverns_own_action_shape_and_keeps_the_extra_keys() -> None:
    answer = {
        "actions": [
            {
                "action_type": "CLICK",
                "id": 12,
                "reasoning": "open the form",
                "confidence_float": 0.93,
                "user_detail_query": None,
                "download": False,
            },
            {"action_type": "Input-Text", "id": 13.0, "text": "Ada", "option": {"label": "x", "extra": 1}},
        ]
    }

    click, typing = parse_plan(json.dumps(answer)).actions

    assert (click.action_type, click.id, click.reasoning) == ("click", "12", "open the form")
    assert click.raw == answer["actions"][0]  # exactly as the model wrote it, for the action's record
    assert "confidence_float" not in click.model_dump()
    assert (typing.action_type, typing.id, typing.option.label) == ("input_text", "13", "x")


def test_an_action_without_unknown_keys_has_no_raw_copy() -> None:
    (action,) = parse_plan('[{"action_type": "click", "id": "1", "raw": "not mine"}]').actions
    assert action.raw is None


@pytest.mark.parametrize(
    ("answer", "complaint"),
    [
        ('{"actions": [{"action_type": "teleport"}]}', "action_type"),
        ('{"actions": [{"action_type": "click"}]}', "click needs id"),
        ('{"actions": [{"action_type": "select_option", "id": "1", "option": {}}]}', "option"),
        ('{"actions": []}', "actions"),
        ('"just a string"', "JSON object"),
    ],
)
def test_parse_plan_explains_what_is_wrong(answer: str, complaint: str) -> None:
    with pytest.raises(ValueError, match=complaint):
        parse_plan(answer)


def test_parse_verdict() -> None:
    assert parse_verdict('{"goal_achieved": true, "reasoning": "ok"}').goal_achieved
    with pytest.raises(ValueError, match="goal_achieved"):
        parse_verdict('{"done": true}')


PAGE = PageView(
    url="http://x.test/", title="Shop", text="[3]<button>Buy now</button>\nPrice 5\n[4]<a>Help</a>"
)


def test_prompts_are_recognisable_by_kind_and_fence_the_page() -> None:
    plan = plan_messages(
        goal="buy", page=PAGE, history=[], payload={"name": "Ada"}, error_codes={"E": "when"}
    )
    assert prompt_kind(plan) == "plan"
    assert prompt_kind(verify_messages(goal="buy", page=PAGE, history=None)) == "verify"
    assert prompt_kind(extract_messages(goal="buy", page=PAGE, schema={"type": "object"})) == "extract"
    assert prompt_kind(HELLO) == "unknown"
    assert page_text(plan) == PAGE.text
    assert element_id(plan, "Buy now") == "3" and element_id(plan, "Help") == "4"
    assert '"Ada"' in plan[1]["content"] and '"E"' in plan[1]["content"]
    assert not is_correction(plan)


def test_verification_shows_the_history_only_when_asked() -> None:
    with_history = verify_messages(goal="g", page=PAGE, history=["step 0: click -> ok"])
    assert "step 0: click -> ok" in with_history[1]["content"]
    assert "Actions taken" not in verify_messages(goal="g", page=PAGE, history=None)[1]["content"]


async def test_the_fake_reports_a_broken_script_as_a_bad_request() -> None:
    def script(messages: list[dict]) -> str:
        raise KeyError("boom")

    with FakeLLM(script) as fake:
        with pytest.raises(LLMError, match="FakeLLM script error"):
            await client(fake).complete(HELLO)
