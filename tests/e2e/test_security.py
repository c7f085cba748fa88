"""Issue 16 against the product's own processes: a worker's browser that is redirected to an internal
address, and Daphne's sockets opened from another site.

The end-to-end environment allows 127.0.0.1 (every port) for the test pages, so the "internal" service
here listens on 127.0.0.2, another loopback address that nothing allows.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from tests.e2e.helpers import wait_until

pytestmark = [pytest.mark.browser, pytest.mark.e2e]


class Recorder(BaseHTTPRequestHandler):
    """Answers every GET: `/hop` with a 302 to `?to=`, anything else with a page; remembers the paths."""

    seen: list[str]

    def do_GET(self) -> None:  # noqa: N802
        self.seen.append(self.path)
        if self.path.startswith("/hop?to="):
            self.send_response(302)
            self.send_header("Location", self.path.removeprefix("/hop?to="))
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = b"<p>internal secret</p>"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def _serve(address: str) -> tuple[ThreadingHTTPServer, list[str]]:
    seen: list[str] = []
    httpd = ThreadingHTTPServer((address, 0), type("Handler", (Recorder,), {"seen": seen}))
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, seen


@pytest.fixture
def internal_and_site() -> Iterator[tuple[str, list[str], str]]:
    internal, internal_seen = _serve("127.0.0.2")
    site, _ = _serve("127.0.0.1")
    yield (
        f"http://127.0.0.2:{internal.server_address[1]}/",
        internal_seen,
        f"http://127.0.0.1:{site.server_address[1]}",
    )
    internal.shutdown()
    site.shutdown()


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
