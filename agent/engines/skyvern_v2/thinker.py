"""skyvern-2.0's reasoning calls (planner, goal check, summary): each one becomes a ThoughtRecord.

A thought keeps what a reader needs to follow the decision: the prompt (`observation`), the model's own
reasoning (`thought`), its raw answer (`answer`), the parsed answer (`output`), tokens and cost. Like a
step's LLM calls, a bad answer is sent back once with what was wrong before the call counts as failed.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from agent.actions import AnswerError
from agent.llm import LLMClient, LLMReply
from agent.loop.sink import send_thought
from agent.loop.state import RunState
from agent.loop.talk import prompt_text
from agent.prompts import correction_messages
from agent.schemas import ThoughtRecord, ThoughtScenario, ThoughtType


class Thinker:
    """Hands each reasoning call to the sink as a thought, whether it succeeded or not. Thoughts are
    numbered across the run (state.thoughts), after any the driver recorded before the engine began."""

    def __init__(self, state: RunState) -> None:
        self.state = state

    async def think(
        self,
        messages: list[dict[str, Any]],
        parse: Callable[[str], Any],
        images: list[bytes] | None,
        *,
        thought_type: ThoughtType,
        scenario: ThoughtScenario,
        block_index: int | None = None,
    ) -> Any:
        """`parse(answer)`, after at most one correction; raises AnswerError or the LLM's LLMError."""
        record = ThoughtRecord(
            order=len(self.state.thoughts),
            thought_type=thought_type,
            thought_scenario=scenario,
            user_input=self.state.task.prompt,
            observation=prompt_text(messages),
            block_index=block_index,
        )
        try:
            value = await self._answer(record, messages, parse, images)
            record.thought = getattr(value, "thoughts", None) or None
            record.output = _as_output(value)
            return value
        finally:
            self.state.thoughts.append(record)
            await send_thought(self.state.sink, record)

    async def _answer(
        self,
        record: ThoughtRecord,
        messages: list[dict[str, Any]],
        parse: Callable[[str], Any],
        images: list[bytes] | None,
    ) -> Any:
        reply = await self._send(record, messages, images)
        try:
            return parse(reply.text)
        except ValueError as exc:
            messages = correction_messages(messages, reply.text, str(exc))
        reply = await self._send(record, messages, images)
        try:
            return parse(reply.text)
        except ValueError as exc:
            record.thought = f"The answer was unusable twice: {exc}"
            raise AnswerError(f"the LLM's answer was unusable twice: {exc}") from exc

    async def _send(
        self, record: ThoughtRecord, messages: list[dict[str, Any]], images: list[bytes] | None
    ) -> LLMReply:
        try:
            reply = await self._model_for(record).complete(messages, images=images)
        except Exception as exc:
            record.answer = _joined(record.answer, f"(no answer: {exc})")
            raise
        record.answer = _joined(record.answer, reply.text)
        record.charge(reply)
        return reply

    def _model_for(self, record: ThoughtRecord) -> LLMClient:
        """Goal checks and plain summaries are small helper calls: the secondary model does them when set
        (a summary that must match data_extraction_schema is the run's output: the main model writes it)."""
        scenario = record.thought_scenario
        schema = self.state.task.data_extraction_schema
        helper = scenario == "user_goal_check" or (scenario == "summarization" and schema is None)
        return self.state.helper_llm if helper else self.state.llm


def _joined(before: str | None, text: str) -> str:
    """Every answer of the call, the corrected one last, so a reader sees what went wrong."""
    return text if not before else f"{before}\n\n--- answer after the correction ---\n{text}"


def _as_output(value: Any) -> dict[str, Any]:
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    if isinstance(value, dict):
        return value
    return {"value": json.loads(json.dumps(value, default=str))}
