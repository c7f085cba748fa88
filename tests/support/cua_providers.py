"""Scripted stand-ins for the coordinate engines' providers, speaking each one's real wire format.

- `FakeResponses`: OpenAI's Responses API, `POST /v1/responses` (computer_call, reasoning, message items);
- `FakeMessages`: Anthropic's Messages API, `POST /v1/messages` (tool_use and text blocks);
- `FakeChat`: an OpenAI-compatible `POST /v1/chat/completions` answering with UI-TARS text.

Each is a tests.support.http.LocalServer. A script is a list of answers (consumed in order) or a callable
`(request body) -> answer`; an answer is the provider's JSON body or a `ProviderReply` (for an error
status). `requests` keeps every request (headers in lower case, JSON body) in arrival order.

    with FakeResponses([responses_body(computer_call({"type": "click", "x": 10, "y": 20})),
                        responses_body(message("Done"))]) as openai:
        LLMConfig(model="computer-use-preview", api_base=openai.base_url, api_key="test")
"""

from __future__ import annotations

import base64
import itertools
import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from agent.prompts import KIND_MARKER
from tests.support.http import LocalServer, QuietHandler, Received


@dataclass
class ProviderReply:
    body: dict[str, Any]
    status: int = 200
    delay: float = 0.0  # seconds to wait before answering, like a real model


Answer = dict[str, Any] | ProviderReply
Script = list[Answer] | Callable[[dict[str, Any]], Answer]
_ids = itertools.count(1)


class ScriptedProvider(LocalServer):
    """Answers POSTs to `path` from its script; anything else is a 404 in the provider's error shape."""

    path = "/"
    prefix = ""  # what base_url adds to the server's URL

    def __init__(self, script: Script) -> None:
        self.script = script
        self.requests: list[Received] = []
        self._lock = threading.Lock()
        provider = self

        class Handler(QuietHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                received = Received(
                    self.path, {k.lower(): v for k, v in self.headers.items()}, self.read_body()
                )
                reply = provider.answer(received)
                if reply.delay:
                    time.sleep(reply.delay)
                self.send_body(reply.status, json.dumps(reply.body).encode(), "application/json")

        super().__init__(Handler, name=type(self).__name__)

    @property
    def base_url(self) -> str:
        return self.url + self.prefix

    def answer(self, received: Received) -> ProviderReply:
        if received.path.rstrip("/") != self.path:
            return ProviderReply({"error": {"message": f"unknown path {received.path}"}}, 404)
        body = received.json()
        with self._lock:
            self.requests.append(received)
            if isinstance(self.script, list):
                if not self.script:
                    return ProviderReply({"error": {"message": "the scripted answers ran out"}}, 400)
                reply = self.script.pop(0)
            else:
                reply = None
        if reply is None:
            try:
                reply = self.script(body)  # type: ignore[operator]
            except Exception as exc:  # a broken script should show up in the test, not hang it
                return ProviderReply(
                    {"error": {"message": f"script error: {type(exc).__name__}: {exc}"}}, 400
                )
        return reply if isinstance(reply, ProviderReply) else ProviderReply(reply)

    def bodies(self) -> list[dict[str, Any]]:
        return [request.json() for request in self.requests]

    def kinds(self) -> list[str]:
        return [prompt_kind(body) for body in self.bodies()]


def prompt_kind(body: dict[str, Any]) -> str:
    """The Prompt-Kind of a request, from the first text that names one (instructions, system, messages)."""
    match = re.search(re.escape(KIND_MARKER) + r"([\w-]+)", json.dumps(body))
    return match.group(1) if match else "unknown"


def images_in(body: dict[str, Any]) -> list[bytes]:
    """Every PNG a request carries (data URLs and base64 sources alike), in order."""
    text = json.dumps(body)
    found = re.findall(r'data:image/png;base64,([A-Za-z0-9+/=]+)|"data": "([A-Za-z0-9+/=]{100,})"', text)
    return [base64.b64decode(url or data) for url, data in found]


# --- OpenAI Responses -----------------------------------------------------------------------------


class FakeResponses(ScriptedProvider):
    path = "/v1/responses"
    prefix = "/v1"


def computer_call(
    action: dict[str, Any], *, safety_checks: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    number = next(_ids)
    return {
        "type": "computer_call",
        "id": f"cu_{number}",
        "call_id": f"call_{number}",
        "action": action,
        "pending_safety_checks": safety_checks or [],
        "status": "completed",
    }


def reasoning(text: str) -> dict[str, Any]:
    return {
        "type": "reasoning",
        "id": f"rs_{next(_ids)}",
        "summary": [{"type": "summary_text", "text": text}],
    }


def message(text: str) -> dict[str, Any]:
    return {
        "type": "message",
        "id": f"msg_{next(_ids)}",
        "role": "assistant",
        "status": "completed",
        "content": [{"type": "output_text", "text": text, "annotations": []}],
    }


def responses_body(
    *items: dict[str, Any], input_tokens: int = 1000, output_tokens: int = 50
) -> dict[str, Any]:
    return {
        "id": f"resp_{next(_ids)}",
        "object": "response",
        "status": "completed",
        "model": "computer-use-preview",
        "output": list(items),
        "usage": {
            "input_tokens": input_tokens,
            "output_tokens": output_tokens,
            "total_tokens": input_tokens + output_tokens,
            "input_tokens_details": {"cached_tokens": 0},
            "output_tokens_details": {"reasoning_tokens": 10},
        },
    }


# --- Anthropic Messages ---------------------------------------------------------------------------


class FakeMessages(ScriptedProvider):
    path = "/v1/messages"


def tool_use(action: dict[str, Any]) -> dict[str, Any]:
    return {"type": "tool_use", "id": f"toolu_{next(_ids)}", "name": "computer", "input": action}


def text_block(text: str) -> dict[str, Any]:
    return {"type": "text", "text": text}


def messages_body(
    *blocks: dict[str, Any], input_tokens: int = 1500, output_tokens: int = 60
) -> dict[str, Any]:
    uses = any(block["type"] == "tool_use" for block in blocks)
    return {
        "id": f"msg_{next(_ids)}",
        "type": "message",
        "role": "assistant",
        "model": "claude-sonnet-4-5",
        "content": list(blocks),
        "stop_reason": "tool_use" if uses else "end_turn",
        "stop_sequence": None,
        "usage": {"input_tokens": input_tokens, "output_tokens": output_tokens},
    }


# --- OpenAI-compatible chat (UI-TARS) -------------------------------------------------------------


class FakeChat(ScriptedProvider):
    path = "/v1/chat/completions"
    prefix = "/v1"


def chat_body(text: str, *, prompt_tokens: int = 800, completion_tokens: int = 40) -> dict[str, Any]:
    return {
        "id": f"chatcmpl-{next(_ids)}",
        "object": "chat.completion",
        "model": "ui-tars",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    }
