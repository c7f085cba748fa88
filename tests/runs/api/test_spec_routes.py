"""Every route of Skyvern's specs is served or answers 501 saying why; the data file and the README's table
say which, and cannot drift from the specs, the served schema or each other."""

import importlib.util
import re
from pathlib import Path

import pytest
from django.test import Client

from runs.api.spec_routes import README_END, README_START, readme_table, spec_routes

ROOT = Path(__file__).resolve().parents[3]
SPECS = ROOT.parent / "shared" / "skyvern-openapi"
UNSERVED = [route for route in spec_routes() if not route.served]


def _generator():
    spec = importlib.util.spec_from_file_location("spec_routes_script", ROOT / "scripts" / "spec_routes.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _concrete(path: str) -> str:
    return re.sub(r"\{[^/}]+\}", "x_1", path)


def test_the_data_file_is_what_the_generator_makes_from_the_specs_and_the_served_schema():
    generator = _generator()
    ours = [
        (m.upper(), p) for p, ops in Client().get("/api/openapi.json").json()["paths"].items() for m in ops
    ]

    built = generator.build(SPECS, ours)

    assert built == [route.to_json() for route in spec_routes()]


def test_the_readme_table_is_generated_from_the_data_file():
    readme = (ROOT / "README.md").read_text()
    start, end = readme.index(README_START) + len(README_START), readme.index(README_END)

    assert readme[start:end].strip() == readme_table()


def test_both_specs_are_listed_whole():
    specs = {route.spec for route in spec_routes()}

    assert specs == {"classic", "legacy", "extra"}
    assert len([r for r in spec_routes() if r.spec != "extra"]) == 77


@pytest.mark.django_db
@pytest.mark.parametrize("route", UNSERVED, ids=lambda route: f"{route.method} {route.path}")
def test_an_unserved_route_answers_501_saying_why(client, route):
    response = client.generic(route.method, _concrete(route.path))

    assert response.status_code == 501, response.content
    assert response.json()["detail"].endswith(f"is not implemented on this server: {route.reason}")


@pytest.mark.parametrize("method, path", [("GET", "/api/v1/organizations"), ("POST", "/api/v1/webhook")])
def test_the_501_needs_no_key(method, path):
    response = Client().generic(method, path)

    assert response.status_code == 501
    assert "is not implemented on this server" in response.json()["detail"]


def test_workflow_templates_say_they_are_not_kept_here():
    detail = Client().put("/v1/workflows/wpid_1/template").json()["detail"]

    assert detail == (
        "PUT /v1/workflows/{workflow_permanent_id}/template is not implemented on this server: "
        "this server keeps no workflow templates"
    )
