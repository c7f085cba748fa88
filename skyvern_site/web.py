"""The production web tier's launcher (`scripts/web`): N uvicorn processes, each with its own listening socket.

uvicorn's own `--workers` shares one socket between its processes, and whichever process wakes first accepts
every connection waiting: a client that opens its 16 keep-alive connections at once can land all of them on one
process, which then serves them from one core while the other idles (measured: 400 req/s instead of 800). Here
each process binds the port itself with SO_REUSEPORT, so the kernel spreads new connections over the processes.

The parent only supervises: it starts the processes, starts again one that dies, and on SIGTERM or SIGINT stops
them all (each finishes its requests for up to `--graceful` seconds). A process that dies at start-up three times
in a row stops the whole tier instead of looping.

    python -m skyvern_site.web --host 127.0.0.1 --port 8000 --processes 2
"""

from __future__ import annotations

import argparse
import gc
import os
import signal
import socket
import subprocess
import sys
import time

APP = "skyvern_site.asgi:application"
QUICK_EXIT_SECONDS = 10.0  # a process that dies sooner than this after starting counts as a start-up failure
START_FAILURES_ALLOWED = 3


def _args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--processes", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--graceful", type=float, default=10.0, help="seconds to finish requests on stop")
    parser.add_argument("--log-level", default="info")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def _family(host: str) -> socket.AddressFamily:
    return socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)[0][0]


def _listen(host: str, port: int) -> socket.socket:
    """This process's own socket on the shared port; the kernel balances connections between such sockets."""
    sock = socket.socket(_family(host), socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(2048)
    return sock


def _port_free(host: str, port: int) -> bool:
    """Without SO_REUSEPORT a bind fails when anything listens there, another web tier included (with the
    option it would silently share the port with it)."""
    with socket.socket(_family(host), socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def serve(options: argparse.Namespace) -> None:
    """One web process: load the app, then serve HTTP and WebSockets on this process's socket."""
    import uvicorn

    config = uvicorn.Config(
        APP,
        loop="uvloop",
        http="httptools",
        ws="websockets-sansio",
        proxy_headers=False,  # the client's address is the peer's; SKYVERN_TRUSTED_PROXY_HOPS says whom to trust
        access_log=False,
        timeout_graceful_shutdown=int(options.graceful),
        log_level=options.log_level,
    )
    config.load()
    # Django's import-time objects never become garbage: freeze them so a full collection does not walk them
    # mid-request, and collect the young generation less often (measured: p99 of a GET 85 ms → 33–55 ms).
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 50, 100)
    uvicorn.Server(config).run(sockets=[_listen(options.host, options.port)])


class Tier:
    """The parent: keeps `processes` children serving and stops them together."""

    def __init__(self, options: argparse.Namespace) -> None:
        self.options = options
        self.children: dict[int, tuple[subprocess.Popen, float]] = {}
        self.stopping = False
        self.quick_failures = 0

    def _start(self, slot: int) -> None:
        argv = [sys.executable, "-m", "skyvern_site.web", "--child", "--host", self.options.host]
        argv += ["--port", str(self.options.port), "--graceful", str(self.options.graceful)]
        argv += ["--log-level", self.options.log_level]
        self.children[slot] = (subprocess.Popen(argv), time.monotonic())

    def _stop(self, *_signal_args) -> None:
        self.stopping = True
        for process, _ in self.children.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)

    def _watch(self) -> int:
        while not self.stopping:
            time.sleep(0.5)
            for slot, (process, started) in list(self.children.items()):
                if self.stopping or process.poll() is None:
                    continue
                quick = time.monotonic() - started < QUICK_EXIT_SECONDS
                self.quick_failures = self.quick_failures + 1 if quick else 0
                print(
                    f"web: process {process.pid} exited with {process.returncode}",
                    file=sys.stderr,
                    flush=True,
                )
                if self.quick_failures >= START_FAILURES_ALLOWED:
                    print("web: processes keep failing at start-up; stopping", file=sys.stderr, flush=True)
                    self._stop()
                    return 1
                self._start(slot)
        return 0

    def run(self) -> int:
        if not _port_free(self.options.host, self.options.port):
            print(f"web: {self.options.host}:{self.options.port} is in use", file=sys.stderr)
            return 1
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGINT, self._stop)
        for slot in range(max(1, self.options.processes)):
            self._start(slot)
        code = self._watch()
        deadline = time.monotonic() + self.options.graceful + 5
        for process, _ in self.children.values():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        return code


def main(argv: list[str] | None = None) -> int:
    options = _args(argv)
    if options.child:
        serve(options)
        return 0
    return Tier(options).run()


if __name__ == "__main__":
    sys.exit(main())
