"""JSON over HTTP to a model provider, for the engines that speak a provider's own wire format.

Retries what a retry can fix (connection trouble, 429, 5xx) with backoff, gives up at once on the rest,
and keeps the API key out of every message it raises or logs (it only ever travels in a header).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import httpx

from agent.llm import LLMConfig

log = logging.getLogger(__name__)

# Computer-use models think for a while before each action; a chat-sized timeout cuts them off.
MIN_TIMEOUT_S = 120.0
MAX_RETRY_AFTER_S = 30.0


class ProviderError(Exception):
    """The provider did not give a usable answer. `retryable`: the same request may work later."""

    def __init__(self, message: str, *, retryable: bool) -> None:
        super().__init__(message)
        self.retryable = retryable


class ProviderClient:
    """One httpx client per run, with the provider's headers (the key among them)."""

    def __init__(self, config: LLMConfig, headers: dict[str, str], *, engine: str, key_hint: str) -> None:
        self.config = config
        self.engine = engine
        self.key_hint = key_hint  # what to set when the provider refuses the key
        timeout = max(config.timeout, MIN_TIMEOUT_S)
        self._client = httpx.AsyncClient(timeout=timeout, headers=headers)

    async def post(self, url: str, body: dict[str, Any]) -> dict[str, Any]:
        attempt = 0
        while True:
            delay = self.config.retry_backoff * 2**attempt
            try:
                response = await self._client.post(url, json=body)
            except httpx.HTTPError as exc:
                problem = f"{self.engine}: could not reach {url}: {type(exc).__name__}"
            else:
                if response.status_code < 400:
                    return _json(response, self.engine)
                problem = self._refusal(response)
                if not _transient(response.status_code):
                    raise ProviderError(problem, retryable=False)
                delay = max(delay, _retry_after(response))
            attempt += 1
            if attempt > self.config.max_retries:
                raise ProviderError(problem, retryable=True)
            log.warning("%s (retry %d in %.1fs)", problem, attempt, delay)
            await asyncio.sleep(delay)

    def _refusal(self, response: httpx.Response) -> str:
        detail = self.redact(_error_text(response))
        message = f"{self.engine}: the provider answered HTTP {response.status_code}: {detail}"
        if response.status_code in (401, 403):
            message += f". Check {self.key_hint}"
        return message

    def redact(self, text: str) -> str:
        key = self.config.api_key
        return text.replace(key, "***") if key else text

    async def aclose(self) -> None:
        await self._client.aclose()


def _transient(status: int) -> bool:
    return status == 429 or status >= 500


def _retry_after(response: httpx.Response) -> float:
    try:
        return min(float(response.headers.get("retry-after", 0)), MAX_RETRY_AFTER_S)
    except ValueError:
        return 0.0


def _json(response: httpx.Response, engine: str) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        raise ProviderError(f"{engine}: the provider's answer is not JSON", retryable=True) from None
    if not isinstance(body, dict):
        raise ProviderError(f"{engine}: the provider's answer is not a JSON object", retryable=True)
    return body


def _error_text(response: httpx.Response, limit: int = 400) -> str:
    """The provider's own error message when it has the usual {"error": {"message": ...}} shape."""
    try:
        body = response.json()
    except ValueError:
        return response.text[:limit] or response.reason_phrase
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict) and error.get("message"):
        return str(error["message"])[:limit]
    return str(body)[:limit]
