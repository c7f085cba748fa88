"""The API's routers; skyvern_site/api.py mounts them on the one NinjaAPI."""

from runs.api import artifacts, legacy, models, runs_v1, tasks_v2

ROUTERS = [
    ("/v1", runs_v1.router),
    ("/v1", artifacts.router),
    ("/api/v1", legacy.router),
    ("/api/v1", models.router),
    ("/api/v2", tasks_v2.router),
]
