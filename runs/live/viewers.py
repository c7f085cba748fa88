"""Who is watching a run: the run page's consumer counts its sockets here, and the worker streams browser
frames only while the count is above zero. Counting never raises: no Redis means no live view, not an error."""

from __future__ import annotations

import logging

from runs.live.redis import aclient, key_prefix

log = logging.getLogger(__name__)

VIEWERS_TTL_SECONDS = 6 * 3600


def _viewers_key(run_id: str) -> str:
    return f"{key_prefix()}:viewers:{run_id}"


async def aviewer_joined(run_id: str, channel_name: str) -> None:
    try:
        pipe = aclient().pipeline()
        pipe.sadd(_viewers_key(run_id), channel_name)
        pipe.expire(_viewers_key(run_id), VIEWERS_TTL_SECONDS)
        await pipe.execute()
    except Exception:
        log.warning("could not count a viewer of %s", run_id, exc_info=True)


async def aviewer_left(run_id: str, channel_name: str) -> None:
    try:
        await aclient().srem(_viewers_key(run_id), channel_name)
    except Exception:
        log.warning("could not uncount a viewer of %s", run_id, exc_info=True)


async def aviewer_count(run_id: str) -> int:
    try:
        return int(await aclient().scard(_viewers_key(run_id)))
    except Exception:
        return 0
