"""Which time zone a browser should report for a Skyvern proxy location.

A residential proxy in Berlin with a browser saying America/Los_Angeles looks like a bot, so the
host passes `timezone_for_location(task.proxy_location)` as the context's timezone_id.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

COUNTRY_TIMEZONES: dict[str, str] = {
    "US": "America/New_York",
    "GB": "Europe/London",
    "UK": "Europe/London",
    "DE": "Europe/Berlin",
    "ES": "Europe/Madrid",
    "IE": "Europe/Dublin",
    "IN": "Asia/Kolkata",
    "JP": "Asia/Tokyo",
    "FR": "Europe/Paris",
    "IT": "Europe/Rome",
    "NZ": "Pacific/Auckland",
    "ZA": "Africa/Johannesburg",
    "AR": "America/Argentina/Buenos_Aires",
    "AU": "Australia/Sydney",
    "BR": "America/Sao_Paulo",
    "TR": "Europe/Istanbul",
    "CA": "America/Toronto",
    "MX": "America/Mexico_City",
    "NL": "Europe/Amsterdam",
    "PH": "Asia/Manila",
    "PT": "Europe/Lisbon",
    "BE": "Europe/Brussels",
    "CH": "Europe/Zurich",
    "AT": "Europe/Vienna",
    "SE": "Europe/Stockholm",
    "NO": "Europe/Oslo",
    "DK": "Europe/Copenhagen",
    "FI": "Europe/Helsinki",
    "PL": "Europe/Warsaw",
    "CZ": "Europe/Prague",
    "GR": "Europe/Athens",
    "RO": "Europe/Bucharest",
    "UA": "Europe/Kyiv",
    "IL": "Asia/Jerusalem",
    "AE": "Asia/Dubai",
    "SA": "Asia/Riyadh",
    "EG": "Africa/Cairo",
    "NG": "Africa/Lagos",
    "KE": "Africa/Nairobi",
    "CN": "Asia/Shanghai",
    "HK": "Asia/Hong_Kong",
    "TW": "Asia/Taipei",
    "KR": "Asia/Seoul",
    "SG": "Asia/Singapore",
    "MY": "Asia/Kuala_Lumpur",
    "TH": "Asia/Bangkok",
    "VN": "Asia/Ho_Chi_Minh",
    "ID": "Asia/Jakarta",
    "PK": "Asia/Karachi",
    "BD": "Asia/Dhaka",
    "CL": "America/Santiago",
    "CO": "America/Bogota",
    "PE": "America/Lima",
}

US_STATE_TIMEZONES: dict[str, str] = {
    **dict.fromkeys(
        "CT DE DC FL GA IN KY ME MD MA MI NH NJ NY NC OH PA RI SC VT VA WV".split(), "America/New_York"
    ),
    **dict.fromkeys("AL AR IL IA KS LA MN MS MO NE ND OK SD TN TX WI".split(), "America/Chicago"),
    **dict.fromkeys("CO MT NM UT WY ID".split(), "America/Denver"),
    "AZ": "America/Phoenix",
    **dict.fromkeys("CA NV OR WA".split(), "America/Los_Angeles"),
    "AK": "America/Anchorage",
    "HI": "Pacific/Honolulu",
}

# Skyvern's ProxyLocation values that are not "RESIDENTIAL_<country>".
SPECIAL_LOCATIONS: dict[str, str | None] = {
    "RESIDENTIAL": "America/New_York",
    "RESIDENTIAL_ISP": "America/New_York",
    "NONE": None,
}


def _from_enum(value: str) -> str | None:
    key = value.strip().upper()
    if key in SPECIAL_LOCATIONS:
        return SPECIAL_LOCATIONS[key]
    if key.startswith("US-"):
        return US_STATE_TIMEZONES.get(key[3:])
    if key.startswith("RESIDENTIAL_"):
        return COUNTRY_TIMEZONES.get(key.removeprefix("RESIDENTIAL_"))
    return COUNTRY_TIMEZONES.get(key)


def _from_geo_target(target: Mapping[str, Any]) -> str | None:
    country = str(target.get("country") or "").upper()
    subdivision = str(target.get("subdivision") or "").upper().removeprefix("US-")
    if country == "US" and subdivision in US_STATE_TIMEZONES:
        return US_STATE_TIMEZONES[subdivision]
    return COUNTRY_TIMEZONES.get(country)


def timezone_for_location(value: str | Mapping[str, Any] | None) -> str | None:
    """IANA time zone for a ProxyLocation value ("RESIDENTIAL_DE", "US-CA", "NONE") or a GeoTarget
    dict ({"country": "US", "subdivision": "TX"}); None when unknown or no proxy."""
    if value is None:
        return None
    if isinstance(value, Mapping):
        return _from_geo_target(value)
    return _from_enum(value)
