"""The egress proxy's own process: proxy.py with the policy plugin (started by agent.browser.egress).

`python -m agent.browser.egress_proxy PORT_FILE` reads its policy from the SKYVERN_EGRESS_POLICY environment
variable (JSON: {"allow": [...], "upstream": "http://user:pass@host:port" or null}), never from the command
line, where the upstream's password would show in `ps`. It stops with its parent.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import sys
import threading
import time
from typing import Any

from proxy import Proxy
from proxy.common.utils import text_
from proxy.http.exception import HttpRequestRejected
from proxy.http.parser import HttpParser
from proxy.http.proxy import HttpProxyBasePlugin
from proxy.plugin import ProxyPoolPlugin

from agent import netguard

log = logging.getLogger("agent.egress")
POLICY_ENV = "SKYVERN_EGRESS_POLICY"
REFUSED_BODY = b"Blocked by this server's egress policy.\n"
UNRESOLVED_BODY = b"This host name does not resolve.\n"


def _policy() -> dict[str, Any]:
    return json.loads(os.environ.get(POLICY_ENV) or "{}")


ALLOW = netguard.allow_rules(_policy().get("allow") or [])
CHAINED = bool(_policy().get("upstream"))


class EgressPolicyPlugin(HttpProxyBasePlugin):
    """Checks every connection the browser asks for, then connects to the very address it checked.

    One instance per client connection. A name is resolved here, once; every address must pass
    netguard.host_verdict, and the upstream connection goes to the first of those addresses, so a name
    that answers differently the second time (DNS rebinding) changes nothing. With an upstream proxy the
    upstream resolves names, so a name that does not resolve here is passed on.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._address: str | None = None
        self._target: tuple[bytes | None, int | None] | None = None

    def before_upstream_connection(self, request: HttpParser) -> HttpParser | None:
        host, port = text_(request.host or b""), request.port or 0
        verdict = netguard.host_verdict(host, port, ALLOW)
        if verdict.refusal:
            log.warning("egress refused %s:%s: %s", host, port, verdict.refusal)
            raise HttpRequestRejected(status_code=403, reason=b"Forbidden", body=REFUSED_BODY)
        if verdict.address is None and not CHAINED:  # nothing to connect to; not worth a warning
            log.info("egress: %s does not resolve", host)
            raise HttpRequestRejected(status_code=502, reason=b"Bad Gateway", body=UNRESOLVED_BODY)
        self._address = str(verdict.address) if verdict.address else None
        self._target = (request.host, request.port)
        return request

    def resolve_dns(self, host: str, port: int) -> tuple[str | None, None]:
        return self._address, None

    def handle_client_request(self, request: HttpParser) -> HttpParser | None:
        # Chromium may reuse a proxy connection for another host; its requests would reach the first one's
        # server. Drop the connection instead: Chromium retries on a new one, which is checked afresh.
        if self._target is not None and request.host and (request.host, request.port) != self._target:
            raise HttpRequestRejected()
        return request


def _exit_with_parent(parent: int) -> None:
    """A worker killed with SIGKILL cannot stop us: leave when our parent is gone."""
    while os.getppid() == parent:
        time.sleep(1)
    os.kill(os.getpid(), signal.SIGTERM)  # proxy.py's handler exits cleanly, stopping its acceptor too


def main() -> None:
    port_file = sys.argv[1]
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), daemon=True).start()
    upstream = _policy().get("upstream")
    plugins: list[type] = [EgressPolicyPlugin] + ([ProxyPoolPlugin] if upstream else [])
    args = ["--hostname", "127.0.0.1", "--port", "0", "--port-file", port_file, "--threaded"]
    args += ["--num-acceptors", "1", "--log-level", "WARNING"]
    logging.getLogger("proxy").setLevel(logging.ERROR)  # our plugin says why it refused; once is enough
    proxy = Proxy(args, plugins=plugins)
    proxy.flags.proxy_pool = [[upstream]] if upstream else []  # not on the command line: it holds a password
    with proxy:
        while True:
            time.sleep(60)


if __name__ == "__main__":
    main()
