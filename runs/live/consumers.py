"""WebSocket consumers: authorise, join the group, forward. Event shapes live in runs.live.events.

Close codes (sent after accepting, so clients can read them): 4403 = no valid session or API key,
4404 = no such run in your organization (another organization's run looks the same as a missing one).
"""

from __future__ import annotations

from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer

from runs import selectors
from runs.live import events, viewers
from runs.models import Organization

UNAUTHORISED = 4403
NOT_FOUND = 4404


def _raw_api_key(scope) -> str:
    query = parse_qs(scope.get("query_string", b"").decode())
    if query.get("apikey"):
        return query["apikey"][0]
    headers = dict(scope.get("headers") or [])
    return headers.get(b"x-api-key", b"").decode()


@database_sync_to_async
def _organization_for(scope) -> Organization | None:
    """The caller's organization: the session user's membership, else the API key's."""
    organization = selectors.organization_for_user(user=scope.get("user"))
    if organization is not None:
        return organization
    key = selectors.api_key_find(raw=_raw_api_key(scope))
    return key.organization if key is not None else None


@database_sync_to_async
def _run_in(organization: Organization, run_id: str) -> bool:
    return selectors.run_get_for_org(organization=organization, run_id=run_id) is not None


class _ForwardingConsumer(AsyncWebsocketConsumer):
    groups_joined: list[str]

    async def _refuse(self, code: int) -> None:
        self.groups_joined = []
        await self.accept()
        await self.close(code=code)

    async def _join(self, group: str) -> None:
        self.groups_joined = [group]
        await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
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
        organization = await _organization_for(self.scope)
        if organization is None:
            return await self._refuse(UNAUTHORISED)
        run_id = self.scope["url_route"]["kwargs"]["run_id"]
        if not await _run_in(organization, run_id):
            return await self._refuse(NOT_FOUND)
        self.run_id = run_id
        await self._join(events.run_group(run_id))
        await viewers.aviewer_joined(run_id, self.channel_name)

    async def disconnect(self, code: int) -> None:
        if self.run_id:
            await viewers.aviewer_left(self.run_id, self.channel_name)
        await super().disconnect(code)


class RunListConsumer(_ForwardingConsumer):
    """`ws/runs/`: changes to any run of the caller's organization."""

    async def connect(self) -> None:
        organization = await _organization_for(self.scope)
        if organization is None:
            return await self._refuse(UNAUTHORISED)
        await self._join(events.org_group(organization.organization_id))
