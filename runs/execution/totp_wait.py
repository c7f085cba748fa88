"""A run with `totp_identifier` and no `totp_url` waits for a code pushed to POST /v1/credentials/totp.

When the page asks for a code the agent calls the provider; it polls the database every POLL_SECONDS for up
to WAIT_SECONDS (15 minutes), shows "waiting for a 2FA code" on the run meanwhile, and gives up at once
when the run is canceled.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from asgiref.sync import sync_to_async

from runs import selectors
from runs.choices import RunStatus
from runs.models import TaskRun
from runs.services.totp_codes import run_totp_waiting, totp_code_take

WAIT_SECONDS = 15 * 60
POLL_SECONDS = 1.0


def pushed_code_provider(run: TaskRun) -> Callable[[str | None], Awaitable[str | None]]:
    async def provide(identifier: str | None) -> str | None:
        return await wait_for_pushed_code(
            run=run, identifier=identifier or run.request.get("totp_identifier")
        )

    return provide


async def wait_for_pushed_code(
    *, run: TaskRun, identifier: str | None, wait_seconds: float = WAIT_SECONDS
) -> str | None:
    """A pushed code for `identifier` (taken once), or None after `wait_seconds` or a cancel."""
    take = sync_to_async(totp_code_take)
    code = await take(run=run, identifier=identifier)
    if code:
        return code
    await sync_to_async(run_totp_waiting)(run=run, waiting=True, identifier=identifier)
    deadline = time.monotonic() + wait_seconds
    try:
        while time.monotonic() < deadline:
            await asyncio.sleep(POLL_SECONDS)
            if await sync_to_async(selectors.run_status)(run_pk=run.pk) != RunStatus.RUNNING:
                return None
            code = await take(run=run, identifier=identifier)
            if code:
                return code
        return None
    finally:
        await sync_to_async(run_totp_waiting)(run=run, waiting=False)
