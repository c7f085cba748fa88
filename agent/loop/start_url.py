"""When a task has no URL: one LLM call chooses where to start (the Tasks API doc's promise), recorded as
a thought so its tokens count, and reported to the host so the run shows the chosen page."""

from __future__ import annotations

import logging

from pydantic import BaseModel

from agent.llm import LLMError, extract_json, validate_answer
from agent.loop.sink import send_thought
from agent.loop.state import RunState
from agent.prompts import start_url_messages
from agent.schemas import ThoughtRecord

log = logging.getLogger(__name__)


class StartUrl(BaseModel):
    url: str
    reasoning: str | None = None


async def choose_start_url(state: RunState) -> str | None:
    """An http(s) URL to open first, or None (the run then starts on a blank page, as before)."""
    messages = start_url_messages(goal=state.task.prompt)
    record = ThoughtRecord(
        order=len(state.thoughts),
        thought_type="metadata",
        thought_scenario="generate_metadata",
        user_input=state.task.prompt,
        observation=messages[-1]["content"],
    )
    url = None
    try:
        reply = await state.llm.complete(messages)
        record.answer = reply.text
        record.charge(reply)  # tokens (cached and reasoning too), cost and model
        choice = validate_answer(extract_json(reply.text), StartUrl)
        url = _http_url(choice.url)
        record.thought = choice.reasoning
        record.output = {"url": url}
    except (LLMError, ValueError) as exc:
        log.warning("could not choose a start page: %s", exc)
    state.thoughts.append(record)
    await send_thought(state.sink, record)
    if url:
        await _report(state, url)
    return url


async def _report(state: RunState, url: str) -> None:
    report = getattr(state.sink, "start_url_chosen", None)  # hosts written before it may lack it
    if report is None:
        return
    try:
        await report(url)
    except Exception:
        log.exception("sink failed to store the chosen start URL")


def _http_url(url: str) -> str | None:
    url = url.strip()
    if "://" not in url:
        url = f"https://{url}"
    return url if url.lower().startswith(("http://", "https://")) and " " not in url else None
