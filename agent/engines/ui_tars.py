"""ui-tars: ByteDance's UI-TARS (1.5) GUI model on any OpenAI-compatible chat endpoint
(`POST {api_base}/chat/completions`: vLLM, SGLang, a hosted deployment).

The model answers in its text protocol, `Thought: ...` then `Action: click(start_box='(x,y)')` (also
left_double, right_single, drag, hotkey, type, scroll, wait, finished, call_user). The first user message
states the action space and the task; every turn adds a screenshot, and the model's own answers stay in the
history, with only the last KEEP_IMAGES screenshots left in.

Where a position points depends on the deployment (`LLMConfig.engine_options["coordinates"]`, the host's
SKYVERN_UI_TARS_COORDINATES):

- "relative" (default): a 0..1000 grid over the screenshot, as UI-TARS's published SDK and hosted
  deployments use it (x_px = x / 1000 * width);
- "resized": pixels of the image after Qwen2.5-VL's resize (sides rounded to multiples of 28, between
  MIN_PIXELS and MAX_PIXELS), which is what UI-TARS-1.5 served raw by vLLM answers in;
- "pixels": pixels of the screenshot as sent.

A box `(x1,y1,x2,y2)` means its centre.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from agent.actions.keys import split_keys
from agent.engines.cua import Conversation, CoordinateEngine, Settings, data_url, task_details
from agent.engines.provider_http import ProviderClient
from agent.llm import LLMConfig, LLMReply
from agent.loop.state import RunState, StepOutcome
from agent.prompts import render
from agent.schemas import CoordinateAction, StepRecord

NAME = "ui-tars"
COORDINATE_MODES = ("relative", "resized", "pixels")
GRID = 1000
KEEP_IMAGES = 5
WAIT_S = 5.0
MAX_BAD_ANSWERS = 3  # unusable answers in a row before the run gives up
# Qwen2.5-VL's image resize (UI-TARS-1.5's base model): sides in multiples of FACTOR, area bounded.
FACTOR = 28
MIN_PIXELS = 100 * 28 * 28
MAX_PIXELS = 16384 * 28 * 28
GRID_TEXT = {
    "relative": "on a 0 to 1000 grid over the screenshot: (0,0) is the top-left corner, (1000,1000) the "
    "bottom-right one",
    "resized": "in pixels of the screenshot as you see it",
    "pixels": "in pixels of the screenshot",
}
_CALL = re.compile(r"([a-z_]+)\s*\((.*)\)", re.DOTALL)
_ARG = re.compile(r"(\w+)\s*=\s*(['\"])((?:\\.|(?!\2).)*)\2", re.DOTALL)
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


class UiTars(CoordinateEngine):
    name = NAME
    settings = Settings(model="SKYVERN_UI_TARS_MODEL", api_base="SKYVERN_UI_TARS_API_BASE")

    def preflight(self, state: RunState) -> str | None:
        mode = coordinate_mode(state.llm.config)
        if mode not in COORDINATE_MODES:
            return f"SKYVERN_UI_TARS_COORDINATES={mode!r} is not one of {', '.join(COORDINATE_MODES)}"
        return super().preflight(state)

    def client(self, config: LLMConfig) -> ProviderClient:
        headers = {"Authorization": f"Bearer {config.api_key}"} if config.api_key else {}
        return ProviderClient(config, headers, engine=NAME, key_hint="SKYVERN_UI_TARS_API_KEY")

    def conversation(self, state: RunState, client: ProviderClient, base_url: str) -> Conversation:
        return ChatConversation(state, client, base_url)


def coordinate_mode(config: LLMConfig) -> str:
    return (config.engine_options.get("coordinates") or "relative").strip().lower()


@dataclass
class Answer:
    thought: str
    name: str
    args: dict[str, str]
    text: str


class ChatConversation(Conversation):
    kind = NAME

    def __init__(self, state: RunState, client: ProviderClient, base_url: str) -> None:
        super().__init__(state, client, base_url)
        self.mode = coordinate_mode(self.config)
        self.messages: list[dict[str, Any]] = []
        self.note: str | None = None  # what the next user message says besides the screenshot
        self.bad_answers = 0

    async def turn(self, step: StepRecord) -> StepOutcome:
        shot = await self.screenshot(step)
        width, height = await self.viewport()
        history = self._history(shot, width, height)
        reply = await self.exchange(step, f"{self.base_url}/chat/completions", self._request(history))
        text = _reply_text(reply)
        self.messages = [*history, {"role": "assistant", "content": text}]
        self.note = None
        try:
            answer = parse(text)
            action = to_action(answer, (width, height), self.mode)
        except ValueError as exc:
            return self._unusable(step, text, str(exc))
        self.bad_answers = 0
        step.output = {"thought": answer.thought or None, "action": answer.text}
        if answer.name == "finished":
            return await self.finish(step, answer.args.get("content") or answer.thought)
        if answer.name == "call_user":
            return StepOutcome("terminated", answer.thought or "The model asked for a person's help")
        stopped = await self.stop_outcome()
        if stopped:
            return stopped
        if action is not None:
            record = await self.act(step, action)
            if record.status == "failed":
                self.note = f"That action failed: {record.error_message}"
        return StepOutcome("continue")

    def _unusable(self, step: StepRecord, text: str, error: str) -> StepOutcome:
        self.bad_answers += 1
        step.output = {"error": error, "answer": text}
        if self.bad_answers >= MAX_BAD_ANSWERS:
            return StepOutcome("fatal", f"{NAME}: {MAX_BAD_ANSWERS} unusable answers in a row; last: {error}")
        self.note = (
            f"Your last answer could not be used ({error}). Answer with a Thought line and one Action."
        )
        return StepOutcome("continue")

    def _history(self, shot: bytes, width: int, height: int) -> list[dict[str, Any]]:
        messages = self.messages
        if not messages:
            details = task_details(self.state)
            prompt = render(
                "ui_tars", grid=GRID_TEXT[self.mode], goal=self.state.task.prompt, details=details
            )
            messages = [{"role": "user", "content": [{"type": "text", "text": prompt}]}]
        content: list[dict[str, Any]] = [{"type": "image_url", "image_url": {"url": data_url(shot)}}]
        if self.note:
            content.insert(0, {"type": "text", "text": self.note})
        return prune_images([*messages, {"role": "user", "content": content}], KEEP_IMAGES)

    def _request(self, messages: list[dict[str, Any]]) -> dict[str, Any]:
        body: dict[str, Any] = {
            "model": self.config.model,
            "messages": messages,
            "temperature": self.config.temperature,
        }
        if self.config.max_tokens:
            body["max_tokens"] = self.config.max_tokens
        return body

    async def chat(self, messages: list[dict[str, Any]], images: list[bytes]) -> LLMReply:
        """The extraction call, on the same chat endpoint."""
        sent = [dict(message) for message in messages]
        if images:
            last = sent[-1]
            text = last["content"] if isinstance(last["content"], str) else ""
            parts = [{"type": "image_url", "image_url": {"url": data_url(png)}} for png in images]
            last["content"] = [{"type": "text", "text": text}, *parts]
        reply = await self.client.post(f"{self.base_url}/chat/completions", self._request(sent))
        usage = self.usage(reply)
        return LLMReply(
            text=_reply_text(reply),
            input_tokens=usage.input_tokens,
            output_tokens=usage.output_tokens,
            model=self.config.model or "",
        )


def _reply_text(reply: dict[str, Any]) -> str:
    choices = reply.get("choices") or [{}]
    message = choices[0].get("message") or {}
    return str(message.get("content") or "")


def parse(text: str) -> Answer:
    """`Thought: ...` (optional) and `Action: name(key='value', ...)`; ValueError when there is no action."""
    thought_match = re.search(r"(?:Thought|Reflection):\s*(.*?)(?=\n\s*Action:|\Z)", text, re.DOTALL)
    action_match = re.search(r"Action:\s*(.+)", text, re.DOTALL)
    if not action_match:
        raise ValueError("the answer has no 'Action:' line")
    action_text = action_match.group(1).strip().split("\n\n")[0].strip()
    call = _CALL.match(action_text)
    if not call:
        raise ValueError(f"cannot read the action {action_text[:80]!r}")
    args = {key: _unescape(value) for key, _, value in _ARG.findall(call.group(2))}
    thought = thought_match.group(1).strip() if thought_match else ""
    return Answer(thought=thought, name=call.group(1), args=args, text=action_text)


def _unescape(value: str) -> str:
    return value.replace("\\n", "\n").replace("\\'", "'").replace('\\"', '"')


def to_action(answer: Answer, size: tuple[int, int], mode: str) -> CoordinateAction | None:
    """The parsed answer → a CoordinateAction at viewport pixels (None for finished and call_user)."""
    name, args = answer.name, answer.args
    common: dict[str, Any] = {"reasoning": answer.thought or None, "raw": {"action": answer.text, **args}}
    if name in ("finished", "call_user"):
        return None
    if name in ("click", "left_single", "left_double", "right_single", "hover"):
        x, y = to_viewport(_box(args, "start_box", "point"), size, mode)
        kind = {"left_double": "double_click", "right_single": "right_click", "hover": "move"}.get(
            name, "click"
        )
        return CoordinateAction(kind=kind, x=x, y=y, **common)
    if name in ("drag", "select"):
        start = to_viewport(_box(args, "start_box", "start_point"), size, mode)
        end = to_viewport(_box(args, "end_box", "end_point"), size, mode)
        return CoordinateAction(kind="drag", path=[start, end], **common)
    if name in ("hotkey", "press", "keydown"):
        keys = split_keys(args.get("key") or args.get("hotkey") or "", spaces=True)
        return CoordinateAction(kind="keypress", keys=keys, **common)
    if name == "type":
        return CoordinateAction(kind="type", text=args.get("content", ""), **common)
    if name == "scroll":
        return _scroll(args, size, mode, common)
    if name == "wait":
        return CoordinateAction(kind="wait", seconds=WAIT_S, **common)
    raise ValueError(f"unknown action {name!r}")


def _scroll(
    args: dict[str, str], size: tuple[int, int], mode: str, common: dict[str, Any]
) -> CoordinateAction:
    width, height = size
    if "start_box" in args or "point" in args:
        x, y = to_viewport(_box(args, "start_box", "point"), size, mode)
    else:
        x, y = width / 2, height / 2
    distance = height * 0.5
    direction = (args.get("direction") or "down").strip().lower()
    dx = {"left": -distance, "right": distance}.get(direction, 0)
    dy = {"up": -distance, "down": distance}.get(direction, 0)
    return CoordinateAction(kind="scroll", x=x, y=y, scroll_x=dx, scroll_y=dy, **common)


def _box(args: dict[str, str], *names: str) -> tuple[float, float]:
    """The point a box or point argument names: '(x,y)', '[x1,y1,x2,y2]' (its centre), '<point>x y</point>'."""
    value = next((args[name] for name in names if name in args), None)
    if value is None:
        raise ValueError(f"the action needs {names[0]}")
    numbers = [float(number) for number in _NUMBER.findall(value)]
    if len(numbers) == 2:
        return numbers[0], numbers[1]
    if len(numbers) == 4:
        return (numbers[0] + numbers[2]) / 2, (numbers[1] + numbers[3]) / 2
    raise ValueError(f"cannot read a position from {value!r}")


def to_viewport(point: tuple[float, float], size: tuple[int, int], mode: str) -> tuple[float, float]:
    """A model position → viewport pixels, per the deployment's coordinate mode (see the module doc)."""
    width, height = size
    x, y = point
    if mode == "relative":
        x, y = x * width / GRID, y * height / GRID
    elif mode == "resized":
        resized_height, resized_width = smart_resize(height, width)
        x, y = x * width / resized_width, y * height / resized_height
    return min(max(x, 0), width - 1), min(max(y, 0), height - 1)


def smart_resize(height: int, width: int) -> tuple[int, int]:
    """The size Qwen2.5-VL's processor gives an image: sides rounded to FACTOR, area within bounds."""
    new_height = max(FACTOR, round(height / FACTOR) * FACTOR)
    new_width = max(FACTOR, round(width / FACTOR) * FACTOR)
    if new_height * new_width > MAX_PIXELS:
        beta = math.sqrt(height * width / MAX_PIXELS)
        new_height = math.floor(height / beta / FACTOR) * FACTOR
        new_width = math.floor(width / beta / FACTOR) * FACTOR
    elif new_height * new_width < MIN_PIXELS:
        beta = math.sqrt(MIN_PIXELS / (height * width))
        new_height = math.ceil(height * beta / FACTOR) * FACTOR
        new_width = math.ceil(width * beta / FACTOR) * FACTOR
    return new_height, new_width


def prune_images(messages: list[dict[str, Any]], keep: int) -> list[dict[str, Any]]:
    """A copy of `messages` where only the last `keep` image parts remain."""
    seen = 0
    pruned: list[dict[str, Any]] = []
    for message in reversed(messages):
        content = message.get("content")
        if isinstance(content, list):
            parts = []
            for part in reversed(content):
                if part.get("type") == "image_url":
                    seen += 1
                    if seen > keep:
                        part = {"type": "text", "text": "(older screenshot left out)"}
                parts.append(part)
            message = {**message, "content": list(reversed(parts))}
        pruned.append(message)
    return list(reversed(pruned))
