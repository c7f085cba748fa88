"""Refuse network access to private, loopback, link-local and cloud-metadata addresses.

Pure Python (no Django, no Playwright), so the browser's egress proxy, its request router and the Django
host (start URLs, webhook, TOTP and CDP addresses) share one URL parser and one definition of "private".

The allow-list holds, case-insensitively:
- a host name, optionally with a port: ``intranet.example``, ``localhost:8000``;
- an IP address, optionally with a port: ``127.0.0.1``, ``127.0.0.1:8000``, ``[::1]:8000``;
- a CIDR block, every port: ``10.0.0.0/8``, ``fd00::/8``.
A named host is allowed whatever it resolves to; every other address must be public or inside an allowed
address or block (with the right port).
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

import ada_url

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolver = Callable[[str], list[IPAddress]]

# Names that cloud providers answer with instance credentials; refused even if DNS says otherwise.
METADATA_HOSTS = frozenset({"metadata.google.internal", "metadata.goog", "metadata"})
METADATA_IPS = frozenset(
    ipaddress.ip_address(a) for a in ("169.254.169.254", "fd00:ec2::254", "100.100.100.200", "169.254.170.2")
)
# Schemes that never leave the browser process, so there is nothing to guard.
LOCAL_SCHEMES = frozenset({"data", "blob", "about", "javascript"})
NETWORK_SCHEMES = frozenset({"http", "https", "ws", "wss"})
LOOPBACK = ipaddress.IPv4Address("127.0.0.1")
DEFAULT_PORTS = {"http": 80, "ws": 80, "https": 443, "wss": 443}
# IPv6 prefixes that carry an IPv4 address in their low 32 bits: NAT64 (RFC 6052) and the deprecated
# IPv4-compatible form. A gateway or an old stack turns them into the IPv4 address inside.
NAT64 = ipaddress.ip_network("64:ff9b::/96")
NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")
IPV4_COMPATIBLE = ipaddress.ip_network("::/96")
# Characters no honest URL has in its host, and that parsers disagree about.
AMBIGUOUS = frozenset("\\%\t\n\r ")


class UrlRefused(ValueError):
    """A URL this server will not fetch; the message says why and never quotes an answer."""


@dataclass(frozen=True)
class Target:
    """A URL as the browser reads it (WHATWG): canonical href, scheme, host (IPv6 unbracketed), port."""

    url: str
    scheme: str
    host: str
    port: int


def normalize_host(host: str) -> str:
    """Lower-case, strip IPv6 brackets and the trailing root dot."""
    return host.strip().strip("[]").rstrip(".").lower()


def parse_ip(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(normalize_host(host))
    except ValueError:
        return None


def parse_url(url: str) -> Target:
    """The one strict URL parser: what Chromium would fetch, or UrlRefused when the URL is ambiguous.

    1. Parse as the browser does (WHATWG, via ada): percent-encoded and numeric hosts (`%31%32%37.0.0.1`,
       `2130706433`, `0x7f.1`) come out as the address the browser would connect to.
    2. Refuse a URL whose authority holds a backslash, percent sign or whitespace, and one that Python's
       RFC 3986 parser reads with another host or port (`127.0.0.1:8299\\@1.1.1.1`): the checker and the
       fetcher must never see two different hosts.
    """
    try:
        parsed = ada_url.URL(url)
    except ValueError:
        raise UrlRefused("the URL cannot be parsed") from None
    scheme = parsed.protocol.rstrip(":").lower()
    if scheme not in NETWORK_SCHEMES:
        return Target(url=parsed.href, scheme=scheme, host="", port=0)
    host = normalize_host(parsed.hostname)
    port = int(parsed.port) if parsed.port else DEFAULT_PORTS[scheme]
    if not host:
        raise UrlRefused("the URL has no host")
    _check_unambiguous(url, host, port)
    return Target(url=parsed.href, scheme=scheme, host=host, port=port)


def _check_unambiguous(url: str, host: str, port: int) -> None:
    before_query = url.split("?", 1)[0].split("#", 1)[0]
    authority = before_query.split("//", 1)[-1].split("/", 1)[0]
    if "\\" in before_query or any(char in AMBIGUOUS for char in authority.rpartition("@")[2]):
        raise UrlRefused("the URL's host is written in an ambiguous way (a backslash, % or space)")
    try:
        parts = urlsplit(url.strip())
        other_host, other_port = parts.hostname or "", parts.port or DEFAULT_PORTS.get(parts.scheme.lower())
    except ValueError:
        raise UrlRefused("the URL has an invalid port") from None
    if not (_same_host(host, other_host) and port == other_port):
        raise UrlRefused("the URL's host is written in an ambiguous way (parsers disagree about it)")


def _same_host(canonical: str, other: str) -> bool:
    ip, other_ip = parse_ip(canonical), parse_ip(other)
    if ip is not None or other_ip is not None:
        return ip == other_ip
    other = normalize_host(other)
    if not other.isascii():
        encoded = ada_url.idna_to_ascii(other)
        other = normalize_host(encoded.decode() if isinstance(encoded, bytes) else encoded)
    return canonical == other


@dataclass(frozen=True)
class AllowRule:
    """One allow-list entry: a name or an address block, and a port when it names one."""

    name: str | None = None
    network: IPNetwork | None = None
    port: int | None = None

    def allows_name(self, name: str, port: int) -> bool:
        return self.name == name and self.port in (None, port)

    def allows_ip(self, ip: IPAddress, port: int) -> bool:
        return (
            self.network is not None
            and self.network.version == ip.version
            and ip in self.network
            and self.port in (None, port)
        )


def allow_rule(entry: str) -> AllowRule:
    """Read `host`, `host:port`, `ip`, `ip:port`, `[v6]:port` or `cidr`."""
    text = entry.strip().lower()
    try:
        return AllowRule(network=ipaddress.ip_network(normalize_host(text), strict=False))
    except ValueError:
        pass
    host, port = text, None
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        port = int(rest[1:]) if rest.startswith(":") and rest[1:].isdigit() else None
    elif text.count(":") == 1:
        host, _, digits = text.partition(":")
        port = int(digits) if digits.isdigit() else None
    ip = parse_ip(host)
    if ip is not None:
        return AllowRule(network=ipaddress.ip_network(ip), port=port)
    return AllowRule(name=normalize_host(host), port=port)


def allow_rules(allow: Iterable[str | AllowRule]) -> list[AllowRule]:
    return [entry if isinstance(entry, AllowRule) else allow_rule(entry) for entry in allow if entry]


def embedded_ipv4(ip: IPAddress) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address leads to: mapped, NAT64, 6to4, Teredo and IPv4-compatible."""
    if isinstance(ip, ipaddress.IPv4Address):
        return []
    found = [ip.ipv4_mapped, ip.sixtofour, ip.teredo[1] if ip.teredo else None]
    if ip in NAT64 or (ip in IPV4_COMPATIBLE and int(ip) > 1):
        found.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    return [v4 for v4 in found if v4 is not None]


def is_private_ip(ip: IPAddress) -> bool:
    """True for every address that is not plain public unicast, including IPv6 forms of private IPv4."""
    if ip in METADATA_IPS or not ip.is_global or ip.is_multicast:
        return True
    if isinstance(ip, ipaddress.IPv6Address) and ip in NAT64_LOCAL:
        return True
    return any(is_private_ip(v4) for v4 in embedded_ipv4(ip))


def is_loopback_name(name: str) -> bool:
    """`localhost` and every `*.localhost` name: browsers answer them with loopback without asking DNS."""
    name = normalize_host(name)
    return name == "localhost" or name.endswith(".localhost")


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


@dataclass(frozen=True)
class Verdict:
    """Whether a host and port may be contacted, why not, and the addresses checked (connect to these)."""

    refusal: str | None
    addresses: tuple[IPAddress, ...] = ()

    @property
    def address(self) -> IPAddress | None:
        return self.addresses[0] if self.addresses else None


def host_verdict(
    host: str, port: int, allow: Iterable[str | AllowRule] = (), *, resolver: Resolver | None = None
) -> Verdict:
    """May a connection to `host`:`port` be made?

    1. A host named in the allow-list (with that port, if it names one) is allowed whatever it resolves to.
    2. Metadata names are refused without resolving; `localhost` and `*.localhost` are 127.0.0.1 without
       asking DNS, as in the browser.
    3. Otherwise every address the name resolves to must be public or allowed: a single private address is
       enough to refuse, because the connection may pick any of them. A name that does not resolve is
       not refused here (it has no address to reach); connecting to it fails on its own.
    """
    name = normalize_host(host)
    rules = allow_rules(allow)
    named = any(rule.allows_name(name, port) for rule in rules)
    if not named and name in METADATA_HOSTS:
        return Verdict(f"{name} is a cloud metadata address")
    if is_loopback_name(name):
        # Chromium answers these itself, whatever DNS says (RFC 6761): so do we, and connect there.
        addresses: tuple[IPAddress, ...] = (LOOPBACK,)
    else:
        # IPv4 first: a service allowed as `intranet:8000` often listens on IPv4 only.
        addresses = tuple(sorted((resolver or resolve)(name), key=lambda ip: ip.version))
    if named:
        return Verdict(None, addresses)
    for ip in addresses:
        if is_private_ip(ip) and not any(rule.allows_ip(ip, port) for rule in rules):
            shown = name if str(ip) == name else f"{name} ({ip})"
            return Verdict(f"{shown} is a private, loopback, link-local or metadata address")
    return Verdict(None, addresses)


def is_private_host(host: str, allow: Iterable[str] = (), port: int = 0) -> bool:
    """True when `host` is, or resolves to, a non-public address that the allow-list does not cover."""
    return host_verdict(host, port, allow).refusal is not None


def check_url(url: str, allow: Iterable[str] = ()) -> str | None:
    """None when the URL may be fetched, else a sentence saying why not."""
    try:
        target = parse_url(url)
    except UrlRefused as exc:
        return str(exc)
    if target.scheme in LOCAL_SCHEMES:
        return None
    if target.scheme not in NETWORK_SCHEMES:
        return f"the {target.scheme or 'empty'} scheme is not allowed"
    return host_verdict(target.host, target.port, allow).refusal


def vet_url(
    url: str, allow: Iterable[str] = (), schemes: Iterable[str] = ("http", "https")
) -> tuple[Target, IPAddress]:
    """For code that fetches a URL itself: the parsed target and the checked address to connect to.

    Connecting to the returned address (not the name again) leaves no DNS-rebinding window. Raises
    UrlRefused with the reason.
    """
    target = parse_url(url)
    if target.scheme not in schemes:
        raise UrlRefused(f"only {', '.join(schemes)} URLs are allowed")
    verdict = host_verdict(target.host, target.port, allow)
    if verdict.refusal:
        raise UrlRefused(verdict.refusal)
    if verdict.address is None:
        raise UrlRefused(f"{target.host} does not resolve")
    return target, verdict.address


def pinned(target: Target, address: IPAddress) -> tuple[str, dict[str, str], dict[str, str]]:
    """How an HTTP client reaches `target` at the checked `address` without resolving the name again.

    Returns the URL with the address as its host, the Host header the server expects, and the request
    extensions that keep TLS on the real name (httpx's `sni_hostname`, which certificates are checked
    against).
    """
    url = ada_url.URL(target.url)
    url.hostname = f"[{address}]" if address.version == 6 else str(address)
    name = f"[{target.host}]" if ":" in target.host else target.host
    default = DEFAULT_PORTS.get(target.scheme) == target.port
    headers = {"Host": name if default else f"{name}:{target.port}"}
    extensions = {"sni_hostname": target.host} if target.scheme in ("https", "wss") else {}
    return url.href, headers, extensions
