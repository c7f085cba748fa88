"""The one place the server asks whether it may contact a URL a user gave (start page, webhook, TOTP
endpoint, proxy, browser address): loopback, private, link-local and metadata hosts are refused unless the
operator allowed them in SKYVERN_ALLOW_PRIVATE_HOSTS."""

from django.conf import settings

from agent.netguard import check_url


def allowed_private_hosts() -> list[str]:
    return list(settings.SKYVERN_ALLOW_PRIVATE_HOSTS)


def url_refusal(url: str) -> str | None:
    """Why the server must not contact `url`, or None when it may."""
    return check_url(url, allowed_private_hosts())
