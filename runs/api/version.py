"""The server's version (GET /v1/version): the `version` of pyproject.toml, read once."""

import tomllib
from functools import cache

from django.conf import settings

UNKNOWN = "unknown"


@cache
def server_version() -> str:
    try:
        with open(settings.BASE_DIR / "pyproject.toml", "rb") as file:
            return str(tomllib.load(file)["project"]["version"])
    except (OSError, KeyError, tomllib.TOMLDecodeError):  # a deployment without the project file
        return UNKNOWN
