"""Issue 16 against the product's own processes: a worker's browser that is redirected to an internal
address, and Daphne's sockets opened from another site.

The end-to-end environment allows 127.0.0.1 (every port) for the test pages, so the "internal" service
here listens on 127.0.0.2, another loopback address that nothing allows.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from tests.e2e.helpers import wait_until
from tests.support.http import RecordingServer

pytestmark = [pytest.mark.browser, pytest.mark.e2e]


@pytest.fixture
def internal_and_site() -> Iterator[tuple[str, list[str], str]]:
    """An internal service on 127.0.0.2 (which nothing allows) and a site on 127.0.0.1 whose `/hop?to=`
    redirects there."""
    with RecordingServer(host="127.0.0.2") as internal, RecordingServer() as site:
        yield f"{internal.url}/", internal.requests, site.url


def test_a_run_redirected_to_an_internal_address_never_reaches_it(worker, e2e_client, internal_and_site):
    internal_url, internal_seen, site_url = internal_and_site
    _, _, client = e2e_client
    answer = client.post(
        "/v1/run/tasks",
        json={"prompt": "Read the page", "url": f"{site_url}/hop?to={internal_url}", "max_steps": 1},
    )
    assert answer.status_code == 200, answer.text
    run_id = answer.json()["run_id"]

    def final():
        body = client.get(f"/v1/runs/{run_id}").json()
        return body if body["status"] in ("completed", "failed", "terminated", "timed_out") else None

    body = wait_until(final, timeout=90, interval=0.5, what=f"{run_id} to finish")

    assert internal_seen == []
    assert "internal secret" not in str(body)


@pytest.mark.parametrize("origin, allowed", [("https://evil.example", False), (None, True), ("own", True)])
def test_daphne_refuses_a_socket_from_another_sites_page(daphne_server, e2e_client, origin, allowed):
    _, raw, _ = e2e_client
    own = httpx.URL(daphne_server.url)
    headers = {"Origin": f"http://{own.host}:{own.port}" if origin == "own" else origin} if origin else {}
    url = f"{daphne_server.ws_url}/ws/runs/?apikey={raw}"

    if not allowed:
        with pytest.raises(InvalidStatus) as refused:
            connect(url, additional_headers=headers, open_timeout=10)
        assert refused.value.response.status_code == 403
        return
    with connect(url, additional_headers=headers, open_timeout=10) as socket:
        assert socket.protocol.state.name == "OPEN"
