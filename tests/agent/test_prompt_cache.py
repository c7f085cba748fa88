"""The static start of a planning request is marked for the provider's prompt cache, and cache reads count."""

from __future__ import annotations

import json

from agent.llm import LLMClient, LLMConfig
from agent.prompts import CACHE_SPLIT, PageView, plan_messages
from tests.support.cua_providers import FakeMessages, messages_body, text_block
from tests.support.fake_llm import FakeLLM, FakeReply

PLAN = json.dumps({"actions": [{"action_type": "click", "id": "1"}]})


def _messages(goal: str = "Buy the lamp") -> list[dict]:
    view = PageView(url="https://shop.example/", title="Shop", text="[1]<button>Buy")
    return plan_messages(goal=goal, page=view, history=["step 0: click on element 4 -> ok"])


async def test_anthropic_gets_cache_breakpoints_after_the_system_prompt_and_the_goal() -> None:
    body = messages_body(text_block(PLAN))
    body["usage"] |= {"cache_read_input_tokens": 1200, "cache_creation_input_tokens": 0}
    with FakeMessages([body]) as anthropic:
        llm = LLMClient(LLMConfig(model="anthropic/claude-sonnet-4-5", api_base=anthropic.url, api_key="k"))
        reply = await llm.complete(_messages())
    sent = anthropic.bodies()[0]
    assert sent["system"][0]["cache_control"] == {"type": "ephemeral"}
    assert "Prompt-Kind: plan" in sent["system"][0]["text"]
    stable, rest = sent["messages"][0]["content"][:2]
    assert stable["cache_control"] == {"type": "ephemeral"} and "Buy the lamp" in stable["text"]
    assert (
        "cache_control" not in rest
        and rest["text"].startswith(CACHE_SPLIT)
        and "[1]<button>Buy" in rest["text"]
    )
    assert reply.cached_tokens == 1200


async def test_the_cached_part_is_the_same_on_every_step_of_a_run() -> None:
    first, later = _messages()[1]["content"], _messages()[1]["content"].replace("step 0", "step 3")
    assert first.split(CACHE_SPLIT)[0] == later.split(CACHE_SPLIT)[0]
    assert _messages()[0] == _messages(goal="Another goal")[0]  # the system prompt is shared by every run


async def test_an_openai_compatible_model_gets_no_marker_and_reports_its_own_cache_reads() -> None:
    with FakeLLM([FakeReply(PLAN, cached_tokens=768)]) as fake:
        llm = LLMClient(LLMConfig(model=fake.model, api_base=fake.base_url, api_key="k"))
        reply = await llm.complete(_messages())
    assert "cache_control" not in json.dumps(fake.requests[0])
    assert reply.cached_tokens == 768
