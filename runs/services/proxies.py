"""Proxy locations: which names this server can honour, and the proxy URL a stored run uses.

{"url": ...} is used as given; "NONE" means no proxy; any other name must be a key of SKYVERN_PROXY_MAP.
The exception is Skyvern's default, RESIDENTIAL: a server with no proxy map runs a request that never
mentioned proxies without one, so a plain install works. A country GeoTarget is stored as the name it means
here ({"country": "GB"} → RESIDENTIAL_GB).
"""

import json
from typing import Any

from django.conf import settings

from runs.choices import DEFAULT_PROXY_LOCATION, NO_PROXY
from runs.exceptions import InvalidRunRequest, RunSetupError


def proxy_name_check(name: str) -> str:
    """A proxy name a request may ask for (raises InvalidRunRequest when this server has none)."""
    if name != NO_PROXY and name not in settings.SKYVERN_PROXY_MAP:
        raise InvalidRunRequest(f"proxy_location {name} is not configured on this server (SKYVERN_PROXY_MAP)")
    return name


def proxy_name_for_country(location: dict[str, Any]) -> str:
    if set(location) - {"country"} or not isinstance(location["country"], str):
        raise InvalidRunRequest("proxy_location: only country-level GeoTargets are supported by this server")
    name = f"RESIDENTIAL_{location['country'].upper()}"
    if name not in settings.SKYVERN_PROXY_MAP:
        raise InvalidRunRequest(
            f"proxy_location: no proxy for country {location['country']} is configured on this server ({name})"
        )
    return name


def proxy_url_for(location: Any) -> str | None:
    """The proxy URL for a stored proxy_location value (raises RunSetupError with what to change)."""
    if isinstance(location, dict):
        if location.get("url"):
            return str(location["url"])
        raise RunSetupError(
            f"proxy_location {json.dumps(location)} is not supported here: pass a ProxyLocation value"
            ' configured in SKYVERN_PROXY_MAP, "NONE", or {"url": "http://user:pass@host:port"}'
        )
    key = str(location or DEFAULT_PROXY_LOCATION).strip().upper()
    if key == NO_PROXY:
        return None
    mapped = settings.SKYVERN_PROXY_MAP.get(key)
    if mapped:
        return mapped
    if key == DEFAULT_PROXY_LOCATION and not settings.SKYVERN_PROXY_MAP:
        return None
    raise RunSetupError(
        f"proxy_location {key} is not configured on this server: set SKYVERN_PROXY_MAP={key}=http://host:port"
        ' or send proxy_location "NONE"'
    )


def proxy_usable_names() -> set[str]:
    """The names the Discover form offers as working on this server."""
    return {NO_PROXY, DEFAULT_PROXY_LOCATION, *settings.SKYVERN_PROXY_MAP}
