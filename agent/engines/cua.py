"""What the coordinate engines (openai-cua, anthropic-cua, ui-tars) share: the step loop and one turn's
bookkeeping. Each engine module only speaks its provider's wire format.

One model call is one step (so max_steps caps the turns):

1. a screenshot of the viewport (CSS pixels, the same space as the coordinates the model answers in) is
   sent with the provider's request; it is kept as a `screenshot_llm` artifact, the request and the answer
   as `llm_request` / `llm_response` (images left out, no headers, so no key), and the provider's token
   usage is charged to the step with litellm's price when it knows the model;
2. the actions of the answer run in order through agent.actions.coordinates, cancel checked before each;
   every one becomes an ActionRecord with x, y and the provider's raw action, plus a screenshot;
3. an answer that asks for no action ends the run: its text is the output, or, with a
   data_extraction_schema, one extraction call through the usual StepTalker / extract_data path, sent to
   the same provider (`chat`).
"""

from __future__ import annotations

import base64
import contextlib
import json
import re
from abc import ABC, abstractmethod
from dataclasses import dataclass, replace
from typing import Any

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page

from agent.actions import AnswerError, coordinate_record, extract_data, first_line, run_coordinate_action
from agent.actions.base import NAVIGATION_TIMEOUT_MS
from agent.engines.base import Driver
from agent.engines.provider_http import ProviderClient, ProviderError
from agent.engines.skyvern_v1 import run_steps
from agent.llm import LLMClient, LLMConfig, LLMError, LLMReply, token_cost
from agent.loop.sink import send_artifact
from agent.loop.start_url import choose_start_url
from agent.loop.state import RunState, StepOutcome
from agent.loop.talk import StepTalker
from agent.prompts import render
from agent.schemas import ActionRecord, ActionResult, CoordinateAction, StepRecord

# Sent once when a model ends its turn with a question: nobody is there to answer it.
NO_ONE_TO_ASK = (
    "Nobody can answer questions during this run. Carry on with your own best judgement, or, if the task "
    "cannot be done, stop and say why."
)
ELIDED = "(image left out: see the screenshot_llm artifact)"


@dataclass
class Usage:
    input_tokens: int = 0
    output_tokens: int = 0
    reasoning_tokens: int = 0
    cached_tokens: int = 0


@dataclass(frozen=True)
class Settings:
    """What the host must set for an engine, named the way its configuration is (for preflight)."""

    model: str
    api_key: str | None = None  # None: the provider needs no key (a self-hosted server)
    api_base: str | None = None  # None: the engine has a default base URL


def not_configured(engine: str, variable: str) -> str:
    """The one failure every unconfigured coordinate engine gives (the Discover page shows "set ...")."""
    return f"The {engine} engine is not configured: set {variable}"


def png_base64(png: bytes) -> str:
    return base64.b64encode(png).decode()


def data_url(png: bytes) -> str:
    return "data:image/png;base64," + png_base64(png)


def without_images(value: Any) -> Any:
    """A copy of a request or answer for the artifacts, every base64 image replaced by a note."""
    if isinstance(value, dict):
        if value.get("type") == "base64" and "data" in value:
            return {**value, "data": ELIDED}
        return {key: without_images(item) for key, item in value.items()}
    if isinstance(value, list):
        return [without_images(item) for item in value]
    if isinstance(value, str) and value.startswith("data:image/"):
        return ELIDED
    return value


def task_text(state: RunState, kind: str) -> str:
    """The task as every coordinate engine states it, after its Prompt-Kind line."""
    return render("cua_task", kind=kind, goal=state.task.prompt, details=task_details(state))


def task_details(state: RunState) -> str:
    """What the task adds to its goal: payload, what to report, error codes ("" when nothing)."""
    task = state.task
    details = []
    if task.navigation_payload:
        details.append(
            f"Information to use (for example to fill in forms):\n{_json(task.navigation_payload)}"
        )
    if task.data_extraction_schema is not None:
        schema = _json(task.data_extraction_schema)
        details.append(f"When you finish, report the information this JSON schema describes:\n{schema}")
    if task.error_code_mapping:
        codes = _json(task.error_code_mapping)
        details.append(f"If the task cannot be done for one of these reasons, name its code:\n{codes}")
    return "\n\n".join(details)


def _json(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False, default=str)


class ProviderChat(LLMClient):
    """An LLMClient whose calls go to the engine's own provider, so the extraction at the end of a run uses
    the usual StepTalker / extract_data path (artifacts, one correction, schema check) with the same key."""

    def __init__(self, config: LLMConfig, conversation: Conversation) -> None:
        super().__init__(config)
        self._conversation = conversation

    @property
    def supports_vision(self) -> bool:
        return True

    async def complete(self, messages: list[dict[str, Any]], images: list[bytes] | None = None) -> LLMReply:
        try:
            reply = await self._conversation.chat(messages, images or [])
        except ProviderError as exc:
            raise LLMError(str(exc)) from exc
        reply.cost = reply.cost or token_cost(self.config.model, reply.input_tokens, reply.output_tokens)
        return reply


class Conversation(ABC):
    """One run's exchange with a provider; subclasses implement `turn` (one step) and `chat`."""

    kind: str  # the Prompt-Kind of its requests, also the engine's name

    def __init__(self, state: RunState, client: ProviderClient, base_url: str) -> None:
        self.state = state
        self.client = client
        self.config = state.llm.config
        self.base_url = base_url.rstrip("/")
        self.asked_once = False  # NO_ONE_TO_ASK was sent already
        self._calls = 0

    @abstractmethod
    async def turn(self, step: StepRecord) -> StepOutcome:
        """Send what the model has not seen yet, run what it asks for."""

    @abstractmethod
    async def chat(self, messages: list[dict[str, Any]], images: list[bytes]) -> LLMReply:
        """A plain chat-style call (system + user messages, images on the last one) to the same provider."""

    @property
    def page(self) -> Page:
        return self.state.session.page

    async def viewport(self) -> tuple[int, int]:
        size = self.page.viewport_size
        if size:
            return size["width"], size["height"]
        width, height = await self.page.evaluate("[window.innerWidth, window.innerHeight]")
        return int(width), int(height)

    async def screenshot(self, step: StepRecord) -> bytes:
        """The viewport as the model sees it, in CSS pixels whatever the device scale factor."""
        shot = await self.page.screenshot(type="png", scale="css")
        self._calls += 1
        await self._artifact(step, "screenshot_llm", shot, "png", "image/png")
        return shot

    async def exchange(self, step: StepRecord, url: str, body: dict[str, Any]) -> dict[str, Any]:
        """POST `body`, keeping both sides as artifacts and charging the usage to `step`."""
        request = {"url": url, "body": without_images(body)}
        await self._artifact(step, "llm_request", _json(request), "json", "application/json")
        answer = await self.client.post(url, body)
        await self._artifact(step, "llm_response", _json(without_images(answer)), "json", "application/json")
        self.charge(step, self.usage(answer))
        return answer

    def usage(self, answer: dict[str, Any]) -> Usage:
        """Token counts from the provider's answer (OpenAI's and Anthropic's shapes both end up here)."""
        usage = answer.get("usage") or {}
        input_details = usage.get("input_tokens_details") or usage.get("prompt_tokens_details") or {}
        output_details = usage.get("output_tokens_details") or usage.get("completion_tokens_details") or {}
        return Usage(
            input_tokens=_int(usage.get("input_tokens", usage.get("prompt_tokens"))),
            output_tokens=_int(usage.get("output_tokens", usage.get("completion_tokens"))),
            reasoning_tokens=_int(output_details.get("reasoning_tokens")),
            cached_tokens=_int(input_details.get("cached_tokens", usage.get("cache_read_input_tokens"))),
        )

    def charge(self, step: StepRecord, usage: Usage) -> None:
        step.input_tokens += usage.input_tokens
        step.output_tokens += usage.output_tokens
        step.reasoning_tokens += usage.reasoning_tokens
        step.cached_tokens += usage.cached_tokens
        step.cost += token_cost(self.config.model, usage.input_tokens, usage.output_tokens)
        step.llm_model = self.config.model

    async def act(
        self, step: StepRecord, action: CoordinateAction, data: dict[str, Any] | None = None
    ) -> ActionRecord:
        """Run one coordinate action and record it (with a screenshot) for the sink."""
        result = await run_coordinate_action(self.page, action)
        if data:
            result.data = {**(result.data or {}), **data}
        return await self.record(step, coordinate_record(len(step.actions), action, result))

    async def refuse(self, step: StepRecord, raw: dict[str, Any], message: str) -> ActionRecord:
        """Record an action the engine cannot translate, so the timeline shows what the model asked."""
        result = ActionResult.fail("unsupported", message)
        record = ActionRecord(
            index=len(step.actions),
            action_type="null_action",
            status="failed",
            error_type=result.error_type,
            error_message=message,
            raw=raw,
        )
        return await self.record(step, record)

    async def record(self, step: StepRecord, record: ActionRecord) -> ActionRecord:
        step.actions.append(record)
        shot = None
        with contextlib.suppress(Exception):  # a closed tab has nothing to show; the record still counts
            shot = await self.page.screenshot(type="png", scale="css")
        if shot:
            name = f"step{step.order}_{step.retry_index}_action{record.index}.png"
            await send_artifact(self.state.sink, step, "screenshot_action", shot, name, "image/png")
        await self.state.sink.action_recorded(step, record, shot)
        return record

    async def stop_outcome(self) -> StepOutcome | None:
        reason = await self.state.stop_reason()
        if reason is None:
            return None
        return StepOutcome(reason, "The run was canceled" if reason == "canceled" else "The run timed out")

    def should_insist(self, text: str) -> bool:
        """A final message that is a question gets one NO_ONE_TO_ASK reply instead of ending the run."""
        if self.asked_once or not text.rstrip().endswith("?"):
            return False
        self.asked_once = True
        return True

    async def finish(self, step: StepRecord, text: str) -> StepOutcome:
        """The model is done: its text is the output, unless the task wants data in a schema; a final message
        naming one of the task's error codes terminates the run with it, as skyvern-1.0's terminate does."""
        code = named_error_code(text, self.state.task.error_code_mapping)
        if code is not None:
            reason = text.strip()
            await self.record(
                step, ActionRecord(index=len(step.actions), action_type="terminate", reasoning=reason)
            )
            errors = [{"error_code": code, "reasoning": reason}]
            return StepOutcome("terminated", reason, output={"error": code}, errors=errors)
        output: Any = text.strip() or None
        if self.state.task.data_extraction_schema is not None:
            talker = StepTalker(ProviderChat(self.config, self), self.state.sink, step)
            try:
                output = await extract_data(self.state.action_context(talker))
            except (AnswerError, LLMError) as exc:
                failure = f"Could not extract data matching data_extraction_schema: {exc}"
                return StepOutcome("fatal", failure)
        record = ActionRecord(
            index=len(step.actions), action_type="complete", reasoning=text.strip() or None, data=output
        )
        await self.record(step, record)
        return StepOutcome("completed", output=output)

    async def _artifact(
        self, step: StepRecord, kind: str, data: bytes | str, ext: str, content_type: str
    ) -> None:
        name = f"step{step.order}_{step.retry_index}_{self._calls}_{kind}.{ext}"
        await send_artifact(self.state.sink, step, kind, data, name, content_type)


def named_error_code(text: str, mapping: dict[str, str] | None) -> str | None:
    """The first of the task's error codes the text names as a word, if any."""
    for code in mapping or {}:
        if re.search(rf"(?<![\w-]){re.escape(code)}(?![\w-])", text):
            return code
    return None


def _int(value: Any) -> int:
    return int(value) if isinstance(value, int | float) else 0


class CoordinateEngine(ABC):
    """The Engine protocol for a provider-driven engine: preflight from `settings`, steps until done."""

    name: str
    settings: Settings
    default_api_base: str | None = None

    def preflight(self, state: RunState) -> str | None:
        config = state.llm.config
        if not (config.model or "").strip():
            return not_configured(self.name, self.settings.model)
        if self.settings.api_key and not config.api_key:
            return not_configured(self.name, self.settings.api_key)
        if self.settings.api_base and not (config.api_base or self.default_api_base):
            return not_configured(self.name, self.settings.api_base)
        return None

    @abstractmethod
    def client(self, config: LLMConfig) -> ProviderClient:
        """An HTTP client with the provider's headers."""

    @abstractmethod
    def conversation(self, state: RunState, client: ProviderClient, base_url: str) -> Conversation: ...

    async def run(self, driver: Driver) -> StepOutcome:
        state = driver.state
        client = self.client(state.llm.config)
        base_url = state.llm.config.api_base or self.default_api_base or ""
        conversation = self.conversation(state, client, base_url)
        try:
            await self._start_page(state, conversation)
            return await self._steps(driver, conversation)
        finally:
            await client.aclose()

    async def _start_page(self, state: RunState, conversation: Conversation) -> None:
        """No URL given: the engine's own model chooses where to start, as the chat engines' model does (a
        computer-use model has no address bar to type one into). A page that does not open leaves the
        blank one."""
        if state.task.url:
            return
        url = await choose_start_url(replace(state, llm=ProviderChat(state.llm.config, conversation)))
        if not url:
            return
        with contextlib.suppress(Exception):
            await state.session.goto(url, wait_until="domcontentloaded", timeout=NAVIGATION_TIMEOUT_MS)

    async def _steps(self, driver: Driver, conversation: Conversation) -> StepOutcome:
        """Turns in order; a turn the provider could not answer is retried up to max_retries_per_step."""
        return await run_steps(driver, lambda step: _guarded(conversation, step))


async def _guarded(conversation: Conversation, step: StepRecord) -> StepOutcome:
    """One turn, its failures turned into outcomes (a turn only changes the conversation once answered)."""
    try:
        return await conversation.turn(step)
    except ProviderError as exc:
        return StepOutcome("retry" if exc.retryable else "fatal", str(exc))
    except PlaywrightError as exc:  # e.g. a screenshot while the page navigated
        return StepOutcome("retry", f"could not read the page: {first_line(exc)}")
    except RuntimeError as exc:  # BrowserSession.page raises it once every tab is closed
        return StepOutcome("fatal", f"Browser error: {exc}")
