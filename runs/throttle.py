"""Failed logins and failed API keys, counted per client in Redis with the `limits` library.

A client past its limit is refused everything in that scope (even a right password) until the window
moves on: otherwise a 429 versus a 200 would still tell a guesser which try was right. Only failures count,
so a client that keeps using a good key is never slowed. When Redis cannot be reached the check lets the
request through and says so in the log: a broken counter must not lock everyone out.
"""

from __future__ import annotations

import functools
import logging
import math
import time
from collections.abc import Mapping

from django.conf import settings
from limits import RateLimitItem, parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from runs.exceptions import Throttled

log = logging.getLogger(__name__)

LOGIN = "login"
API_KEY = "api-key"
MESSAGES = {
    LOGIN: "Too many failed logins from your address; try again in {seconds} s",
    API_KEY: "Too many requests with invalid credentials from your address; try again in {seconds} s",
}


@functools.cache
def _limiter(storage_uri: str) -> MovingWindowRateLimiter:
    options: dict[str, object] = {}
    if storage_uri.startswith(("redis://", "rediss://")):
        # Short timeouts: a slow Redis must not hold up logins; its own prefix: one Redis, many deployments.
        options = {
            "key_prefix": settings.SKYVERN_THROTTLE_PREFIX,
            "socket_timeout": 2,
            "socket_connect_timeout": 2,
        }
    return MovingWindowRateLimiter(storage_from_string(storage_uri, **options))


def throttle_reset() -> None:
    """Forget every count (tests; an operator after a false alarm: `manage.py shell`)."""
    _limiter(settings.SKYVERN_THROTTLE_STORAGE).storage.reset()


def _item(scope: str) -> RateLimitItem:
    limit = settings.SKYVERN_LOGIN_FAILURE_LIMIT if scope == LOGIN else settings.SKYVERN_KEY_FAILURE_LIMIT
    return parse(limit)


def client_address(remote: str, forwarded_for: str = "") -> str:
    """The client's address: the peer, or behind SKYVERN_TRUSTED_PROXY_HOPS proxies, the address the
    outermost trusted proxy saw (X-Forwarded-For read from the right, so a client cannot choose it)."""
    hops = settings.SKYVERN_TRUSTED_PROXY_HOPS
    chain = [part.strip() for part in forwarded_for.split(",") if part.strip()]
    if hops and len(chain) >= hops:
        return chain[-hops]
    return remote or "unknown"


def request_client(meta: Mapping[str, str]) -> str:
    """client_address for a Django request's META."""
    return client_address(meta.get("REMOTE_ADDR", ""), meta.get("HTTP_X_FORWARDED_FOR", ""))


def throttle_check(*, scope: str, client: str) -> None:
    """Raise Throttled (with the seconds to wait) when `client` used up its failures in `scope`."""
    item = _item(scope)
    try:
        limiter = _limiter(settings.SKYVERN_THROTTLE_STORAGE)
        if limiter.test(item, scope, client):
            return
        reset = limiter.get_window_stats(item, scope, client).reset_time
    except Exception as exc:  # Redis down: let the request through, loudly
        log.warning("throttle check for %s skipped: %s", scope, exc)
        return
    seconds = max(1, math.ceil(reset - time.time()))
    raise Throttled(MESSAGES[scope].format(seconds=seconds), retry_after=seconds)


def throttle_failure(*, scope: str, client: str) -> None:
    """Count one failure for `client` in `scope`."""
    try:
        _limiter(settings.SKYVERN_THROTTLE_STORAGE).hit(_item(scope), scope, client)
    except Exception as exc:
        log.warning("throttle count for %s skipped: %s", scope, exc)
