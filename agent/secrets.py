"""Stored secrets (passwords, card numbers) the model must never see.

The host puts them in `AgentTask.secrets` as {name: value}. Prompts name them only as `{{name}}`
placeholders; `substitute` swaps in the real value at the moment an action types into the page, and
`redact` turns any real value back into its placeholder in whatever leaves the agent: LLM requests,
artifacts, action and step records, the result. The wrappers here apply `redact` at those two exits.
"""

from __future__ import annotations

import json
import re
from typing import Any

from pydantic import BaseModel

# Secret names: letters, digits and underscores (e.g. cred_ab12_password).
NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,80}$")
# Shorter values (a card's expiry month) would blank out every "12" on a page; they are not secret alone.
MIN_REDACTED_CHARS = 3
TEXT_TYPES = ("text/", "application/json", "application/xml", "application/javascript")


def placeholder(name: str) -> str:
    return "{{" + name + "}}"


def substitute(text: str, secrets: dict[str, str]) -> str:
    """The text with every known placeholder replaced by its value (only for typing into the page)."""
    for name, value in secrets.items():
        text = text.replace(placeholder(name), value)
    return text


def _forms(value: str) -> list[str]:
    """The value as written plainly and inside a JSON string (quotes and backslashes escaped)."""
    escaped = json.dumps(value, ensure_ascii=False)[1:-1]
    ascii_escaped = json.dumps(value)[1:-1]
    return list(dict.fromkeys([value, escaped, ascii_escaped]))


def redact(text: str, secrets: dict[str, str]) -> str:
    """The text with every secret value replaced by its placeholder, longest values first."""
    if not secrets or not text:
        return text
    for name, value in sorted(secrets.items(), key=lambda item: -len(item[1])):
        if len(value) >= MIN_REDACTED_CHARS:
            for form in _forms(value):
                text = text.replace(form, placeholder(name))
    return text


def redact_any(value: Any, secrets: dict[str, str]) -> Any:
    """`redact` through strings, lists, dicts and pydantic models (a model comes back as a new model)."""
    if not secrets:
        return value
    if isinstance(value, str):
        return redact(value, secrets)
    if isinstance(value, BaseModel):
        return type(value).model_validate(redact_any(value.model_dump(), secrets))
    if isinstance(value, list | tuple):
        return [redact_any(item, secrets) for item in value]
    if isinstance(value, dict):
        return {key: redact_any(item, secrets) for key, item in value.items()}
    return value


def redact_bytes(data: bytes, content_type: str, secrets: dict[str, str]) -> bytes:
    """Text artifacts are redacted; images and video cannot hold typed text we could find."""
    if not secrets or not content_type.startswith(TEXT_TYPES):
        return data
    text = data.decode("utf-8", errors="surrogateescape")
    return redact(text, secrets).encode("utf-8", errors="surrogateescape")


class RedactingLLM:
    """Wraps an LLM client so no message it sends holds a secret value; everything else is delegated."""

    def __init__(self, llm: Any, secrets: dict[str, str]) -> None:
        self._llm = llm
        self._secrets = secrets

    def __getattr__(self, name: str) -> Any:
        return getattr(self._llm, name)

    async def complete(self, messages: list[dict[str, Any]], images: list[bytes] | None = None) -> Any:
        return await self._llm.complete(redact_any(messages, self._secrets), images)


class RedactingSink:
    """Wraps the host's sink so records and text artifacts reach it with placeholders only."""

    def __init__(self, sink: Any, secrets: dict[str, str]) -> None:
        self._sink = sink
        self._secrets = secrets

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sink, name)

    async def step_started(self, step: Any) -> None:
        await self._sink.step_started(self._clean_step(step))

    async def step_finished(self, step: Any) -> None:
        await self._sink.step_finished(self._clean_step(step))

    async def action_recorded(self, step: Any, action: Any, screenshot: bytes | None) -> None:
        await self._sink.action_recorded(
            self._clean_step(step), redact_any(action, self._secrets), screenshot
        )

    async def thought(self, thought: Any) -> None:
        await self._sink.thought(redact_any(thought, self._secrets))

    async def artifact(
        self, step: Any, artifact_type: str, data: bytes, filename: str, content_type: str
    ) -> None:
        clean = redact_bytes(data, content_type, self._secrets)
        await self._sink.artifact(self._clean_step(step), artifact_type, clean, filename, content_type)

    def _clean_step(self, step: Any) -> Any:
        """The step with redacted fields, copied onto the same object so the host's ids stay with it."""
        if step is None or not isinstance(step, BaseModel):
            return step
        clean = redact_any(step, self._secrets)
        for field in type(step).model_fields:
            setattr(step, field, getattr(clean, field))
        return step


def redacting(secrets: dict[str, str], llm: Any, secondary: Any, sink: Any) -> tuple[Any, Any, Any]:
    """The run's LLM clients and sink, wrapped so nothing they send out holds a secret value."""
    wrapped_secondary = RedactingLLM(secondary, secrets) if secondary is not None else None
    return RedactingLLM(llm, secrets), wrapped_secondary, RedactingSink(sink, secrets)


def redact_result(result: Any, secrets: dict[str, str]) -> Any:
    """The agent's result with secret values replaced in its text fields (its screenshot is an image)."""
    if secrets:
        result.failure_reason = redact_any(result.failure_reason, secrets)
        result.output = redact_any(result.output, secrets)
        result.errors = redact_any(result.errors, secrets)
    return result
