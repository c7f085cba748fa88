"""Every route answers with and without a trailing slash, as Skyvern's does (clients differ on it).

APPEND_SLASH cannot do this: it redirects only GETs, and a redirected POST loses its body.
"""

import json
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema

IGNORED_FIELDS_HEADER = "x-skyvern-ignored-fields"


def route(router: Router, method: str, path: str, **options: Any) -> Callable:
    """Register `view` at `path` (documented) and at `path/` (hidden from the schema)."""

    def register(view: Callable) -> Callable:
        router.api_operation([method], path, **options)(view)
        hidden = {k: v for k, v in options.items() if k not in ("operation_id", "url_name")}
        router.api_operation([method], f"{path}/", include_in_schema=False, **hidden)(view)
        return view

    return register


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
