"""The Redis clients behind live events: one for sync code, one per event loop for async code.

After a Redis restart their pooled connections are dead: each command is retried a few times with a short
backoff (reconnecting), and a connection idle for a while is checked before use, so the first command after
a restart works instead of failing with "Connection closed by server".
"""

from __future__ import annotations

import asyncio
import weakref

import redis
import redis.asyncio as aioredis
from django.conf import settings
from redis.asyncio.retry import Retry as AsyncRetry
from redis.backoff import ExponentialBackoff
from redis.retry import Retry

_sync_client: redis.Redis | None = None
_async_clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, aioredis.Redis] = (
    weakref.WeakKeyDictionary()
)


def _options() -> dict:
    return {
        "socket_timeout": 2,
        "socket_connect_timeout": 2,
        "health_check_interval": 10,
        "retry_on_error": [redis.ConnectionError, redis.TimeoutError],
    }


def _backoff() -> ExponentialBackoff:
    return ExponentialBackoff(cap=0.5, base=0.05)


def key_prefix() -> str:
    return settings.CHANNEL_LAYERS["default"].get("CONFIG", {}).get("prefix", "skyvern")


def client() -> redis.Redis:
    global _sync_client
    if _sync_client is None:
        _sync_client = redis.Redis.from_url(settings.REDIS_URL, retry=Retry(_backoff(), 3), **_options())
    return _sync_client


def aclient() -> aioredis.Redis:
    loop = asyncio.get_running_loop()
    found = _async_clients.get(loop)
    if found is None:
        found = aioredis.Redis.from_url(settings.REDIS_URL, retry=AsyncRetry(_backoff(), 3), **_options())
        _async_clients[loop] = found
    return found


async def aclose() -> None:
    """Close this event loop's client; the worker calls it before its loop ends."""
    found = _async_clients.pop(asyncio.get_running_loop(), None)
    if found is not None:
        await found.aclose()
