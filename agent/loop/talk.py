"""The loop's side of every LLM exchange: artifacts, token accounting, one correction on a bad answer."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from agent.actions import AnswerError
from agent.llm import LLMClient, LLMReply
from agent.loop.sink import Sink, send_artifact
from agent.prompts import correction_messages
from agent.schemas import StepRecord


def prompt_text(messages: list[dict[str, Any]]) -> str:
    parts = []
    for message in messages:
        content = message["content"]
        text = content if isinstance(content, str) else json.dumps(content)
        parts.append(f"## {message['role']}\n{text}")
    return "\n\n".join(parts)


def _jsonable(value: Any) -> str:
    if hasattr(value, "model_dump"):
        value = value.model_dump(mode="json", exclude_none=True)
    return json.dumps(value, indent=2, ensure_ascii=False, default=str)


class StepTalker:
    """Implements `agent.actions.Asker` for one step: every call is charged to `step`."""

    def __init__(self, llm: LLMClient, sink: Sink, step: StepRecord) -> None:
        self.llm = llm
        self.sink = sink
        self.step = step
        self._calls = 0

    async def __call__(
        self,
        messages: list[dict[str, Any]],
        parse: Callable[[str], Any],
        images: list[bytes] | None = None,
        *,
        llm: LLMClient | None = None,
    ) -> Any:
        """`llm` replaces the step's model for this call (the small helper calls use the secondary one)."""
        llm = llm or self.llm
        reply = await self._send(messages, images, llm)
        try:
            return await self._parsed(parse(reply.text))
        except ValueError as exc:
            # Tell the model once what was wrong; a second miss fails the step.
            messages = correction_messages(messages, reply.text, str(exc))
        reply = await self._send(messages, images, llm)
        try:
            return await self._parsed(parse(reply.text))
        except ValueError as exc:
            raise AnswerError(f"the LLM's answer was unusable twice: {exc}") from exc

    async def _send(
        self, messages: list[dict[str, Any]], images: list[bytes] | None, llm: LLMClient
    ) -> LLMReply:
        self._calls += 1
        await self._artifact("llm_prompt", prompt_text(messages), "txt", "text/plain")
        sent = len(images) if images and llm.supports_vision else 0
        request = {
            "model": llm.config.model,
            "messages": messages,
            "images": len(images or []),
            "images_sent": sent,
        }
        if images:
            request["vision"] = self._note_screenshots(llm, sent)
        await self._artifact("llm_request", json.dumps(request, indent=2), "json", "application/json")
        reply = await llm.complete(messages, images=images)
        self.step.charge(reply)
        response = {
            "text": reply.text,
            "input_tokens": reply.input_tokens,
            "output_tokens": reply.output_tokens,
        }
        await self._artifact("llm_response", json.dumps(response, indent=2), "json", "application/json")
        return reply

    def _note_screenshots(self, llm: LLMClient, sent: int) -> str:
        """Count the screenshots on the step and say, once per model, whether they went and why."""
        step = self.step
        step.screenshots_sent = max(step.screenshots_sent or 0, sent)
        verdict = "sent to" if sent else "not sent to"
        note = f"{verdict} {llm.config.model}: {llm.vision_reason()}"
        if note not in (step.screenshot_note or ""):
            step.screenshot_note = f"{step.screenshot_note}; {note}" if step.screenshot_note else note
        return note

    async def _parsed(self, value: Any) -> Any:
        await self._artifact("llm_response_parsed", _jsonable(value), "json", "application/json")
        return value

    async def _artifact(self, kind: str, data: str, ext: str, content_type: str) -> None:
        filename = f"step{self.step.order}_{self.step.retry_index}_{self._calls}_{kind}.{ext}"
        await send_artifact(self.sink, self.step, kind, data, filename, content_type)
