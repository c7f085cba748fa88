"""The run sockets through the real ASGI stack: who may listen, and what they hear."""

from __future__ import annotations

import json

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client

from runs.live import events, viewers
from skyvern_site.asgi import application
from tests.support.factories import OrganizationFactory, TaskRunFactory, UserFactory

# One process here, so the in-memory layer carries events; sequences and viewers still use Redis.
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("in_memory_channel_layer", "redis_url"),
]


@pytest.fixture
def run(org):
    return TaskRunFactory(organization=org)


def _socket(path: str, cookie: str | None = None) -> WebsocketCommunicator:
    headers = [(b"cookie", f"sessionid={cookie}".encode())] if cookie else []
    return WebsocketCommunicator(application, path, headers=headers)


@sync_to_async
def _session_cookie_for(org) -> str:
    client = Client()
    client.force_login(UserFactory(organization=org))
    return client.cookies["sessionid"].value


async def _closed_with(communicator: WebsocketCommunicator) -> int:
    connected, _ = await communicator.connect()
    assert connected  # accepted first, so the client can read why it was closed
    message = await communicator.receive_output(timeout=2)
    assert message["type"] == "websocket.close"
    return message["code"]


async def test_an_api_key_holder_hears_the_events_of_their_run_in_order(run, api_key):
    _, raw = api_key
    socket = _socket(f"/ws/runs/{run.run_id}/?apikey={raw}")
    connected, _ = await socket.connect()
    assert connected

    await events.apublish(run.run_id, "step.started", {"order": 0})
    await events.apublish(run.run_id, "step.finished", {"order": 0})
    first, second = await socket.receive_json_from(), await socket.receive_json_from()

    assert (first["type"], second["type"]) == ("step.started", "step.finished")
    assert first["run_id"] == run.run_id and first["data"] == {"order": 0}
    assert second["seq"] == first["seq"] + 1
    await socket.disconnect()


async def test_a_dashboard_session_hears_its_organizations_run(run, org):
    socket = _socket(f"/ws/runs/{run.run_id}/", cookie=await _session_cookie_for(org))
    connected, _ = await socket.connect()
    assert connected

    await events.apublish_frame(run.run_id, "aGVsbG8=")
    frame = await socket.receive_json_from()

    assert frame == {"type": "frame", "run_id": run.run_id, "data": {"image": "aGVsbG8="}}
    await socket.disconnect()


async def test_a_socket_without_credentials_is_closed_as_unauthorised(run):
    assert await _closed_with(_socket(f"/ws/runs/{run.run_id}/")) == 4403
    assert await _closed_with(_socket("/ws/runs/?apikey=sk_wrong")) == 4403


async def test_another_organizations_run_is_refused_like_a_missing_one(run):
    other = await sync_to_async(OrganizationFactory)()
    from runs.services import api_key_create

    _, other_raw = await sync_to_async(api_key_create)(organization=other)

    assert await _closed_with(_socket(f"/ws/runs/{run.run_id}/?apikey={other_raw}")) == 4404
    assert await _closed_with(_socket(f"/ws/runs/tsk_1/?apikey={other_raw}")) == 4404


async def test_watching_a_run_counts_as_a_viewer_until_the_socket_closes(run, api_key):
    _, raw = api_key
    assert await viewers.aviewer_count(run.run_id) == 0
    socket = _socket(f"/ws/runs/{run.run_id}/?apikey={raw}")
    await socket.connect()

    assert await viewers.aviewer_count(run.run_id) == 1
    await socket.disconnect()
    assert await viewers.aviewer_count(run.run_id) == 0


async def test_the_run_list_socket_hears_changes_to_its_organizations_runs_only(run, api_key):
    _, raw = api_key
    other_run = await sync_to_async(TaskRunFactory)()
    socket = _socket(f"/ws/runs/?apikey={raw}")
    connected, _ = await socket.connect()
    assert connected

    await sync_to_async(events.run_created)(other_run.pk)
    await sync_to_async(events.run_created)(run.pk)
    changed = json.loads(await socket.receive_from())

    assert changed["type"] == "run.changed"
    assert changed["run_id"] == run.run_id and changed["data"]["run_id"] == run.run_id
    assert await socket.receive_nothing()
    await socket.disconnect()


def test_a_quiet_socket_outlives_the_channel_layers_blocking_reads():
    # channels_redis waits for messages with blocking reads of brpop_timeout seconds; a Redis socket
    # timeout no longer than that fails the read and drops the socket after a few quiet seconds.
    from channels_redis.core import RedisChannelLayer

    import skyvern_site.settings as configured

    (host,) = configured.CHANNEL_LAYERS["default"]["CONFIG"]["hosts"]
    assert host["socket_timeout"] > RedisChannelLayer.brpop_timeout
