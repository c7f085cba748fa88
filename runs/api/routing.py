"""Every route answers with and without a trailing slash, as Skyvern's does (clients differ on it).

APPEND_SLASH cannot do this: it redirects only GETs, and a redirected POST loses its body.
"""

import inspect
import json
import re
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema
from ninja.constants import NOT_SET

from runs.api.schemas import ErrorDetail, ValidationErrorDetail

IGNORED_FIELDS_HEADER = "x-skyvern-ignored-fields"
PATH_PARAMETER = re.compile(r"\{\w+(?::\w+)?\}")


def route(router: Router, method: str, path: str, **options: Any) -> Callable:
    """Register `view` at `path` (documented) and at `path/` (hidden from the schema). The error answers it
    can give are documented next to its `response` (see error_responses)."""

    def register(view: Callable) -> Callable:
        if "response" in options:
            given = (
                options["response"] if isinstance(options["response"], dict) else {200: options["response"]}
            )
            options["response"] = {**error_responses(method, path, view, options), **given}
        router.api_operation([method], path, **options)(view)
        hidden = {k: v for k, v in options.items() if k not in ("operation_id", "url_name")}
        router.api_operation([method], f"{path}/", include_in_schema=False, **hidden)(view)
        return view

    return register


def error_responses(method: str, path: str, view: Callable, options: dict[str, Any]) -> dict[int, Any]:
    """The `{"detail": ...}` answers an operation can give, so the schema documents every status it sends:
    400 for a request it cannot parse or run (a body that is not JSON, a NUL byte in the URL); with a key,
    403 when it is missing or wrong and 429 after too many wrong ones; 404 for an id it cannot find (in the
    path, or in the body of a write); 409 for a write on an object in the wrong state; 422 for parameters or a
    body of the wrong shape."""
    errors: dict[int, Any] = {400: ErrorDetail}
    if options.get("auth", NOT_SET) is not None:
        errors |= {403: ErrorDetail, 429: ErrorDetail}
    if PATH_PARAMETER.search(path):
        errors[404] = ErrorDetail
    if method != "GET":
        # A body names other objects (a session, a workflow, a run, a credential): unknown ones are a 404,
        # and one in the wrong state (a closed session, an unfinished run) a 409.
        errors |= {404: ErrorDetail, 409: ErrorDetail}
    if set(inspect.signature(view).parameters) - {"request", "response"}:
        errors[422] = ValidationErrorDetail
    return dict(sorted(errors.items()))


def note_ignored_fields(request: HttpRequest, response: HttpResponse, schema: type[Schema]) -> list[str]:
    """Name the top-level body fields `schema` does not know (and so ignored) in a response header: a newer
    client's new field must not break the call, and the caller can still see it had no effect."""
    try:
        body = json.loads(request.body or b"{}")
    except ValueError:
        return []
    if not isinstance(body, dict):
        return []
    known = set(schema.model_fields) | {f.alias for f in schema.model_fields.values() if f.alias}
    ignored = sorted(name for name in body if name not in known)
    if ignored:
        printable = ("".join(c if " " <= c <= "~" else "?" for c in name) for name in ignored)
        response[IGNORED_FIELDS_HEADER] = ", ".join(printable)[:1000]
    return ignored
