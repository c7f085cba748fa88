"""Database calls that survive a dropped connection: a restarted database, a killed backend, a failover.

A worker holds its connections for a whole run. When one is cut, Django keeps the dead connection and
every later query fails, so one blip would lose the rest of the run. `db_retry` closes the connection
and tries again with backoff for up to DB_RETRY_SECONDS; the next query opens a fresh connection.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.db import InterfaceError, OperationalError, connection

log = logging.getLogger(__name__)

T = TypeVar("T")
FIRST_DELAY = 0.2
MAX_DELAY = 2.0


def db_retry(fn: Callable[..., T], *args, seconds: float | None = None, **kwargs) -> T:
    """`fn(*args, **kwargs)`, tried again on a lost connection until `seconds` (DB_RETRY_SECONDS) pass.

    Only outside a transaction: inside one, the work done so far is gone with the connection, so the
    error goes up to whoever opened the transaction. A retried write may have committed before its
    connection died; callers retry writes that are safe to repeat (get_or_create, conditional updates).
    """
    deadline = time.monotonic() + (settings.DB_RETRY_SECONDS if seconds is None else seconds)
    delay = FIRST_DELAY
    while True:
        try:
            return fn(*args, **kwargs)
        except (OperationalError, InterfaceError) as exc:
            if connection.in_atomic_block or time.monotonic() + delay > deadline:
                raise
            log.warning("database call %s failed (%s); reconnecting in %.1f s", _name(fn), exc, delay)
            with contextlib.suppress(Exception):
                connection.close()
            time.sleep(delay)
            delay = min(delay * 2, MAX_DELAY)


def _name(fn: Callable) -> str:
    return getattr(fn, "__qualname__", None) or repr(fn)
