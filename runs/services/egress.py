"""The one place the server asks whether it may contact a URL a user gave (start page, webhook, TOTP
endpoint, proxy, browser address): loopback, private, link-local and metadata hosts are refused unless the
operator allowed them in SKYVERN_ALLOW_PRIVATE_HOSTS (host, host:port or CIDR).

URLs go through agent.netguard's one strict parser (WHATWG, as Chromium reads them; ambiguous spellings
refused). Code that fetches a URL itself uses `url_vet` and connects to the address it returns.
"""

from django.conf import settings

from agent.netguard import IPAddress, Target, check_url, vet_url


def allowed_private_hosts() -> list[str]:
    return list(settings.SKYVERN_ALLOW_PRIVATE_HOSTS)


def url_refusal(url: str) -> str | None:
    """Why the server must not contact `url`, or None when it may."""
    return check_url(url, allowed_private_hosts())


def url_vet(url: str, schemes: tuple[str, ...] = ("http", "https")) -> tuple[Target, IPAddress]:
    """The parsed URL and the checked address to connect to; raises agent.netguard.UrlRefused."""
    return vet_url(url, allowed_private_hosts(), schemes)
