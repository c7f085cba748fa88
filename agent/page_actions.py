"""One high-level action on a page someone else keeps open (the SDK's page helpers: POST /v1/sdk/run_action).

`page_action(kind, ...)` runs one of:
  act      a short agent run with the intention as its goal, on the page as it is (run_agent);
  extract  one extraction call on the current page (Prompt-Kind: extract), checked against the schema;
  validate one call judging a condition on the current page (Prompt-Kind: page_validate) → true/false;
  prompt   one LLM call without the browser (Prompt-Kind: page_prompt), JSON when a schema is given.
The browser is a BrowserConfig with `session_cdp_url`: the page is left open as it was found.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel

from agent.actions import schema_validator
from agent.actions.terminal import extraction_parser
from agent.browser import BrowserConfig, open_browser
from agent.llm import LLMClient, extract_json, validate_answer
from agent.loop import observe as observing
from agent.prompts import extract_messages, fence_page, render
from agent.schemas import AgentTask

ACT_MAX_STEPS = 5
KINDS = ("act", "extract", "validate", "prompt")


class PageActionError(Exception):
    """The action could not be done; the message says why (safe to show)."""


class Validity(BaseModel):
    valid: bool
    reasoning: str | None = None


async def page_action(kind: str, *, llm: LLMClient, browser: BrowserConfig, **options: Any) -> Any:
    if kind == "prompt":
        return await prompt_answer(llm, options.get("prompt") or "", options.get("schema"))
    if kind == "act":
        return await page_act(llm, browser, options.get("prompt") or "", options.get("data"))
    async with open_browser(browser) as session:
        page = (await observing.observe(session, with_html=False)).view
        if kind == "extract":
            schema = options.get("schema")
            messages = extract_messages(goal=options.get("prompt") or "", page=page, schema=schema)
            return await _ask(llm, messages, extraction_parser(schema))
        if kind == "validate":
            user = f"Condition: {options.get('prompt') or ''}\n\nURL: {page.url}\nTitle: {page.title}\n\n"
            messages = [
                {"role": "system", "content": render("page_validate")},
                {"role": "user", "content": user + fence_page(page.text)},
            ]
            return (
                await _ask(llm, messages, lambda text: validate_answer(extract_json(text), Validity))
            ).valid
    raise PageActionError(f"unknown action {kind!r}; this server runs {', '.join(KINDS)}")


async def page_act(llm: LLMClient, browser: BrowserConfig, intention: str, data: Any) -> dict[str, Any]:
    """A short agent run (at most ACT_MAX_STEPS) with the intention as its goal, from the current page."""
    from agent.loop.runner import run_agent  # the loop imports the browser; keep this module light

    goal = intention if not data else f"{intention}\n\nData to use: {json.dumps(data, ensure_ascii=False)}"
    result = await run_agent(AgentTask(prompt=goal, max_steps=ACT_MAX_STEPS), llm=llm, browser=browser)
    if result.status != "completed":
        raise PageActionError(result.failure_reason or f"the action ended {result.status}")
    return {"status": result.status, "steps": result.step_count}


async def prompt_answer(llm: LLMClient, prompt: str, schema: Any) -> Any:
    if schema is not None:
        schema_validator(schema)
    note = f"Your answer must match this JSON schema: {json.dumps(schema)}" if schema else ""
    messages = [
        {"role": "system", "content": render("page_prompt", schema_note=note)},
        {"role": "user", "content": prompt},
    ]
    if schema is not None:
        return await _ask(llm, messages, extraction_parser(schema))
    reply = await llm.complete(messages)
    try:
        return extract_json(reply.text)
    except ValueError:
        return reply.text.strip()


async def _ask(llm: LLMClient, messages: list[dict[str, Any]], parse: Any) -> Any:
    reply = await llm.complete(messages)
    try:
        return parse(reply.text)
    except ValueError as exc:
        raise PageActionError(f"the model's answer could not be used: {exc}") from None
