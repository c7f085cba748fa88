"""Site-wide request guards (README "Security"): NUL bytes and lone surrogates refused, failed logins
throttled."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote_to_bytes

from django.contrib.auth.signals import user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from ninja.parser import Parser

from runs.exceptions import Throttled
from runs.throttle import LOGIN, request_client, throttle_check, throttle_failure

Middleware = Callable[[HttpRequest], HttpResponse]
API_PREFIXES = ("/v1/", "/api/")


def _refusal(
    request: HttpRequest, status: int, detail: str, headers: dict[str, str] | None = None
) -> HttpResponse:
    """The API's shape on API paths, a short text elsewhere."""
    if request.path.startswith(API_PREFIXES):
        return JsonResponse({"detail": detail}, status=status, headers=headers)
    return HttpResponse(detail, status=status, headers=headers, content_type="text/plain; charset=utf-8")


def refuse_nul_bytes(get_response: Middleware) -> Middleware:
    """A NUL character in a dashboard path or query string is a 400: PostgreSQL cannot compare text holding
    one. (The API answers such input itself: a 404 for a run id, a 422 for a parameter.)"""

    def middleware(request: HttpRequest) -> HttpResponse:
        raw = request.path_info.encode(errors="replace") + unquote_to_bytes(
            request.META.get("QUERY_STRING", "")
        )
        if b"\x00" in raw and not request.path.startswith(API_PREFIXES):
            return _refusal(request, 400, "NUL characters are not allowed in URLs")
        return get_response(request)

    return middleware


def throttle_logins(get_response: Middleware) -> Middleware:
    """A client with too many failed logins (dashboard or admin) gets a 429 with Retry-After."""
    login_paths: set[str] = set()

    def middleware(request: HttpRequest) -> HttpResponse:
        if not login_paths:
            login_paths.update({reverse("login"), reverse("admin:login")})
        if request.method == "POST" and request.path in login_paths:
            try:
                throttle_check(scope=LOGIN, client=request_client(request.META))
            except Throttled as exc:
                return _refusal(request, 429, exc.message, {"Retry-After": str(exc.retry_after)})
        return get_response(request)

    return middleware


@receiver(user_login_failed)
def count_failed_login(sender: object, request: HttpRequest | None = None, **kwargs: object) -> None:
    if request is not None:
        throttle_failure(scope=LOGIN, client=request_client(request.META))


# A UTF-16 surrogate left alone after JSON decoding (a pair becomes one character): no UTF-8 can hold it.
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


class StrictJsonParser(Parser):
    """JSON bodies whose strings hold a NUL or a lone surrogate (`"\\ud800"`) are refused (ninja answers 400
    "Cannot parse request body"): the database cannot store them, and nothing honest sends them."""

    def parse_body(self, request: HttpRequest) -> Any:
        data = json.loads(request.body)
        if _unstorable(data):
            raise ValueError("NUL characters and lone UTF-16 surrogates are not allowed")
        return data


def _unstorable(value: Any) -> bool:
    if isinstance(value, str):
        return UNSTORABLE.search(value) is not None
    if isinstance(value, dict):
        return any(_unstorable(key) or _unstorable(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_unstorable(item) for item in value)
    return False
