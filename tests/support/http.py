"""Local HTTP servers for tests: the one threaded server every fake of the outside world is built on.

    with LocalServer(MyHandler) as server:   # 127.0.0.1, a free port, one thread per request
        httpx.get(server.url + "/path")

Plain standard library, so tests/agent (which runs without Django) can use it too.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit

# How often the serve loop checks for stop(); the default 0.5 s would make every stop() wait that long.
POLL_INTERVAL = 0.05


class LocalServer:
    """A ThreadingHTTPServer on 127.0.0.1 with a free port, served from a daemon thread.

    The port is bound at construction (so `url` is known before start()); start() serves and returns the
    server; stop() shuts it down and closes the socket. As a context manager it starts and stops itself.
    """

    def __init__(
        self, handler: type[BaseHTTPRequestHandler], *, name: str = "test-http", host: str = "127.0.0.1"
    ) -> None:
        self.host = host
        self.httpd = ThreadingHTTPServer((host, 0), handler)
        self.httpd.daemon_threads = True
        self._name = name
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return self.httpd.server_address[1]

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> Self:
        if self._thread is None:
            self._thread = threading.Thread(
                target=self.httpd.serve_forever, args=(POLL_INTERVAL,), name=self._name, daemon=True
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:  # shutdown() waits for a serve loop, forever if none ever ran
            self.httpd.shutdown()
            self._thread = None
        self.httpd.server_close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class QuietHandler(BaseHTTPRequestHandler):
    """A request handler that keeps test output clean and knows how to read and send a body."""

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def read_body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def send_body(
        self,
        status: int,
        body: bytes = b"",
        content_type: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@dataclass
class Received:
    path: str
    headers: dict[str, str]  # names in lower case
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class WebhookReceiver(LocalServer):
    """Records every POST in `received`; answers with the next of `statuses` (then 200), or with a 307 to
    `redirects[path]` when the path is one of its keys."""

    def __init__(self, statuses: list[int] | None = None) -> None:
        self.statuses = list(statuses or [])
        self.redirects: dict[str, str] = {}
        self.received: list[Received] = []
        receiver = self

        class Handler(QuietHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                headers = {name.lower(): value for name, value in self.headers.items()}
                receiver.received.append(Received(self.path, headers, self.read_body()))
                if self.path in receiver.redirects:
                    self.send_body(307, headers={"Location": receiver.redirects[self.path]})
                else:
                    self.send_body(receiver.statuses.pop(0) if receiver.statuses else 200)

        super().__init__(Handler, name="webhook-receiver")


class RecordingServer(LocalServer):
    """A web service that remembers every GET path in `requests` (tests assert what it did or did not see).

    `/302?to=URL`, `/307?to=URL` and `/hop?to=URL` redirect to URL; `/page?html=HTML` serves that HTML;
    a path starting with a key of `answers` gets that answer; anything else (an absolute-form proxy
    request too) answers `body`.
    """

    def __init__(
        self,
        body: bytes = b"<p>internal secret</p>",
        *,
        host: str = "127.0.0.1",
        answers: dict[str, bytes] | None = None,
    ) -> None:
        self.requests: list[str] = []
        server = self

        class Handler(QuietHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                server.requests.append(self.path)
                parts = urlsplit(self.path)
                answer = next((a for p, a in (answers or {}).items() if self.path.startswith(p)), None)
                if answer is not None or not self.path.startswith("/"):
                    self.send_body(200, answer if answer is not None else body, "text/html")
                elif parts.path in ("/302", "/307", "/hop") and "to=" in parts.query:
                    target = parse_qs(parts.query)["to"][0]
                    status = 302 if parts.path == "/hop" else int(parts.path[1:])
                    self.send_body(status, headers={"Location": target})
                elif parts.path == "/page":
                    html = parse_qs(parts.query).get("html", ["<title>site</title><p>public page</p>"])[0]
                    self.send_body(200, html.encode(), "text/html")
                else:
                    self.send_body(200, body, "text/html")

        super().__init__(Handler, name="recording-server", host=host)
