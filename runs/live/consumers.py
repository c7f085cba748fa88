"""WebSocket consumers: authorise, join the group, forward. Event shapes live in runs.live.events.

Close codes (sent after accepting, so clients can read them): 4403 = no valid session or API key (also
sent when the key is revoked while the socket is open), 4404 = no such run in your organization (another
organization's run looks the same as a missing one) or no such socket path, 4429 = too many wrong keys from
this address. Cross-site pages are refused before any of this, by their Origin (skyvern_site/asgi.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer

from runs import selectors
from runs.exceptions import Throttled
from runs.live import events, viewers
from runs.models import Organization
from runs.throttle import API_KEY, client_address, throttle_check, throttle_failure

log = logging.getLogger(__name__)

UNAUTHORISED = 4403
NOT_FOUND = 4404
THROTTLED = 4429


def _raw_api_key(scope) -> str:
    query = parse_qs(scope.get("query_string", b"").decode())
    if query.get("apikey"):
        return query["apikey"][0]
    headers = dict(scope.get("headers") or [])
    return headers.get(b"x-api-key", b"").decode()


def _client(scope) -> str:
    headers = dict(scope.get("headers") or [])
    peer = (scope.get("client") or ["", 0])[0]
    return client_address(peer, headers.get(b"x-forwarded-for", b"").decode(errors="replace"))


@database_sync_to_async
def _credential(scope) -> tuple[Organization | None, str | None]:
    """The caller's organization and, when it came with an API key, that key's id (the socket closes when
    the key is revoked). A session user's membership comes first. Raises Throttled past the limit of
    wrong keys from this address."""
    organization = selectors.organization_for_user(user=scope.get("user"))
    raw = _raw_api_key(scope)
    if organization is not None or not raw:
        return organization, None
    client = _client(scope)
    throttle_check(scope=API_KEY, client=client)
    key = selectors.api_key_find(raw=raw)
    if key is None:
        throttle_failure(scope=API_KEY, client=client)
        return None, None
    return key.organization, key.key_id


@database_sync_to_async
def _run_in(organization: Organization, run_id: str) -> bool:
    return selectors.run_get_for_org(organization=organization, run_id=run_id) is not None


# Group memberships and viewer counts live in Redis; an open socket renews its own this often, so it gets its
# events (and its run streams frames again) soon after Redis restarts empty. Renewing is idempotent.
RENEW_SECONDS = 5


class _ForwardingConsumer(AsyncWebsocketConsumer):
    groups_joined: list[str]
    key_id: str | None = None
    _renewal: asyncio.Task | None = None

    async def _refuse(self, code: int) -> None:
        self.groups_joined = []
        await self.accept()
        await self.close(code=code)

    async def _authorise(self) -> Organization | None:
        """The caller's organization, or None after refusing the socket."""
        try:
            organization, self.key_id = await _credential(self.scope)
        except Throttled:
            await self._refuse(THROTTLED)
            return None
        if organization is None:
            await self._refuse(UNAUTHORISED)
        return organization

    async def _join(self, group: str) -> None:
        self.groups_joined = [group] + ([events.key_group(self.key_id)] if self.key_id else [])
        for name in self.groups_joined:
            await self.channel_layer.group_add(name, self.channel_name)
        await self.accept()
        self._renewal = asyncio.create_task(self._renew())

    async def _register(self) -> None:
        """What the socket keeps in Redis besides its groups (the run page's viewer count)."""

    async def _renew(self) -> None:
        while True:
            await asyncio.sleep(RENEW_SECONDS)
            try:
                for name in self.groups_joined:
                    await self.channel_layer.group_add(name, self.channel_name)
                await self._register()
            except Exception as exc:  # Redis is down: try again next time
                log.warning("could not renew the groups of socket %s: %s", self.channel_name, exc)

    async def credential_revoked(self, message: dict) -> None:
        await self.close(code=UNAUTHORISED)

    async def _stop_renewal(self) -> None:
        if self._renewal is not None:
            self._renewal.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._renewal
            self._renewal = None

    async def disconnect(self, code: int) -> None:
        await self._stop_renewal()
        for group in getattr(self, "groups_joined", []):
            await self.channel_layer.group_discard(group, self.channel_name)

    async def run_event(self, message: dict) -> None:
        await self.send(text_data=message["text"])

    async def receive(self, text_data=None, bytes_data=None) -> None:
        pass  # the stream is one-way; clients act through the HTTP API


class RunConsumer(_ForwardingConsumer):
    """`ws/runs/<run_id>/`: one run's steps, actions, status changes and (while watched) frames."""

    run_id: str | None = None

    async def connect(self) -> None:
        organization = await self._authorise()
        if organization is None:
            return
        run_id = self.scope["url_route"]["kwargs"]["run_id"]
        if not await _run_in(organization, run_id):
            return await self._refuse(NOT_FOUND)
        self.run_id = run_id
        await self._join(events.run_group(run_id))
        await self._register()

    async def _register(self) -> None:
        await viewers.aviewer_joined(self.run_id, self.channel_name)

    async def disconnect(self, code: int) -> None:
        await self._stop_renewal()  # before leaving, so a renewal cannot count the viewer again
        if self.run_id:
            await viewers.aviewer_left(self.run_id, self.channel_name)
        await super().disconnect(code)


class RunListConsumer(_ForwardingConsumer):
    """`ws/runs/`: changes to any run of the caller's organization."""

    async def connect(self) -> None:
        organization = await self._authorise()
        if organization is None:
            return
        await self._join(events.org_group(organization.organization_id))


class UnknownPathConsumer(AsyncWebsocketConsumer):
    """Any other socket path: closed with 4404 instead of a server error."""

    async def connect(self) -> None:
        await self.accept()
        await self.close(code=NOT_FOUND)
