"""API keys as each process last read them, so the API's hot path does not look its key up on every request.

An entry is trusted while the deployment's key generation (a Redis counter) is unchanged and for at most
KEY_CACHE_SECONDS. Any save or delete of a key or an organization (revoking a key, changing an organization's
defaults, in the admin or through a service) empties this process's cache at once and, once committed, moves the
generation, so every other process drops its entries on its next request. Without Redis nothing is cached:
keys are read from the database every time.
"""

from __future__ import annotations

import logging
import threading
import time

from django.db import transaction

from runs.live.redis import client, key_prefix
from runs.models import ApiKey
from runs.selectors.keys import api_key_find, api_key_hash

log = logging.getLogger(__name__)

KEY_CACHE_SECONDS = 10
KEY_CACHE_SIZE = 10_000
_entries: dict[str, tuple[ApiKey, bytes, float]] = {}  # key hash → (key, generation, read at)
_lock = threading.Lock()


def _generation_key() -> str:
    return f"{key_prefix()}:api-keys:generation"


def _generation() -> bytes | None:
    """The current generation (b"0" before the first change); None when Redis cannot be asked."""
    try:
        return client().get(_generation_key()) or b"0"
    except Exception as exc:
        log.debug("key cache off: %s", exc)
        return None


def api_key_find_cached(*, raw: str) -> ApiKey | None:
    """api_key_find, answered from this process's cache while the generation is unchanged."""
    if not raw:
        return None
    digest = api_key_hash(raw.strip())
    generation = _generation()
    now = time.monotonic()
    if generation is not None:
        with _lock:
            found = _entries.get(digest)
        if found is not None and found[1] == generation and now - found[2] < KEY_CACHE_SECONDS:
            return found[0]
    key = api_key_find(raw=raw)
    if key is not None and generation is not None:
        with _lock:
            if len(_entries) >= KEY_CACHE_SIZE:
                _entries.clear()
            _entries[digest] = (key, generation, now)
    return key


def keys_changed() -> None:
    """A key or an organization changed: forget every cached key here now, and everywhere once committed."""
    with _lock:
        _entries.clear()
    transaction.on_commit(_next_generation)


def _next_generation() -> None:
    with _lock:
        _entries.clear()  # what was read between the change and its commit may be stale
    try:
        client().incr(_generation_key())
    except Exception as exc:
        log.warning("could not tell other processes that API keys changed: %s", exc)
