"""The browser's only way out: a policy-enforcing forward proxy that every connection of a context uses.

Why a proxy: Playwright's request routing never sees redirect hops, and Chromium resolves `*.localhost`
itself, so a check where pages *ask* for URLs can be walked around. The proxy (proxy.py, in its own process,
see agent.browser.egress_proxy) checks where connections are *made*: it resolves each name, refuses
private, loopback, link-local, metadata and IPv6-embedded forms of them unless the allow-list says
otherwise, connects to the address it checked, and chains to the run's upstream proxy when there is one.

One proxy per process and policy (allow-list + upstream): started on first use, shared by every later
context with the same policy (a Celery worker process reuses it run after run; the tests share one), stopped
at exit, and stopping by itself if this process dies without saying so.
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from agent import netguard
from agent.browser.config import BrowserConfig

log = logging.getLogger(__name__)
START_TIMEOUT_S = 30
PROJECT_ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class EgressPolicy:
    allow: tuple[str, ...] = ()
    # An http:// proxy to chain to; other schemes (socks5) are used by the browser directly.
    upstream: str | None = None

    @classmethod
    def for_browser(cls, allow: list[str], proxy_url: str | None) -> EgressPolicy:
        return cls(allow=tuple(allow), upstream=proxy_url if chainable(proxy_url) else None)


def chainable(proxy_url: str | None) -> bool:
    return bool(proxy_url) and urlsplit(proxy_url or "").scheme.lower() == "http"


class EgressProxy:
    """One proxy.py process enforcing one policy on 127.0.0.1 (an ephemeral port)."""

    def __init__(self, policy: EgressPolicy) -> None:
        self.policy = policy
        self.port: int | None = None
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def alive(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start(self) -> EgressProxy:
        with tempfile.TemporaryDirectory(prefix="egress-") as folder:
            port_file = Path(folder) / "port"
            env = {**os.environ, "SKYVERN_EGRESS_POLICY": json.dumps(self.policy.__dict__)}
            self._process = subprocess.Popen(
                [sys.executable, "-m", "agent.browser.egress_proxy", str(port_file)],
                env=env,
                cwd=PROJECT_ROOT,  # where `agent` imports from, whatever this process's folder
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
            )
            self.port = self._wait_for_port(port_file)
        log.info("egress proxy %s started (pid %s)", self.url, self._process.pid)
        return self

    def _wait_for_port(self, port_file: Path) -> int:
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            text = port_file.read_text() if port_file.exists() else ""
            if text.strip():
                return int(text.split()[0])
            if not self.alive():
                raise RuntimeError("the egress proxy exited while starting (see the worker's log)")
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"the egress proxy did not start within {START_TIMEOUT_S} s")

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()


_proxies: dict[EgressPolicy, EgressProxy] = {}
_lock = threading.Lock()


def egress_proxy_for(policy: EgressPolicy) -> EgressProxy:
    """The running proxy for this policy, started now if there is none (or it died)."""
    with _lock:
        proxy = _proxies.get(policy)
        if proxy is None or not proxy.alive():
            proxy = _proxies[policy] = EgressProxy(policy).start()
        return proxy


@atexit.register
def egress_proxies_stop() -> None:
    with _lock:
        for proxy in _proxies.values():
            proxy.stop()
        _proxies.clear()


def egress_url_for(config: BrowserConfig) -> str | None:
    """The egress proxy a context of this config uses, started if needed; None when it goes without:
    the proxy is switched off, the run's own proxy cannot be chained (socks5: that network is the
    provider's, not ours), or the browser is a CDP browser on another machine (it cannot reach our
    127.0.0.1; its network is its owner's)."""
    if not config.egress_proxy or (config.proxy_url and not chainable(config.proxy_url)):
        return None
    if config.browser_address and not _is_local(config.browser_address):
        return None
    policy = EgressPolicy.for_browser(config.allow_private_hosts, config.proxy_url)
    return egress_proxy_for(policy).url


def _is_local(address: str) -> bool:
    try:
        host = netguard.parse_url(address).host
    except netguard.UrlRefused:
        return False
    ip = netguard.parse_ip(host)
    return netguard.is_loopback_name(host) or (ip is not None and ip.is_loopback)
