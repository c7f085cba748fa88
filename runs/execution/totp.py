"""2FA codes from the run's `totp_url`: the agent asks, we POST a signed request, the answer has the code.

The request body is {"task_id", "totp_identifier"}, signed like webhooks; the receiver answers
{"verification_code": "123456"}. No answer (or no code yet) means the agent carries on without one.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable

import httpx
from asgiref.sync import sync_to_async

from agent.netguard import UrlRefused, pinned
from runs.execution.signing import signed_headers, signing_key_for
from runs.execution.totp_wait import pushed_code_provider
from runs.models import TaskRun
from runs.services.egress import url_vet

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 10


def totp_provider_for(run: TaskRun) -> Callable[[str | None], Awaitable[str | None]] | None:
    """From the run's totp_url when it has one; else, with a totp_identifier, wait for a pushed code."""
    url = (run.request or {}).get("totp_url")
    if not url:
        return pushed_code_provider(run) if (run.request or {}).get("totp_identifier") else None

    async def provide(identifier: str | None) -> str | None:
        return await fetch_totp_code(run=run, url=url, identifier=identifier)

    return provide


async def fetch_totp_code(*, run: TaskRun, url: str, identifier: str | None) -> str | None:
    try:
        target, address = await asyncio.to_thread(url_vet, url)
    except UrlRefused as exc:
        log.warning("totp_url of %s refused: %s", run.run_id, exc)
        return None
    body = json.dumps({"task_id": run.run_id, "totp_identifier": identifier}, separators=(",", ":")).encode()
    headers = signed_headers(body, await sync_to_async(signing_key_for)(run))
    pinned_url, host, extensions = pinned(target, address)  # the checked address: no DNS rebinding
    try:
        async with httpx.AsyncClient(
            timeout=TIMEOUT_SECONDS, follow_redirects=False, trust_env=False
        ) as client:
            response = await client.post(
                pinned_url, content=body, headers=headers | host, extensions=extensions
            )
        code = response.json().get("verification_code") if response.is_success else None
    except (httpx.HTTPError, ValueError, AttributeError) as exc:
        log.warning("totp_url of %s did not answer usefully: %s", run.run_id, exc)
        return None
    return str(code) if code else None
