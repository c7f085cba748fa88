"""The API's routers; skyvern_site/api.py mounts them on the one NinjaAPI."""

from runs.api import artifacts, legacy, runs_v1

ROUTERS = [
    ("/v1", runs_v1.router),
    ("/v1", artifacts.router),
    ("/api/v1", legacy.router),
]
