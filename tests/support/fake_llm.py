"""A scripted, OpenAI-compatible LLM server for tests.

It speaks `POST /v1/chat/completions` on 127.0.0.1 (random port, one thread per request), so the real
litellm request path runs and any process (a Celery worker, `python -m agent`) can use it by pointing
its api_base at `FakeLLM.base_url`.

    with FakeLLM(['{"actions": [{"action_type": "complete"}]}', '{"goal_achieved": true}']) as llm:
        LLMConfig(model=llm.model, api_base=llm.base_url, api_key="test")

    def script(messages):
        if prompt_kind(messages) == "verify":
            return '{"goal_achieved": true}'
        if "Thank you" in page_text(messages):
            return actions({"action_type": "complete"})
        return actions({"action_type": "click", "id": element_id(messages, "Submit")})

A responder is a list of replies (consumed in order) or a callable `(messages) -> str | FakeReply`.
A `FakeReply` can also simulate an HTTP error status or a slow answer.
"""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from agent.prompts import CORRECTION_MARKER, KIND_MARKER, PAGE_CLOSE, PAGE_OPEN
from tests.support.http import LocalServer, QuietHandler


@dataclass
class FakeReply:
    text: str = ""
    status: int = 200
    delay: float = 0.0
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    cached_tokens: int | None = None  # sent as usage.prompt_tokens_details.cached_tokens, as OpenAI does


Responder = list[str | FakeReply] | Callable[[list[dict[str, Any]]], "str | FakeReply"]


# --- helpers for scripts --------------------------------------------------------------------------


def _text(content: Any) -> str:
    if isinstance(content, list):  # vision messages: text parts plus image parts
        return "\n".join(part.get("text", "") for part in content if isinstance(part, dict))
    return content or ""


def prompt_kind(messages: list[dict[str, Any]]) -> str:
    """The system prompt's marker (agent.prompts.PROMPT_KINDS: 'plan', 'verify', 'extract', skyvern-2.0's
    'goal_plan', 'goal_check', 'goal_summary'...); 'unknown' when there is none."""
    for message in messages:
        if message.get("role") == "system":
            match = re.search(re.escape(KIND_MARKER) + r"([\w-]+)", _text(message.get("content")))
            if match:
                return match.group(1)
    return "unknown"


def is_correction(messages: list[dict[str, Any]]) -> bool:
    """True when the agent is asking again because the previous answer was unusable."""
    return bool(messages) and CORRECTION_MARKER in _text(messages[-1].get("content"))


def page_text(messages: list[dict[str, Any]]) -> str:
    """The fenced page text of the first user message ('' when there is none)."""
    for message in messages:
        if message.get("role") == "user":
            text = _text(message.get("content"))
            pattern = re.escape(PAGE_OPEN) + r"(\w+)>>>\n(.*)\n" + re.escape(PAGE_CLOSE) + r"\1>>>"
            match = re.search(pattern, text, re.DOTALL)
            if match:
                return match.group(2)
    return ""


def element_id(messages: list[dict[str, Any]], contains: str) -> str:
    """The id of the first element whose page line contains `contains` (raises LookupError).

    Element lines look like `12<button>Save` (agent/dom/render.py; `[12]<button>Save` is read too).
    """
    for line in page_text(messages).splitlines():
        match = _ELEMENT_LINE.match(line)
        if match and contains in line:
            return match.group(1) or match.group(2)
    raise LookupError(f"no element line containing {contains!r} in the page text")


_ELEMENT_LINE = re.compile(r"(?:\[([^\]\s]+)\]|(\d+))<")


def actions(*items: dict[str, Any]) -> str:
    """A planning answer in the agent's JSON format."""
    return json.dumps({"actions": list(items)})


def mini_goal(plan: str, task_type: str = "navigate", **extra: Any) -> str:
    """A skyvern-2.0 planner answer (kind goal_plan) handing out the next mini-goal."""
    answer = {"thoughts": f"Next: {plan}", "user_goal_achieved": False, "plan": plan, "task_type": task_type}
    return json.dumps({**answer, **extra})


def goal_reached(achieved: bool = True, thoughts: str = "") -> str:
    """A skyvern-2.0 planner or goal-check answer (goal_plan, goal_check): is the whole goal achieved?"""
    thoughts = thoughts or ("The page shows it is done" if achieved else "Not done yet")
    return json.dumps({"thoughts": thoughts, "user_goal_achieved": achieved})


# --- the server -----------------------------------------------------------------------------------


def _estimate_tokens(text: str) -> int:
    return max(1, len(text) // 4)


class FakeLLM:
    model = "openai/fake-model"
    api_key = "test"

    def __init__(self, responder: Responder, *, model: str | None = None) -> None:
        self._responder = responder
        self._lock = threading.Lock()
        self._queue = list(responder) if isinstance(responder, list) else None
        self.requests: list[dict[str, Any]] = []  # JSON bodies, in arrival order
        if model:
            self.model = model
        self._server = LocalServer(_handler_for(self), name="fake-llm")

    @property
    def base_url(self) -> str:
        return f"{self._server.url}/v1"

    def start(self) -> FakeLLM:
        self._server.start()
        return self

    def stop(self) -> None:
        self._server.stop()

    def __enter__(self) -> FakeLLM:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def kinds(self) -> list[str]:
        """prompt_kind of every request received so far."""
        return [prompt_kind(body.get("messages", [])) for body in self.requests]

    def answer(self, body: dict[str, Any]) -> FakeReply:
        with self._lock:
            self.requests.append(body)
            if self._queue is not None:
                if not self._queue:
                    return FakeReply("FakeLLM: the scripted replies ran out", status=400)
                reply = self._queue.pop(0)
            else:
                reply = None
        if reply is None:
            try:
                reply = self._responder(body.get("messages", []))  # type: ignore[operator]
            except Exception as exc:  # a broken script should show up in the test, not hang it
                return FakeReply(f"FakeLLM script error: {type(exc).__name__}: {exc}", status=400)
        return reply if isinstance(reply, FakeReply) else FakeReply(reply)


def _completion_body(body: dict[str, Any], reply: FakeReply, model: str) -> dict[str, Any]:
    prompt = json.dumps(body.get("messages", []))
    prompt_tokens = reply.prompt_tokens if reply.prompt_tokens is not None else _estimate_tokens(prompt)
    completion_tokens = reply.completion_tokens
    if completion_tokens is None:
        completion_tokens = _estimate_tokens(reply.text)
    usage: dict[str, Any] = {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt_tokens + completion_tokens,
    }
    if reply.cached_tokens is not None:
        usage["prompt_tokens_details"] = {"cached_tokens": reply.cached_tokens}
    return {
        "id": f"chatcmpl-{uuid.uuid4().hex[:12]}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": body.get("model", model),
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": reply.text},
                "finish_reason": "stop",
            }
        ],
        "usage": usage,
    }


def _handler_for(fake: FakeLLM) -> type[QuietHandler]:
    class Handler(QuietHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
            if not self.path.rstrip("/").endswith("/chat/completions"):
                self._send(404, {"error": {"message": f"unknown path {self.path}"}})
                return
            body = json.loads(self.read_body() or b"{}")
            reply = fake.answer(body)
            if reply.delay:
                time.sleep(reply.delay)
            if reply.status != 200:
                self._send(reply.status, {"error": {"message": reply.text, "type": "fake_error"}})
                return
            self._send(200, _completion_body(body, reply, fake.model))

        def _send(self, status: int, payload: dict[str, Any]) -> None:
            self.send_body(status, json.dumps(payload).encode(), "application/json")

    return Handler


@pytest.fixture
def fake_llm_factory() -> Iterator[Callable[[Responder], FakeLLM]]:
    """`fake_llm_factory(responder)` starts a FakeLLM that is stopped after the test."""
    started: list[FakeLLM] = []

    def make(responder: Responder) -> FakeLLM:
        fake = FakeLLM(responder).start()
        started.append(fake)
        return fake

    yield make
    for fake in started:
        fake.stop()
