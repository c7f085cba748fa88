"""The LLM client: one litellm call with retries, token and cost accounting, plus lenient JSON parsing.

litellm is imported lazily: it takes seconds to import, and `import agent` should stay cheap for hosts
that only need the schemas. The local price map is forced before that import because the default
behaviour fetches it from the internet, which a self-hosted worker may not reach.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import os
import re
from dataclasses import dataclass
from functools import cache
from types import ModuleType
from typing import Any, TypeVar

from pydantic import BaseModel, Field, ValidationError

from agent.prompts import CACHE_SPLIT
from agent.schemas import ActionPlan, Verdict

log = logging.getLogger(__name__)
M = TypeVar("M", bound=BaseModel)

NOT_CONFIGURED = "No LLM is configured: set SKYVERN_LLM_MODEL and its API key (SKYVERN_LLM_API_KEY)"


class LLMError(Exception):
    """The LLM could not answer (after retries) or refused the request."""


class LLMNotConfigured(LLMError):
    """No model, or the provider rejected the credentials: retrying cannot help."""


@cache
def _litellm() -> ModuleType:
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    import litellm

    litellm.suppress_debug_info = True
    return litellm


class LLMConfig(BaseModel):
    model: str | None
    api_base: str | None = None
    api_key: str | None = None
    api_version: str | None = None  # Azure and some OpenAI-compatible servers want one
    timeout: float = 60
    max_retries: int = 3
    vision: bool | None = None  # None: ask litellm whether the model accepts images
    # Why the host set `vision` (e.g. "SKYVERN_LLM_VISION=off"): each step's diagnostics repeat it.
    vision_source: str | None = None
    temperature: float = 0
    retry_backoff: float = 1.0  # first retry delay in seconds; doubles each time
    # Optional per-request knobs (a run's `model` object); sent only when set, dropped by litellm for
    # providers that do not take them.
    max_tokens: int | None = None
    top_p: float | None = None
    reasoning_effort: str | None = None
    # Settings only one engine reads (ui-tars: "coordinates"), as the host's configuration gives them.
    engine_options: dict[str, str] = Field(default_factory=dict)


@dataclass
class LLMReply:
    text: str
    input_tokens: int = 0
    output_tokens: int = 0
    reasoning_tokens: int = 0
    cached_tokens: int = 0
    cost: float = 0.0
    model: str = ""


class LLMClient:
    def __init__(self, config: LLMConfig) -> None:
        self.config = config
        self._vision: bool | None = None
        self._marks_cache: bool | None = None

    @property
    def configured(self) -> bool:
        return bool(self.config.model and self.config.model.strip())

    @property
    def supports_vision(self) -> bool:
        if self.config.vision is not None:
            return self.config.vision
        if self._vision is None:
            self._vision = self.configured and _litellm_vision(self.config.model or "")
        return self._vision

    @property
    def caches_by_marker(self) -> bool:
        """Whether the provider caches a prompt prefix only where the request marks it (Anthropic's
        `cache_control`, also through Bedrock, Vertex AI and Azure AI). OpenAI and most others cache a
        repeated prefix by themselves, and may refuse the marker."""
        if self._marks_cache is None:
            self._marks_cache = self.configured and _takes_cache_control(self.config.model or "")
        return self._marks_cache

    def vision_reason(self) -> str:
        """Why images do or do not go to this model, in words for a step's diagnostics."""
        if self.config.vision is not None:
            return self.config.vision_source or f"vision is set {'on' if self.config.vision else 'off'}"
        if self.supports_vision:
            return "litellm lists the model as taking images"
        return "litellm does not list the model as taking images (set the vision setting to on if it does)"

    async def complete(self, messages: list[dict[str, Any]], images: list[bytes] | None = None) -> LLMReply:
        """Send `messages` (images go on the last user message when the model has vision)."""
        if not self.configured:
            raise LLMNotConfigured(NOT_CONFIGURED)
        if self.caches_by_marker:
            messages = mark_cacheable(messages)
        if images and self.supports_vision:
            messages = attach_images(messages, images)
        attempt = 0
        while True:
            try:
                response = await self._call(messages)
                return self._reply(response)
            except Exception as exc:
                attempt += 1
                if not _is_transient(exc) or attempt > self.config.max_retries:
                    raise _as_llm_error(exc) from exc
                delay = self.config.retry_backoff * 2 ** (attempt - 1)
                log.warning("LLM call failed (%s), retry %d in %.1fs", type(exc).__name__, attempt, delay)
                await asyncio.sleep(delay)

    async def _call(self, messages: list[dict[str, Any]]) -> Any:
        optional = {
            name: value
            for name in ("max_tokens", "top_p", "reasoning_effort")
            if (value := getattr(self.config, name)) is not None
        }
        if self.config.api_version:
            optional["api_version"] = self.config.api_version
        return await _litellm().acompletion(
            **optional,
            model=self.config.model,
            messages=messages,
            api_base=self.config.api_base,
            api_key=self.config.api_key,
            timeout=self.config.timeout,
            temperature=self.config.temperature,
            # Retries are ours (with backoff and a classification); stop the SDK from adding its own.
            max_retries=0,
            num_retries=0,
            # Some models refuse parameters such as temperature; litellm then leaves them out.
            drop_params=True,
        )

    def _reply(self, response: Any) -> LLMReply:
        usage = getattr(response, "usage", None)
        return LLMReply(
            text=response.choices[0].message.content or "",
            input_tokens=_int(usage, "prompt_tokens"),
            output_tokens=_int(usage, "completion_tokens"),
            reasoning_tokens=_int(getattr(usage, "completion_tokens_details", None), "reasoning_tokens"),
            cached_tokens=_cached_tokens(usage),
            cost=self._cost(response),
            model=self.config.model or "",
        )

    def _cost(self, response: Any) -> float:
        try:
            return float(_litellm().completion_cost(completion_response=response, model=self.config.model))
        except Exception:  # models missing from the price map have no known cost
            return 0.0


def token_cost(model: str | None, input_tokens: int, output_tokens: int) -> float:
    """The price of a call by litellm's local price map (0.0 for models it does not know)."""
    if not model:
        return 0.0
    try:
        prompt, completion = _litellm().cost_per_token(
            model=model, prompt_tokens=input_tokens, completion_tokens=output_tokens
        )
        return float(prompt + completion)
    except Exception:  # unknown models make litellm raise
        return 0.0


def declared_vision(model: str) -> bool | None:
    """Whether litellm's model map says `model` takes images; None when the map does not know the model."""
    try:
        info = _litellm().get_model_info(model=model)
    except Exception:  # litellm raises for models it has never heard of
        return None
    declared = info.get("supports_vision")
    return None if declared is None else bool(declared)


def _litellm_vision(model: str) -> bool:
    try:
        return bool(_litellm().supports_vision(model=model))
    except Exception:  # unknown models make litellm raise; treat them as text-only
        return False


def _cached_tokens(usage: Any) -> int:
    """Prompt tokens the provider read from its cache: OpenAI's prompt_tokens_details.cached_tokens, which
    litellm also fills for Anthropic, else Anthropic's own cache_read_input_tokens."""
    cached = _int(getattr(usage, "prompt_tokens_details", None), "cached_tokens")
    return cached or _int(usage, "cache_read_input_tokens")


def _takes_cache_control(model: str) -> bool:
    try:
        from litellm.llms.anthropic.common_utils import supports_anthropic_cache_control

        return bool(supports_anthropic_cache_control(model, None))
    except Exception:  # another litellm layout: judge by the model's name
        provider = model.split("/", 1)[0] if "/" in model else "anthropic"
        return provider in ("anthropic", "bedrock", "vertex_ai", "azure_ai") and "claude" in model.lower()


_EPHEMERAL = {"type": "ephemeral"}


def mark_cacheable(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A copy of `messages` with cache breakpoints (Anthropic's cache_control) after the static prefix: the
    system message, the same for every step of every run, and the part of the first user message before
    CACHE_SPLIT (agent.prompts: the goal, payload and schema, the same for every step of one run)."""
    marked = []
    split_done = False
    for message in messages:
        content = message.get("content")
        if not isinstance(content, str) or not content:
            marked.append(message)
        elif message.get("role") == "system":
            marked.append({**message, "content": [_block(content, cached=True)]})
        elif message.get("role") == "user" and not split_done and CACHE_SPLIT in content:
            split_done = True
            stable, rest = content.split(CACHE_SPLIT, 1)
            blocks = [_block(stable, cached=True), _block(CACHE_SPLIT + rest, cached=False)]
            marked.append({**message, "content": blocks})
        else:
            marked.append(message)
    return marked


def _block(text: str, *, cached: bool) -> dict[str, Any]:
    block: dict[str, Any] = {"type": "text", "text": text}
    if cached:
        block["cache_control"] = dict(_EPHEMERAL)
    return block


def _int(obj: Any, name: str) -> int:
    value = getattr(obj, name, None) if obj is not None else None
    return int(value) if isinstance(value, int | float) else 0


def attach_images(messages: list[dict[str, Any]], images: list[bytes]) -> list[dict[str, Any]]:
    """Return a copy of `messages` whose last user message carries the PNG `images`."""
    messages = [dict(m) for m in messages]
    for message in reversed(messages):
        if message.get("role") == "user":
            content = message["content"]
            parts = list(content) if isinstance(content, list) else [{"type": "text", "text": content}]
            parts += [_image_part(png) for png in images]
            message["content"] = parts
            break
    return messages


def _image_part(png: bytes) -> dict[str, Any]:
    url = "data:image/png;base64," + base64.b64encode(png).decode()
    return {"type": "image_url", "image_url": {"url": url}}


# litellm reports a missing key as an InternalServerError; these phrases tell it apart from an outage.
_MISSING_KEY_PHRASES = ("missing credentials", "api_key client option must be set", "no api key")


def _is_missing_key(exc: Exception) -> bool:
    text = str(exc).lower()
    return any(phrase in text for phrase in _MISSING_KEY_PHRASES)


def _is_transient(exc: Exception) -> bool:
    litellm = _litellm()
    if _is_missing_key(exc):
        return False
    transient = (
        litellm.RateLimitError,
        litellm.Timeout,
        litellm.APIConnectionError,
        litellm.InternalServerError,
        litellm.ServiceUnavailableError,
        litellm.BadGatewayError,
    )
    if isinstance(exc, (*transient, asyncio.TimeoutError)):
        return True
    status = getattr(exc, "status_code", None)
    return isinstance(status, int) and (status >= 500 or status == 429)


def _as_llm_error(exc: Exception) -> LLMError:
    litellm = _litellm()
    if isinstance(exc, LLMError):
        return exc
    if isinstance(exc, litellm.AuthenticationError | litellm.PermissionDeniedError) or _is_missing_key(exc):
        return LLMNotConfigured(f"{NOT_CONFIGURED}. The provider said: {_short(exc)}")
    return LLMError(f"LLM request failed: {type(exc).__name__}: {_short(exc)}")


def _short(exc: Exception, limit: int = 300) -> str:
    text = str(exc).strip()
    return text if len(text) <= limit else text[:limit] + "..."


# --- parsing -------------------------------------------------------------------------------------

_FENCE = re.compile(r"```(?:json|JSON)?\s*\n?(.*?)```", re.DOTALL)


def extract_json(text: str) -> Any:
    """Parse the JSON value in a model's answer, tolerating code fences and prose around it."""
    candidates = [m.group(1) for m in _FENCE.finditer(text)] + [text]
    for candidate in candidates:
        try:
            return json.loads(candidate.strip())
        except ValueError:
            pass
        found = _first_json_value(candidate)
        if found is not None:
            return found[0]
    raise ValueError("the answer contains no JSON object")


def _first_json_value(text: str) -> tuple[Any] | None:
    """Decode the first object/array that parses, scanning from each opening bracket."""
    decoder = json.JSONDecoder()
    for index, char in enumerate(text):
        if char in "{[":
            try:
                return (decoder.raw_decode(text, index)[0],)
            except ValueError:
                continue
    return None


def validate_answer(data: Any, model: type[M]) -> M:
    """Validate parsed JSON into `model`; raises ValueError with a message written for the model."""
    if not isinstance(data, dict):
        raise ValueError("the answer must be a JSON object")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ValueError(describe_validation_error(exc)) from exc


def parse_plan(text: str) -> ActionPlan:
    """Parse a planning answer (a bare action list is unambiguous enough to accept too)."""
    data = extract_json(text)
    return validate_answer({"actions": data} if isinstance(data, list) else data, ActionPlan)


def parse_verdict(text: str) -> Verdict:
    return validate_answer(extract_json(text), Verdict)


def describe_validation_error(exc: ValidationError) -> str:
    lines = []
    for error in exc.errors()[:8]:
        where = ".".join(str(part) for part in error["loc"]) or "(root)"
        lines.append(f"- {where}: {error['msg']}")
    return "the answer does not match the expected format:\n" + "\n".join(lines)
