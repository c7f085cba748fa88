"""Proxy locations: every value Skyvern documents is accepted; this module decides which proxy URL (if
any) a run uses, and says so when there is none.

Where proxies come from (settings, all optional):
- SKYVERN_PROXY_MAP: `NAME=url` pairs. NAME is a ProxyLocation value (`RESIDENTIAL`, `RESIDENTIAL_GB`,
  `RESIDENTIAL_ISP`, `US-CA`), a country (`GB`), a subdivision (`US-CA`) or a city (`US-CA-San Francisco`).
- SKYVERN_PROXY_URL_TEMPLATE: one URL with placeholders, for providers that select the exit by user name
  (`http://user-country-{country_lower}-state-{subdivision_lower}:pass@gate.example:7000`). Placeholders:
  {name} {country} {subdivision} {city} and the same with `_lower`; a missing part is empty.
A GeoTarget looks up its city, then its subdivision, then its country; a name looks up itself, then its
country. With no match the run goes direct and carries a warning, unless SKYVERN_PROXY_STRICT is set:
then the request is refused with a 400 that names the setting.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from runs.choices import DEFAULT_PROXY_LOCATION, NO_PROXY, ProxyLocation
from runs.exceptions import InvalidRunRequest

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Place:
    """Where a proxy location asks to come from."""

    name: str = ""
    country: str = ""
    subdivision: str = ""
    city: str = ""

    def keys(self) -> list[str]:
        """SKYVERN_PROXY_MAP keys to try, most specific first."""
        keys = [self.name] if self.name else []
        if self.country and self.subdivision and self.city:
            keys.append(f"{self.country}-{self.subdivision}-{self.city}")
        if self.country and self.subdivision:
            keys.append(f"{self.country}-{self.subdivision}")
        if self.country:
            keys += [f"RESIDENTIAL_{self.country}", self.country]
        return list(dict.fromkeys(key.upper() for key in keys))

    def describe(self) -> str:
        if self.name:
            return self.name
        return ", ".join(part for part in (self.city, self.subdivision, self.country) if part)


@dataclass(frozen=True)
class ProxyChoice:
    url: str | None
    warning: str | None = None


def place_of(location: Any) -> Place | None:
    """The place a proxy_location asks for; None for NONE or a {"url": ...} proxy."""
    if isinstance(location, dict):
        if location.get("url"):
            return None
        return Place(
            country=str(location.get("country") or "").upper(),
            subdivision=str(location.get("subdivision") or "").upper(),
            city=str(location.get("city") or ""),
        )
    name = str(location or DEFAULT_PROXY_LOCATION).strip().upper()
    if name == NO_PROXY:
        return None
    if name.startswith("RESIDENTIAL_") and len(name) == len("RESIDENTIAL_") + 2:
        return Place(name=name, country=name.removeprefix("RESIDENTIAL_"))
    if len(name) == 5 and name[2] == "-":  # US-CA
        return Place(name=name, country=name[:2], subdivision=name[3:])
    return Place(name=name)


def _from_template(place: Place) -> str | None:
    template = settings.SKYVERN_PROXY_URL_TEMPLATE
    if not template:
        return None
    values = {
        "name": place.name,
        "country": place.country,
        "subdivision": place.subdivision,
        "city": place.city,
    }
    values |= {f"{key}_lower": value.lower() for key, value in list(values.items())}
    return template.format_map(values)


def proxy_choice(location: Any) -> ProxyChoice:
    """The proxy URL for a stored proxy_location, or no proxy with a warning saying why. A request that
    did not mention proxies gets the default pool when there is one, and no warning when there is not."""
    if location is None:
        return ProxyChoice(proxy_choice(DEFAULT_PROXY_LOCATION).url)
    if isinstance(location, dict) and location.get("url"):
        return ProxyChoice(str(location["url"]))
    place = place_of(location)
    if place is None:
        return ProxyChoice(None)
    mapping = {key.upper(): url for key, url in settings.SKYVERN_PROXY_MAP.items()}
    for key in place.keys():
        if mapping.get(key):
            return ProxyChoice(mapping[key])
    url = _from_template(place)
    if url:
        return ProxyChoice(url)
    warning = (
        f"No proxy for {place.describe()} is configured on this server (SKYVERN_PROXY_MAP or"
        " SKYVERN_PROXY_URL_TEMPLATE): the browser went direct"
    )
    return ProxyChoice(None, warning)


def proxy_url_for(location: Any) -> str | None:
    """The proxy URL a run uses (None: direct)."""
    return proxy_choice(location).url


def proxy_location_check(location: Any) -> None:
    """In strict mode (SKYVERN_PROXY_STRICT), refuse a proxy location this server cannot honour."""
    if not settings.SKYVERN_PROXY_STRICT or location is None:
        return
    warning = proxy_choice(location).warning
    if warning:
        raise InvalidRunRequest(
            f"proxy_location {json.dumps(location)} is not configured on this server: set SKYVERN_PROXY_MAP"
            ' or SKYVERN_PROXY_URL_TEMPLATE, or send proxy_location "NONE"'
        )


def proxy_usable_names() -> set[str]:
    """The names the Discover form offers as working on this server (all of them with a template)."""
    if settings.SKYVERN_PROXY_URL_TEMPLATE:
        return {str(name) for name in ProxyLocation}
    return {str(name) for name in ProxyLocation if proxy_choice(str(name)).warning is None}
