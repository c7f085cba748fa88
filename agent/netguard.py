"""Refuse network access to private, loopback, link-local and cloud-metadata addresses.

Pure Python (no Django, no Playwright) so the browser's request router and the Django host
(webhook URLs, task URLs) share one definition of "private".

The allow-list holds host names (exact, case-insensitive), IP literals or CIDR blocks, e.g.
``["127.0.0.1", "intranet.example", "10.0.0.0/8"]``.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

# Names that cloud providers answer with instance credentials; refused even if DNS says otherwise.
METADATA_HOSTS = frozenset({"metadata.google.internal", "metadata.goog", "metadata"})
METADATA_IPS = frozenset(
    ipaddress.ip_address(a) for a in ("169.254.169.254", "fd00:ec2::254", "100.100.100.200", "169.254.170.2")
)
# Schemes that never leave the browser process, so there is nothing to guard.
LOCAL_SCHEMES = frozenset({"data", "blob", "about", "javascript"})
NETWORK_SCHEMES = frozenset({"http", "https", "ws", "wss"})


def normalize_host(host: str) -> str:
    """Lower-case, strip IPv6 brackets and the trailing root dot."""
    return host.strip().strip("[]").rstrip(".").lower()


def parse_ip(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(normalize_host(host))
    except ValueError:
        return None


def is_private_ip(ip: IPAddress) -> bool:
    """True for every address that is not plain public unicast."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    # is_global is False for private, loopback, link-local, CGNAT, reserved and unspecified ranges.
    return ip in METADATA_IPS or not ip.is_global or ip.is_multicast


def resolve(host: str) -> list[IPAddress]:
    """Every address the name resolves to; an IP literal resolves to itself without DNS."""
    literal = parse_ip(host)
    if literal is not None:
        return [literal]
    try:
        infos = socket.getaddrinfo(normalize_host(host), None, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError):
        return []
    return [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]


def _split_allow(allow: Iterable[str]) -> tuple[set[str], list[IPNetwork]]:
    names: set[str] = set()
    networks: list[IPNetwork] = []
    for entry in allow:
        try:
            networks.append(ipaddress.ip_network(normalize_host(entry), strict=False))
        except ValueError:
            names.add(normalize_host(entry))
    return names, networks


def is_private_host(host: str, allow: Iterable[str] = ()) -> bool:
    """True when `host` is, or resolves to, a non-public address that the allow-list does not cover.

    1. A host named in the allow-list is allowed as is.
    2. Metadata host names are refused without resolving.
    3. Otherwise every resolved address must be public or inside an allowed CIDR; a single
       private address is enough to refuse, because the browser may pick any of them.
    Names that do not resolve are not private: the request fails on its own.
    """
    name = normalize_host(host)
    names, networks = _split_allow(allow)
    if name in names:
        return False
    if name in METADATA_HOSTS:
        return True
    for ip in resolve(name):
        if any(ip in net for net in networks if net.version == ip.version):
            continue
        if is_private_ip(ip):
            return True
    return False


def check_url(url: str, allow: Iterable[str] = ()) -> str | None:
    """None when the URL may be fetched, else a sentence saying why not."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme in LOCAL_SCHEMES:
        return None
    if scheme not in NETWORK_SCHEMES:
        return f"the {scheme or 'empty'} scheme is not allowed"
    host = parts.hostname or ""
    if not host:
        return "the URL has no host"
    if is_private_host(host, allow):
        return f"{host} is a private, loopback, link-local or metadata address"
    return None
