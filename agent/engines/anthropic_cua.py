"""anthropic-cua: Claude with Anthropic's computer-use tool through the Messages API
(`POST {api_base}/v1/messages`, headers x-api-key, anthropic-version and the tool's beta header).

The tool is `computer_20250124` (beta `computer-use-2025-01-24`: Claude Sonnet 3.7 and the Claude 4
family) with the viewport's size as the display. Each `tool_use` block is translated and run, and answered
with a `tool_result`; the last result of a turn carries the fresh screenshot as an image block. The whole
history is sent each turn, with only the last KEEP_IMAGES screenshots left in. An answer without tool_use
(`end_turn`) ends the run (agent.engines.cua).

Claude's API scales down images above about 1.15 megapixels or 1568 px on the long side, and its
coordinates then refer to the smaller image; the default 1280x720 viewport is below both limits.
"""

from __future__ import annotations

import copy
from typing import Any

from agent.actions.keys import split_keys
from agent.engines.cua import (
    NO_ONE_TO_ASK,
    Conversation,
    CoordinateEngine,
    Settings,
    png_base64,
    task_text,
)
from agent.engines.provider_http import ProviderClient
from agent.llm import LLMConfig, LLMReply
from agent.loop.state import RunState, StepOutcome
from agent.prompts import render
from agent.schemas import CoordinateAction, StepRecord

NAME = "anthropic-cua"
DEFAULT_API_BASE = "https://api.anthropic.com"
API_VERSION = "2023-06-01"
TOOL_TYPE = "computer_20250124"
TOOL_BETA = "computer-use-2025-01-24"
DEFAULT_MAX_TOKENS = 4096
KEEP_IMAGES = 3  # screenshots older than the last few cost tokens and add little
SCROLL_STEP_PX = 100  # one scroll_amount "click" of the wheel
MAX_WAIT_S = 60.0
OLD_IMAGE = {"type": "text", "text": "(older screenshot left out)"}
CLICKS = {
    "left_click": ("click", "left", 1),
    "right_click": ("right_click", "right", 1),
    "middle_click": ("click", "middle", 1),
    "double_click": ("double_click", "left", 2),
    "triple_click": ("click", "left", 3),
}


class AnthropicCua(CoordinateEngine):
    name = NAME
    settings = Settings(
        model="SKYVERN_ANTHROPIC_CUA_MODEL", api_key="SKYVERN_ANTHROPIC_CUA_API_KEY (or ANTHROPIC_API_KEY)"
    )
    default_api_base = DEFAULT_API_BASE

    def client(self, config: LLMConfig) -> ProviderClient:
        headers = {
            "x-api-key": config.api_key or "",
            "anthropic-version": API_VERSION,
            "anthropic-beta": TOOL_BETA,
        }
        return ProviderClient(config, headers, engine=NAME, key_hint=self.settings.api_key or "")

    def conversation(self, state: RunState, client: ProviderClient, base_url: str) -> Conversation:
        return MessagesConversation(state, client, base_url)


def model_name(config: LLMConfig) -> str:
    """The model as Anthropic names it (a litellm-style "anthropic/" prefix is dropped)."""
    return (config.model or "").strip().removeprefix("anthropic/")


def image_block(png: bytes) -> dict[str, Any]:
    return {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": png_base64(png)}}


class MessagesConversation(Conversation):
    kind = NAME

    def __init__(self, state: RunState, client: ProviderClient, base_url: str) -> None:
        super().__init__(state, client, base_url)
        self.messages: list[dict[str, Any]] = []
        self.results: list[dict[str, Any]] = []  # tool_result blocks waiting for the next turn
        self.nudge = False
        self.mouse: tuple[float, float] | None = None

    async def turn(self, step: StepRecord) -> StepOutcome:
        shot = await self.screenshot(step)
        message = {"role": "user", "content": self._content(shot)}
        history = prune_images([*self.messages, message], KEEP_IMAGES)
        answer = await self.exchange(step, f"{self.base_url}/v1/messages", await self._request(history))
        blocks = [block for block in answer.get("content") or [] if isinstance(block, dict)]
        self.messages = [*history, {"role": "assistant", "content": blocks}]
        self.results, self.nudge = [], False
        text = "\n".join(str(b.get("text") or "") for b in blocks if b.get("type") == "text").strip()
        thinking = " ".join(str(b.get("thinking") or "") for b in blocks if b.get("type") == "thinking")
        reasoning = text or thinking.strip() or None
        uses = [block for block in blocks if block.get("type") == "tool_use"]
        step.output = {"reasoning": reasoning, "stop_reason": answer.get("stop_reason")}
        if not uses:
            if self.should_insist(text):
                self.nudge = True
                return StepOutcome("continue")
            return await self.finish(step, text)
        for use in uses:
            stopped = await self.stop_outcome()
            if stopped:
                return stopped
            self.results.append(await self._run_tool(step, use, reasoning))
        return StepOutcome("continue")

    async def _run_tool(self, step: StepRecord, use: dict[str, Any], reasoning: str | None) -> dict[str, Any]:
        """Run one tool_use; its tool_result (the screenshot is added when the next turn is sent)."""
        result: dict[str, Any] = {"type": "tool_result", "tool_use_id": use.get("id"), "content": []}
        raw = use.get("input") if isinstance(use.get("input"), dict) else {}
        if use.get("name") != "computer":
            return _error(result, f"there is no tool named {use.get('name')!r}; use the computer tool")
        if raw.get("action") == "cursor_position":
            where = f"X={self.mouse[0]:g},Y={self.mouse[1]:g}" if self.mouse else "unknown (no move yet)"
            return {**result, "content": [{"type": "text", "text": f"The mouse is at {where}"}]}
        try:
            action = translate(raw, self.mouse, reasoning)
        except ValueError as exc:
            await self.refuse(step, raw, str(exc))
            return _error(result, str(exc))
        if action is None:  # "screenshot": the next turn's screenshot is the answer
            return result
        record = await self.act(step, action)
        if action.point is not None:
            self.mouse = action.point
        if record.status == "failed":
            return _error(result, record.error_message or "the action failed")
        return result

    def _content(self, shot: bytes) -> list[dict[str, Any]]:
        image = image_block(shot)
        if not self.messages:
            return [{"type": "text", "text": task_text(self.state, NAME)}, image]
        if self.nudge or not self.results:
            return [{"type": "text", "text": f"Prompt-Kind: {NAME}\n\n{NO_ONE_TO_ASK}"}, image]
        results = copy.deepcopy(self.results)
        results[-1]["content"] = [*results[-1]["content"], image]
        return results

    async def _request(self, messages: list[dict[str, Any]]) -> dict[str, Any]:
        width, height = await self.viewport()
        return {
            "model": model_name(self.config),
            "max_tokens": self.config.max_tokens or DEFAULT_MAX_TOKENS,
            "system": render("anthropic_cua", width=width, height=height),
            "tools": [
                {
                    "type": TOOL_TYPE,
                    "name": "computer",
                    "display_width_px": width,
                    "display_height_px": height,
                }
            ],
            "messages": messages,
        }

    async def chat(self, messages: list[dict[str, Any]], images: list[bytes]) -> LLMReply:
        """The extraction call: a plain Messages request, no tool."""
        system = "\n\n".join(_text(m["content"]) for m in messages if m.get("role") == "system")
        content: list[dict[str, Any]] = [
            {"type": "text", "text": _text(m["content"])} for m in messages if m.get("role") == "user"
        ]
        content += [image_block(png) for png in images]
        body = {
            "model": model_name(self.config),
            "max_tokens": self.config.max_tokens or DEFAULT_MAX_TOKENS,
            "system": system,
            "messages": [{"role": "user", "content": content}],
        }
        answer = await self.client.post(f"{self.base_url}/v1/messages", body)
        usage = self.usage(answer)
        blocks = [block for block in answer.get("content") or [] if isinstance(block, dict)]
        return LLMReply(
            text="\n".join(str(b.get("text") or "") for b in blocks if b.get("type") == "text"),
            input_tokens=usage.input_tokens,
            output_tokens=usage.output_tokens,
            cached_tokens=usage.cached_tokens,
            model=self.config.model or "",
        )


def translate(
    raw: dict[str, Any], mouse: tuple[float, float] | None = None, reasoning: str | None = None
) -> CoordinateAction | None:
    """The computer tool's input → a CoordinateAction (None for "screenshot"); ValueError when unknown.

    Clicks without a coordinate happen where the mouse is (`mouse`, the last point an action reached).
    """
    kind = raw.get("action")
    common: dict[str, Any] = {"reasoning": reasoning, "raw": raw}
    point = _point(raw.get("coordinate")) or mouse
    x, y = point if point else (None, None)
    if kind == "screenshot":
        return None
    if kind in CLICKS:
        name, button, clicks = CLICKS[kind]
        if name == "double_click":
            return CoordinateAction(kind="double_click", x=x, y=y, **common)
        return CoordinateAction(kind=name, x=x, y=y, button=button, clicks=clicks, **common)
    if kind == "mouse_move":
        return CoordinateAction(kind="move", x=x, y=y, **common)
    if kind == "left_click_drag":
        start = _point(raw.get("start_coordinate")) or mouse
        return CoordinateAction(kind="drag", path=[start, point] if start and point else None, **common)
    if kind in ("left_mouse_down", "left_mouse_up"):
        name = "mouse_down" if kind == "left_mouse_down" else "mouse_up"
        return CoordinateAction(kind=name, x=x, y=y, **common)
    if kind == "scroll":
        return _scroll(raw, x, y, common)
    if kind == "type":
        return CoordinateAction(kind="type", text=raw.get("text"), **common)
    if kind in ("key", "hold_key"):
        keys = split_keys(str(raw.get("text") or ""))
        seconds = _seconds(raw.get("duration")) if kind == "hold_key" else None
        return CoordinateAction(kind="keypress", keys=keys, seconds=seconds, **common)
    if kind == "wait":
        return CoordinateAction(kind="wait", seconds=_seconds(raw.get("duration")), **common)
    raise ValueError(f"{NAME} does not support the computer action {kind!r}")


def _scroll(
    raw: dict[str, Any], x: float | None, y: float | None, common: dict[str, Any]
) -> CoordinateAction:
    amount = float(raw.get("scroll_amount") or 3) * SCROLL_STEP_PX
    direction = raw.get("scroll_direction") or "down"
    dx = {"left": -amount, "right": amount}.get(direction, 0)
    dy = {"up": -amount, "down": amount}.get(direction, 0)
    return CoordinateAction(kind="scroll", x=x, y=y, scroll_x=dx, scroll_y=dy, **common)


def _point(value: Any) -> tuple[float, float] | None:
    if isinstance(value, list | tuple) and len(value) == 2 and all(isinstance(v, int | float) for v in value):
        return float(value[0]), float(value[1])
    return None


def _seconds(value: Any) -> float | None:
    return min(float(value), MAX_WAIT_S) if isinstance(value, int | float) and value >= 0 else None


def _error(result: dict[str, Any], message: str) -> dict[str, Any]:
    return {**result, "is_error": True, "content": [{"type": "text", "text": message}]}


def prune_images(messages: list[dict[str, Any]], keep: int) -> list[dict[str, Any]]:
    """A copy of `messages` where only the last `keep` image blocks remain (inside tool results too)."""
    pruned = copy.deepcopy(messages)
    seen = 0
    for message in reversed(pruned):
        content = message.get("content")
        if not isinstance(content, list):
            continue
        for index in range(len(content) - 1, -1, -1):
            block = content[index]
            inner = block.get("content") if block.get("type") == "tool_result" else None
            if isinstance(inner, list):
                for position in range(len(inner) - 1, -1, -1):
                    if inner[position].get("type") == "image":
                        seen += 1
                        if seen > keep:
                            inner[position] = OLD_IMAGE
            elif block.get("type") == "image":
                seen += 1
                if seen > keep:
                    content[index] = OLD_IMAGE
    return pruned


def _text(content: Any) -> str:
    if isinstance(content, list):
        return "\n".join(str(part.get("text", "")) for part in content if isinstance(part, dict))
    return str(content or "")
