"""The rules for a new run, shared by POST /v1/run/tasks and the dashboard's Discover form.

normalise_run_request() turns a TaskRunRequest body into the dict that run_create stores
(TaskRun.request) or raises InvalidRunRequest with a sentence for a 400. A field this server cannot honour
is refused with a sentence saying so, never silently ignored.
"""

import json
import math
import re
from typing import Any
from urllib.parse import unquote, urlsplit

import jsonschema
from django.conf import settings
from pydantic import ValidationError

from runs.choices import ProxyLocation
from runs.exceptions import InvalidRunRequest
from runs.models import Organization
from runs.services.browser_sessions import browser_session_for_run
from runs.services.credentials import credential_ids_check
from runs.services.egress import url_refusal
from runs.services.engines import engines_supported
from runs.services.proxies import proxy_location_check
from runs.services.run_request_schema import TaskRunRequest
from runs.services.script_requests import run_with_fields

MAX_URL_LENGTH = 2083
MAX_TITLE_LENGTH = 500  # TaskRun.title
MAX_SCREENSHOT_SCROLLS = 50
MAX_ITERATIONS_LIMIT = 50  # skyvern-2.0 planner calls per run (agent default: 10)
HAS_SCHEME = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*://")


def normalise_run_request(
    data: dict[str, Any],
    *,
    organization: Organization,
    max_steps_override: int | None = None,
    max_iterations_override: int | None = None,
) -> dict[str, Any]:
    """Check a TaskRunRequest and fill in the server's defaults.

    1. Types, through the same schema the API uses (the API has already done this; the form has not).
    2. Refuse what this server cannot honour: other engines, browser sessions, published workflows...
    3. Normalise and guard every URL the server or its browser will contact.
    4. Bound max_steps, parse and check the extraction schema, check the proxy choice.
    5. Keep skyvern-2.0's planner limit (x-max-iterations-override); None means the agent's default.
    """
    request = _parse(data)
    _refuse_unsupported(request)
    _refuse_unsafe_values(request)
    return {
        "prompt": _prompt(request.prompt),
        "url": _start_url(request.url),
        "engine": request.engine or settings.SKYVERN_DEFAULT_ENGINE,
        "title": _title(request.title),
        "proxy_location": _proxy_location(request.proxy_location),
        "data_extraction_schema": extraction_schema_parse(request.data_extraction_schema),
        "error_code_mapping": _error_codes(request.error_code_mapping),
        "max_steps": _max_steps(request.max_steps, max_steps_override, organization),
        "max_iterations": _max_iterations(max_iterations_override),
        "webhook_url": _callback_url("webhook_url", request.webhook_url),
        # Without totp_url the run waits for codes pushed to POST /v1/credentials/totp (runs/execution/totp_wait.py).
        "totp_identifier": (request.totp_identifier or "").strip() or None,
        "totp_url": _callback_url("totp_url", request.totp_url),
        "credential_ids": credential_ids_check(request.credential_ids, organization),
        "browser_session_id": _browser_session(request.browser_session_id, organization),
        "model": _model(request.model),
        "extra_http_headers": _headers(request.extra_http_headers),
        "publish_workflow": bool(request.publish_workflow),
        "include_action_history_in_verification": bool(request.include_action_history_in_verification),
        "max_screenshot_scrolls": _screenshot_scrolls(request.max_screenshot_scrolls),
        "browser_address": _browser_address(request.browser_address),
        "user_agent": _header_value("user_agent", request.user_agent),
        **run_with_fields(request, organization),
    }


def _parse(data: dict[str, Any]) -> TaskRunRequest:
    if not isinstance(data, dict):
        raise InvalidRunRequest("The request must be a JSON object")
    try:
        return TaskRunRequest.model_validate(data)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        where = ".".join(str(part) for part in first["loc"]) or "request"
        raise InvalidRunRequest(f"{where}: {first['msg']}") from None


def _refuse_unsupported(request: TaskRunRequest) -> None:
    engine = request.engine or settings.SKYVERN_DEFAULT_ENGINE
    if engine not in engines_supported():
        supported = ", ".join(sorted(engines_supported()))
        raise InvalidRunRequest(f"Engine {engine} is not supported by this server; use one of: {supported}")
    if request.browser_session_id and request.browser_address:
        raise InvalidRunRequest("Give browser_session_id or browser_address, not both")
    if request.cdp_connect_headers:
        raise InvalidRunRequest("cdp_connect_headers is not supported by this server")


def _refuse_unsafe_values(request: TaskRunRequest) -> None:
    """PostgreSQL stores neither NUL characters nor NaN/Infinity in JSON: refuse them before they get there."""
    pending: list[tuple[str, Any]] = [("", request.model_dump())]
    while pending:
        path, value = pending.pop()
        if isinstance(value, str) and "\x00" in value:
            raise InvalidRunRequest(f"{path or 'request'} must not contain NUL characters")
        if isinstance(value, float) and not math.isfinite(value):
            raise InvalidRunRequest(f"{path} must be a finite number")
        if isinstance(value, dict):
            for key, item in value.items():
                pending.append((f"{path}.{key}" if path else str(key), item))
                pending.append((f"{path} key", key))
        elif isinstance(value, list):
            pending.extend((f"{path}[{index}]", item) for index, item in enumerate(value))


def _browser_session(session_id: str | None, organization: Organization) -> str | None:
    """An open session of the organization (unknown → 404, closed → 409, see browser_session_for_run)."""
    if not session_id:
        return None
    return browser_session_for_run(organization=organization, session_id=session_id).session_id


def _prompt(prompt: str) -> str:
    return prompt.strip()  # the schema has refused a blank one


def _title(title: str | None) -> str | None:
    if title and len(title) > MAX_TITLE_LENGTH:
        raise InvalidRunRequest(f"title must be at most {MAX_TITLE_LENGTH} characters")
    return title or None


def _start_url(url: str | None) -> str | None:
    url = (url or "").strip()
    if not url:
        return None
    if not HAS_SCHEME.match(url):  # "example.com:8080/x" is a host and port, not a scheme
        url = f"https://{url}"
    return _guarded_url("url", url)


def _callback_url(field: str, url: str | None) -> str | None:
    url = (url or "").strip()
    return _guarded_url(field, url) if url else None


def _guarded_url(field: str, url: str, schemes: tuple[str, ...] = ("http", "https")) -> str:
    if len(url) > MAX_URL_LENGTH:
        raise InvalidRunRequest(f"{field} must be at most {MAX_URL_LENGTH} characters")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number in range
    except ValueError:
        raise InvalidRunRequest(f"{field} is not a valid URL") from None
    if parts.scheme.lower() not in schemes:
        raise InvalidRunRequest(f"{field} must be an {' or '.join(schemes)} URL")
    if not parts.hostname or any(c.isspace() for c in url):
        raise InvalidRunRequest(f"{field} is not a valid URL")
    reason = url_refusal(url)
    if reason:
        raise InvalidRunRequest(f"{field} is not allowed: {reason}")
    return url


def _max_steps(requested: int | None, override: int | None, organization: Organization) -> int:
    limit = settings.SKYVERN_MAX_STEPS_LIMIT
    for name, value in (("x-max-steps-override", override), ("max_steps", requested)):
        if value is not None and not 1 <= value <= limit:
            raise InvalidRunRequest(f"{name} must be between 1 and {limit}")
    if override is not None:
        return override
    if requested is not None:
        return requested
    return min(organization.max_steps_per_run or settings.SKYVERN_DEFAULT_MAX_STEPS, limit)


def _max_iterations(override: int | None) -> int | None:
    if override is not None and not 1 <= override <= MAX_ITERATIONS_LIMIT:
        raise InvalidRunRequest(f"x-max-iterations-override must be between 1 and {MAX_ITERATIONS_LIMIT}")
    return override


def extraction_schema_parse(schema: dict | list | str | None) -> dict | list | None:
    if isinstance(schema, str):
        if not schema.strip():
            return None
        try:
            schema = json.loads(schema)
        except (ValueError, RecursionError):
            raise InvalidRunRequest("data_extraction_schema is a string but not valid JSON") from None
    if schema is None:
        return None
    if isinstance(schema, dict):
        _check_json_schema(schema, "data_extraction_schema")
    elif isinstance(schema, list):
        for index, item in enumerate(schema):
            _check_json_schema(item, f"data_extraction_schema[{index}]")
    else:
        raise InvalidRunRequest("data_extraction_schema must be a JSON object or array")
    return schema


def _check_json_schema(schema: Any, where: str) -> None:
    if not isinstance(schema, dict):
        raise InvalidRunRequest(f"{where} must be a JSON Schema object")
    try:
        jsonschema.validators.validator_for(schema).check_schema(schema)
    except jsonschema.SchemaError as exc:
        path = "/".join(str(part) for part in exc.path)
        raise InvalidRunRequest(f"{where} is not a valid JSON Schema: {exc.message} (at /{path})") from None
    except RecursionError:
        raise InvalidRunRequest(f"{where} is nested too deeply") from None
    _check_refs(schema, where)


def _check_refs(root: dict[str, Any], where: str) -> None:
    """Every $ref must point inside the schema: a dangling one would fail the run later, and a remote one
    would make the server fetch a URL."""
    pending: list[Any] = [root]
    while pending:
        node = pending.pop()
        if isinstance(node, list):
            pending.extend(node)
            continue
        if not isinstance(node, dict):
            continue
        ref = node.get("$ref")
        if isinstance(ref, str) and not _pointer_resolves(root, ref):
            raise InvalidRunRequest(f"{where}: $ref {ref!r} does not point to a definition inside the schema")
        pending.extend(node.values())


def _pointer_resolves(root: dict[str, Any], ref: str) -> bool:
    if not ref.startswith("#"):
        return False
    node: Any = root
    for part in filter(None, unquote(ref[1:]).split("/")):
        key = part.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and key in node:
            node = node[key]
        elif isinstance(node, list) and key.isdigit() and int(key) < len(node):
            node = node[int(key)]
        else:
            return False
    return True


def _proxy_location(location: Any) -> str | dict[str, str] | None:
    """Stored as sent: a ProxyLocation name, a GeoTarget object or {"url": ...} (the proxy URL checked)."""
    if location is None:
        return None
    if isinstance(location, ProxyLocation):
        stored: str | dict[str, str] = location.value
    elif isinstance(location, dict):
        if set(location) != {"url"}:
            raise InvalidRunRequest(
                'proxy_location must be a proxy name, a GeoTarget or {"url": "http://host:port"}'
            )
        stored = {"url": _proxy_url(location["url"])}
    else:  # a GeoTarget
        stored = location.model_dump(exclude_none=True)
    proxy_location_check(stored)
    return stored


def _proxy_url(url: Any) -> str:
    if not isinstance(url, str):
        raise InvalidRunRequest("proxy_location.url must be a string")
    return _guarded_url("proxy_location.url", url.strip(), schemes=("http", "https", "socks5"))


def _browser_address(address: str | None) -> str | None:
    address = (address or "").strip()
    return _guarded_url("browser_address", address, ("http", "https", "ws", "wss")) if address else None


MODEL_KEYS = {
    "model_name": str,
    "temperature": float,
    "max_tokens": int,
    "top_p": float,
    "reasoning_effort": str,
}
REASONING_EFFORTS = ("minimal", "low", "medium", "high")


def _model(model: dict[str, Any] | None) -> dict[str, Any] | None:
    """The documented keys of the `model` object, checked; others are ignored."""
    if not model:
        return None
    chosen: dict[str, Any] = {}
    for key, kind in MODEL_KEYS.items():
        value = model.get(key)
        if value is None:
            continue
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, kind) or isinstance(value, bool):
            raise InvalidRunRequest(f"model.{key} must be a {kind.__name__}")
        chosen[key] = value
    if "model_name" in chosen and not chosen["model_name"].strip():
        raise InvalidRunRequest("model.model_name must not be empty")
    if not 0 <= chosen.get("temperature", 0) <= 2:
        raise InvalidRunRequest("model.temperature must be between 0 and 2")
    if not 0 < chosen.get("top_p", 1) <= 1:
        raise InvalidRunRequest("model.top_p must be above 0 and at most 1")
    if chosen.get("max_tokens", 1) < 1:
        raise InvalidRunRequest("model.max_tokens must be at least 1")
    if chosen.get("reasoning_effort", "low") not in REASONING_EFFORTS:
        raise InvalidRunRequest(f"model.reasoning_effort must be one of: {', '.join(REASONING_EFFORTS)}")
    return chosen or None


def _error_codes(mapping: dict[str, str | None] | list[dict[str, Any]] | None) -> dict[str, str] | None:
    """{code: description}, from the object form or either list form the documents show; a null
    description is kept as an empty one."""
    if mapping is None:
        return None
    if isinstance(mapping, dict):
        pairs = list(mapping.items())
    else:
        pairs = []
        for index, item in enumerate(mapping):
            if set(item) >= {"code"} and set(item) <= {"code", "description"}:
                pairs.append((item["code"], item.get("description")))
            elif len(item) == 1:
                pairs.extend(item.items())
            else:
                raise InvalidRunRequest(
                    f'error_code_mapping[{index}] must be {{"code": ..., "description": ...}} or {{"code": "description"}}'
                )
    codes: dict[str, str] = {}
    for code, description in pairs:
        if not isinstance(code, str) or not code.strip():
            raise InvalidRunRequest("error_code_mapping codes must be non-empty strings")
        if description is not None and not isinstance(description, str):
            raise InvalidRunRequest(f"error_code_mapping.{code} must be a string or null")
        codes[code] = description or ""
    return codes or None


def _headers(headers: dict[str, str] | None) -> dict[str, str] | None:
    if not headers:
        return None
    for name, value in headers.items():
        if not name or not name.isascii() or any(c in name for c in ' :\r\n\t"(),/;<=>?@[\\]{}'):
            raise InvalidRunRequest(f"extra_http_headers: {name!r} is not a valid header name")
        _header_value(f"extra_http_headers.{name}", value)
    return headers


def _header_value(field: str, value: str | None) -> str | None:
    if value is not None and ("\r" in value or "\n" in value):
        raise InvalidRunRequest(f"{field} must not contain line breaks")
    return value or None


def _screenshot_scrolls(value: int | None) -> int | None:
    if value is not None and not 0 <= value <= MAX_SCREENSHOT_SCROLLS:
        raise InvalidRunRequest(f"max_screenshot_scrolls must be between 0 and {MAX_SCREENSHOT_SCROLLS}")
    return value
