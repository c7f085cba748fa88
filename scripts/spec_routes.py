"""Regenerate runs/api/spec_routes.json and the README's route table from Skyvern's two spec files.

    .venv/bin/python scripts/spec_routes.py [--specs /work/shared/skyvern-openapi]

A spec route is served when this API's OpenAPI schema documents the same method and path; any other gets the
first reason below whose prefix its path starts with (a route no prefix covers stops the script: decide
first). Routes this API documents that neither spec has are listed as "extra".
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPECS = {
    "classic": "skyvern_openapi_2025-12-15_classic.json",
    "legacy": "skyvern_openapi_2025-03-21_legacy_api_v1.json",
}
WORKFLOWS = "workflows are not available on this server yet"
SESSIONS = "browser sessions are not available on this server yet"
CREDENTIALS = "credentials are not available on this server yet"
# (path prefix, reason), most specific first.
REASONS = [
    ("/v1/workflows/{workflow_permanent_id}/template", "this server keeps no workflow templates"),
    ("/v1/run/workflows", WORKFLOWS),
    ("/v1/workflows", WORKFLOWS),
    ("/api/v1/workflows", WORKFLOWS),
    ("/v1/run/tasks/login", f"login tasks sign in with stored credentials, and {CREDENTIALS}"),
    ("/v1/run/tasks/download_files", f"download_files runs as a workflow, and {WORKFLOWS}"),
    (
        "/v1/credentials/totp",
        "TOTP codes cannot be pushed to this server; give the run a totp_url to fetch from",
    ),
    ("/api/v1/totp", "TOTP codes cannot be pushed to this server; give the run a totp_url to fetch from"),
    ("/v1/credentials", CREDENTIALS),
    ("/api/v1/credentials", CREDENTIALS),
    ("/v1/browser_sessions", SESSIONS),
    (
        "/v1/browser_profiles",
        "browser profiles are not available on this server yet (they are saved sessions)",
    ),
    ("/v1/sdk/run_action", f"SDK page actions run in a browser session, and {SESSIONS}"),
    ("/v1/scripts", "scripts (generated code that replays a run) are not available on this server yet"),
    (
        "/api/v1/webhook",
        "this server sends webhooks (a run's webhook_url) but has no endpoint that receives them",
    ),
    ("/api/v1/suggest/", "AI suggestions for the prompt are not available on this server"),
    ("/api/v1/generate/task", "generating a task from a prompt is not available on this server"),
    (
        "/api/v1/organizations",
        "organizations are managed with manage.py and the admin (/admin/), not the API",
    ),
]
# API routes served by plain Django views (not in the OpenAPI schema), for the "extra" list.
DJANGO_ROUTES = [
    ("GET", "/v1/artifacts/{artifact_id}/content"),
    ("GET", "/uploads/{organization_id}/{token}/{filename}"),
]
PARAMETER = re.compile(r"\{[^/{}]+\}")


def shape(path: str) -> str:
    """A template without its parameter names or trailing slash: `/v1/runs/{}`."""
    return PARAMETER.sub("{}", path.rstrip("/"))


def documented_routes() -> list[tuple[str, str]]:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "skyvern_site.settings")
    import django

    django.setup()
    from django.test import Client

    schema = Client().get("/api/openapi.json").json()
    return [(method.upper(), path) for path, ops in schema["paths"].items() for method in ops]


def reason_for(path: str) -> str:
    for prefix, reason in REASONS:
        if path.startswith(prefix):
            return reason
    raise SystemExit(f"No reason covers {path}: serve it or add a reason to REASONS in {__file__}")


def build(specs_dir: Path, ours: list[tuple[str, str]]) -> list[dict[str, object]]:
    served = {(method, shape(path)) for method, path in ours}
    routes, seen = [], set()
    for spec, filename in SPECS.items():
        for path, ops in json.loads((specs_dir / filename).read_text())["paths"].items():
            for method in (m.upper() for m in ops):
                seen.add((method, shape(path)))
                route = {"spec": spec, "method": method, "path": path}
                if (method, shape(path)) in served:
                    routes.append(route | {"served": True})
                else:
                    routes.append(route | {"served": False, "reason": reason_for(path)})
    extras = [(m, p) for m, p in [*ours, *DJANGO_ROUTES] if (m, shape(p)) not in seen]
    routes += [{"spec": "extra", "method": m, "path": p, "served": True} for m, p in extras]
    return routes


def write_readme(table: str) -> None:
    from runs.api.spec_routes import README_END, README_START

    readme = ROOT / "README.md"
    text = readme.read_text()
    start, end = text.index(README_START) + len(README_START), text.index(README_END)
    readme.write_text(f"{text[:start]}\n{table}\n{text[end:]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--specs", type=Path, default=ROOT.parent / "shared" / "skyvern-openapi")
    args = parser.parse_args()
    routes = build(args.specs, documented_routes())
    from runs.api import spec_routes

    spec_routes.DATA.write_text(json.dumps({"routes": routes}, indent=1) + "\n")
    spec_routes.spec_routes.cache_clear()
    write_readme(spec_routes.readme_table())
    print(f"{sum(r['served'] for r in routes)} of {len(routes)} routes served; wrote {spec_routes.DATA}")


if __name__ == "__main__":
    main()
