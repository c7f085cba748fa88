"""The API's routers; skyvern_site/api.py mounts them on the one NinjaAPI."""

from runs.api import (
    artifacts,
    browser_sessions,
    credentials,
    legacy,
    legacy_browser_sessions,
    legacy_credentials,
    login,
    models,
    runs_v1,
    scripts,
    sdk_actions,
    tasks_v2,
    upload_files,
    workflows,
    workflows_legacy,
)

ROUTERS = [
    # Before runs_v1: its /run/tasks/{run_id} would otherwise take "login" for a run id.
    ("/v1", login.router),
    ("/v1", scripts.router),  # /run/tasks/download_files, also before runs_v1
    ("/v1", credentials.router),
    ("/v1", runs_v1.router),
    ("/v1", artifacts.router),
    ("/v1", workflows.router),
    ("/v1", browser_sessions.router),
    ("/v1", sdk_actions.router),
    ("/v1", upload_files.router),
    ("/api/v1", legacy.router),
    ("/api/v1", legacy_credentials.router),
    ("/api/v1", legacy_browser_sessions.router),
    ("/api/v1", upload_files.legacy_router),
    ("/api/v1", workflows_legacy.router),
    ("/api/v1", models.router),
    ("/api/v2", tasks_v2.router),
]
