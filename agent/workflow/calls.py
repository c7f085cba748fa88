"""The blocks that need no browser step of the agent: text_prompt and validation (one LLM call each) and
http_request (through the same private-network guard as the browser)."""

from __future__ import annotations

import json
from typing import Any

import httpx
from jsonschema import ValidationError as SchemaMismatch

from agent.actions import schema_validator
from agent.llm import LLMClient, LLMReply, extract_json
from agent.netguard import UrlRefused, pinned, vet_url
from agent.prompts import fence_page, render

DEFAULT_TEXT_SCHEMA = {
    "type": "object",
    "properties": {"llm_response": {"type": "string"}},
    "required": ["llm_response"],
}
HTTP_BODY_LIMIT = 200_000
HTTP_REDIRECTS = 5


class BlockFailed(Exception):
    """The block ended without its result; `status` is failed or terminated."""

    def __init__(self, reason: str, status: str = "failed") -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


async def text_prompt(llm: LLMClient, prompt: str, schema: Any) -> tuple[Any, LLMReply]:
    """Ask the model; the answer must be JSON that fits `schema` (one correction is allowed)."""
    schema = schema or DEFAULT_TEXT_SCHEMA
    messages = [
        {"role": "system", "content": render("workflow_text_prompt", schema=_dumps(schema))},
        {"role": "user", "content": prompt},
    ]
    reply = await llm.complete(messages)
    try:
        return _fitting(reply.text, schema), reply
    except ValueError as exc:
        messages += [
            {"role": "assistant", "content": reply.text},
            {"role": "user", "content": f"Your previous answer could not be used: {exc}. Answer again."},
        ]
        second = await llm.complete(messages)
        second.input_tokens += reply.input_tokens
        second.output_tokens += reply.output_tokens
        second.cost += reply.cost
        try:
            return _fitting(second.text, schema), second
        except ValueError as again:
            raise BlockFailed(f"The model's answer did not fit the block's json_schema: {again}") from None


def _fitting(text: str, schema: Any) -> Any:
    value = extract_json(text)
    try:
        schema_validator(schema).validate(value)
    except SchemaMismatch as exc:
        raise ValueError(f"it does not fit the JSON schema ({exc.message})") from None
    return value


async def validation(
    llm: LLMClient, *, complete: str | None, terminate: str | None, page: Any, outputs: dict[str, Any]
) -> tuple[dict[str, Any], LLMReply]:
    """Judge the block's conditions on the current page; {"valid": bool, "reasoning": str}."""
    lines = []
    if complete:
        lines.append(f"Complete if: {complete}")
    if terminate:
        lines.append(f"Terminate if: {terminate}")
    if page is not None:
        lines.append(f"Current page: {page.url}\nTitle: {page.title}\n{fence_page(page.text)}")
    else:
        lines.append("No page is open.")
    lines.append(f"Outputs of the earlier steps: {_dumps(outputs)[:20_000]}")
    messages = [
        {"role": "system", "content": render("workflow_validation")},
        {"role": "user", "content": "\n\n".join(lines)},
    ]
    reply = await llm.complete(messages)
    try:
        answer = extract_json(reply.text)
    except ValueError:
        answer = None
    if not isinstance(answer, dict) or not isinstance(answer.get("valid"), bool):
        raise BlockFailed(f"The model's verdict was not usable: {reply.text[:200]!r}")
    return {"valid": answer["valid"], "reasoning": str(answer.get("reasoning") or "")}, reply


async def http_request(
    *,
    method: str,
    url: str,
    headers: dict[str, str] | None,
    body: Any,
    timeout: float,
    follow_redirects: bool,
    allow: list[str],
) -> dict[str, Any]:
    """One request to a public address (or one the operator allowed); redirects are checked hop by hop."""
    method = (method or "GET").upper()
    async with httpx.AsyncClient(timeout=timeout, follow_redirects=False, trust_env=False) as client:
        for _ in range(HTTP_REDIRECTS + 1):
            try:
                target, address = vet_url(url, allow)
            except UrlRefused as exc:
                raise BlockFailed(f"The request to {url} was refused: {exc}") from None
            pinned_url, host, extensions = pinned(target, address)
            content = _dumps(body) if isinstance(body, dict | list) else body
            sent_headers = {**(headers or {}), **host}
            if isinstance(body, dict | list):
                sent_headers.setdefault("content-type", "application/json")
            try:
                response = await client.request(
                    method, pinned_url, headers=sent_headers, content=content, extensions=extensions
                )
            except httpx.HTTPError as exc:
                raise BlockFailed(f"The request to {url} failed: {type(exc).__name__}: {exc}") from None
            location = response.headers.get("location")
            if not (follow_redirects and response.is_redirect and location):
                return _http_result(response, url)
            url = str(httpx.URL(url).join(location))
            if response.status_code in (301, 302, 303):
                method, body = "GET", None
    raise BlockFailed(f"More than {HTTP_REDIRECTS} redirects from {url}")


def _http_result(response: httpx.Response, url: str) -> dict[str, Any]:
    text = response.text[:HTTP_BODY_LIMIT]
    try:
        body: Any = json.loads(text)
    except ValueError:
        body = text
    return {
        "status_code": response.status_code,
        "url": url,
        "headers": {k: v for k, v in response.headers.items() if k.lower() != "set-cookie"},
        "body": body,
    }
