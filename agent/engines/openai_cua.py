"""openai-cua: OpenAI's computer-use model through the Responses API (`POST {api_base}/responses`).

Each request carries the computer tool (`computer_use_preview`, the viewport's size, environment
"browser") and `truncation: "auto"`, which the tool requires; `previous_response_id` chains the turns, so
only what is new is sent: the task and a first screenshot, then one `computer_call_output` (a fresh
screenshot as an `input_image` data URL, and the page's URL) for every `computer_call` the model made.
Pending safety checks are acknowledged on that output and recorded on the action; reasoning summaries
become the actions' reasoning. An answer without a computer_call ends the run (agent.engines.cua).
"""

from __future__ import annotations

from typing import Any

from agent.engines.cua import (
    NO_ONE_TO_ASK,
    Conversation,
    CoordinateEngine,
    Settings,
    data_url,
    task_text,
)
from agent.engines.provider_http import ProviderClient
from agent.llm import LLMConfig, LLMReply
from agent.loop.state import RunState, StepOutcome
from agent.prompts import render
from agent.schemas import CoordinateAction, StepRecord

NAME = "openai-cua"
DEFAULT_API_BASE = "https://api.openai.com/v1"
DEFAULT_WAIT_S = 2.0  # the tool's wait has no duration
# The tool's mouse buttons → CoordinateAction's ("wheel" is the middle button).
BUTTONS = {"left": "left", "right": "right", "wheel": "middle", "back": "back", "forward": "forward"}


class OpenAICua(CoordinateEngine):
    name = NAME
    settings = Settings(
        model="SKYVERN_OPENAI_CUA_MODEL", api_key="SKYVERN_OPENAI_CUA_API_KEY (or OPENAI_API_KEY)"
    )
    default_api_base = DEFAULT_API_BASE

    def client(self, config: LLMConfig) -> ProviderClient:
        headers = {"Authorization": f"Bearer {config.api_key}"}
        return ProviderClient(config, headers, engine=NAME, key_hint=self.settings.api_key or "")

    def conversation(self, state: RunState, client: ProviderClient, base_url: str) -> Conversation:
        return ResponsesConversation(state, client, base_url)


def model_name(config: LLMConfig) -> str:
    """The model as OpenAI names it (a litellm-style "openai/" prefix is dropped)."""
    return (config.model or "").strip().removeprefix("openai/")


class ResponsesConversation(Conversation):
    kind = NAME

    def __init__(self, state: RunState, client: ProviderClient, base_url: str) -> None:
        super().__init__(state, client, base_url)
        self.previous_id: str | None = None
        self.pending: list[dict[str, Any]] = []  # computer_call_output items still waiting for a screenshot
        self.nudge = False  # the next input is NO_ONE_TO_ASK

    async def turn(self, step: StepRecord) -> StepOutcome:
        shot = await self.screenshot(step)
        body = await self._request(self._input(shot))
        answer = await self.exchange(step, f"{self.base_url}/responses", body)
        self.previous_id, self.pending, self.nudge = answer.get("id"), [], False
        items = [item for item in answer.get("output") or [] if isinstance(item, dict)]
        reasoning = " ".join(_summaries(items)) or None
        calls = [item for item in items if item.get("type") == "computer_call"]
        text = _message_text(items)
        step.output = {"reasoning": reasoning, "message": text or None}
        if not calls:
            if self.should_insist(text):
                self.nudge = True
                return StepOutcome("continue")
            return await self.finish(step, text)
        for call in calls:
            stopped = await self.stop_outcome()
            if stopped:
                return stopped
            await self._run_call(step, call, reasoning)
        return StepOutcome("continue")

    async def _run_call(self, step: StepRecord, call: dict[str, Any], reasoning: str | None) -> None:
        checks = [check for check in call.get("pending_safety_checks") or [] if isinstance(check, dict)]
        output: dict[str, Any] = {"type": "computer_call_output", "call_id": call.get("call_id")}
        if checks:
            # The task was given by the run's owner, who cannot be asked now: proceed, and keep a record.
            output["acknowledged_safety_checks"] = checks
            step.output = {**(step.output or {}), "acknowledged_safety_checks": checks}
        self.pending.append(output)
        raw = call.get("action") if isinstance(call.get("action"), dict) else {}
        try:
            action = translate(raw, reasoning)
        except ValueError as exc:
            await self.refuse(step, raw, str(exc))
            return
        if action is not None:  # a "screenshot" action needs no more than the next turn's screenshot
            await self.act(step, action, {"acknowledged_safety_checks": checks} if checks else None)

    def _input(self, shot: bytes) -> list[dict[str, Any]]:
        image = data_url(shot)
        if self.previous_id is None:
            content = [
                {"type": "input_text", "text": task_text(self.state, NAME)},
                {"type": "input_image", "image_url": image},
            ]
            return [{"role": "user", "content": content}]
        if self.nudge:
            text = f"Prompt-Kind: {NAME}\n\n{NO_ONE_TO_ASK}"
            content = [{"type": "input_text", "text": text}, {"type": "input_image", "image_url": image}]
            return [{"role": "user", "content": content}]
        url = self.page.url
        screenshot = {"type": "input_image", "image_url": image}
        return [{**item, "output": screenshot, "current_url": url} for item in self.pending]

    async def _request(self, items: list[dict[str, Any]]) -> dict[str, Any]:
        width, height = await self.viewport()
        body: dict[str, Any] = {
            "model": model_name(self.config),
            "instructions": render("openai_cua"),  # instructions do not carry over a previous_response_id
            "tools": [
                {
                    "type": "computer_use_preview",
                    "display_width": width,
                    "display_height": height,
                    "environment": "browser",
                }
            ],
            "input": items,
            "truncation": "auto",
            "reasoning": {"summary": "concise"},
        }
        if self.previous_id:
            body["previous_response_id"] = self.previous_id
        if self.config.max_tokens:
            body["max_output_tokens"] = self.config.max_tokens
        return body

    async def chat(self, messages: list[dict[str, Any]], images: list[bytes]) -> LLMReply:
        """The extraction call, as one stand-alone response (no previous_response_id)."""
        system = "\n\n".join(_text(m["content"]) for m in messages if m.get("role") == "system")
        content: list[dict[str, Any]] = [
            {"type": "input_text", "text": _text(m["content"])} for m in messages if m.get("role") == "user"
        ]
        content += [{"type": "input_image", "image_url": data_url(png)} for png in images]
        body = await self._request([{"role": "user", "content": content}])
        body["instructions"] = system
        body.pop("previous_response_id", None)
        answer = await self.client.post(f"{self.base_url}/responses", body)
        usage = self.usage(answer)
        items = [item for item in answer.get("output") or [] if isinstance(item, dict)]
        return LLMReply(
            text=_message_text(items),
            input_tokens=usage.input_tokens,
            output_tokens=usage.output_tokens,
            reasoning_tokens=usage.reasoning_tokens,
            cached_tokens=usage.cached_tokens,
            model=self.config.model or "",
        )


def translate(action: dict[str, Any], reasoning: str | None = None) -> CoordinateAction | None:
    """A computer_call's action → a CoordinateAction (None for "screenshot"); ValueError when unknown."""
    kind = action.get("type")
    common: dict[str, Any] = {"reasoning": reasoning, "raw": action}
    if kind == "screenshot":
        return None
    if kind == "click":
        button = BUTTONS.get(str(action.get("button") or "left"), "left")
        return CoordinateAction(kind="click", x=action.get("x"), y=action.get("y"), button=button, **common)
    if kind in ("double_click", "move"):
        return CoordinateAction(kind=kind, x=action.get("x"), y=action.get("y"), **common)
    if kind == "drag":
        path = [
            (point.get("x"), point.get("y")) for point in action.get("path") or [] if isinstance(point, dict)
        ]
        return CoordinateAction(kind="drag", path=path, **common)
    if kind == "scroll":
        return CoordinateAction(
            kind="scroll",
            x=action.get("x"),
            y=action.get("y"),
            scroll_x=action.get("scroll_x") or 0,
            scroll_y=action.get("scroll_y") or 0,
            **common,
        )
    if kind == "type":
        return CoordinateAction(kind="type", text=action.get("text"), **common)
    if kind == "keypress":
        return CoordinateAction(kind="keypress", keys=action.get("keys"), **common)
    if kind == "wait":
        return CoordinateAction(kind="wait", seconds=DEFAULT_WAIT_S, **common)
    raise ValueError(f"{NAME} does not support the computer action {kind!r}")


def _summaries(items: list[dict[str, Any]]) -> list[str]:
    texts = []
    for item in items:
        if item.get("type") == "reasoning":
            for part in item.get("summary") or []:
                if isinstance(part, dict) and part.get("text"):
                    texts.append(str(part["text"]))
    return texts


def _message_text(items: list[dict[str, Any]]) -> str:
    parts = []
    for item in items:
        if item.get("type") == "message":
            for part in item.get("content") or []:
                if isinstance(part, dict) and part.get("type") in ("output_text", "text"):
                    parts.append(str(part.get("text") or ""))
    return "\n".join(parts)


def _text(content: Any) -> str:
    if isinstance(content, list):
        return "\n".join(str(part.get("text", "")) for part in content if isinstance(part, dict))
    return str(content or "")
