"""/v1/workflows and /v1/agents: create from YAML or JSON, 400s that name the block, versions, runs."""

import pytest
from django.test import Client

from runs.models import TaskRun, Workflow
from runs.services import api_key_create
from tests.support.factories import OrganizationFactory

pytestmark = pytest.mark.django_db

YAML = """
title: Greet people
workflow_definition:
  parameters:
    - key: names
      parameter_type: workflow
      workflow_parameter_type: json
      default_value: ["Ada", "Grace"]
    - key: greeting
      parameter_type: workflow
      workflow_parameter_type: string
    - key: times
      parameter_type: workflow
      workflow_parameter_type: integer
      default_value: 1
  blocks:
    - block_type: for_loop
      label: each
      loop_over_parameter_key: names
      loop_blocks:
        - block_type: text_prompt
          label: greet
          prompt: "{{ greeting }}, {{ current_value }}"
    - block_type: text_prompt
      label: summary
      prompt: "Summarise {{ each.output }}"
"""


# Every workflow route the API documents (tests/runs/api/test_routes.py checks the schema lists them).
WORKFLOW_ROUTES = [
    ("post", "/v1/run/workflows"),
    ("get", "/v1/workflows"),
    ("post", "/v1/workflows"),
    ("get", "/v1/workflows/runs"),
    ("post", "/v1/workflows/runs/{workflow_run_id}/retry"),
    ("get", "/v1/workflows/{workflow_id}"),
    ("post", "/v1/workflows/{workflow_id}"),
    ("put", "/v1/workflows/{workflow_id}"),
    ("delete", "/v1/workflows/{workflow_id}"),
    ("get", "/v1/workflows/{workflow_id}/versions"),
    ("get", "/v1/workflows/{workflow_id}/runs"),
    ("post", "/v1/workflows/{workflow_id}/delete"),
    ("post", "/v1/run/agents"),
    ("get", "/v1/agents"),
    ("post", "/v1/agents"),
    ("get", "/v1/agents/runs"),
    ("post", "/v1/agents/runs/{workflow_run_id}/retry"),
    ("get", "/v1/agents/{workflow_id}"),
    ("post", "/v1/agents/{workflow_id}"),
    ("put", "/v1/agents/{workflow_id}"),
    ("delete", "/v1/agents/{workflow_id}"),
    ("get", "/v1/agents/{workflow_id}/versions"),
    ("get", "/v1/agents/{workflow_id}/runs"),
    ("post", "/v1/agents/{workflow_id}/delete"),
    ("post", "/api/v1/workflows"),
    ("get", "/api/v1/workflows"),
    ("get", "/api/v1/workflows/templates"),
    ("get", "/api/v1/workflows/runs"),
    ("get", "/api/v1/workflows/runs/{workflow_run_id}"),
    ("post", "/api/v1/workflows/runs/{workflow_run_id}/cancel"),
    ("post", "/api/v1/workflows/{workflow_id}/run"),
    ("get", "/api/v1/workflows/{workflow_id}/runs"),
    ("get", "/api/v1/workflows/{workflow_id}/runs/{workflow_run_id}"),
    ("get", "/api/v1/workflows/{workflow_id}/runs/{workflow_run_id}/timeline"),
    ("get", "/api/v1/workflows/{workflow_permanent_id}"),
    ("put", "/api/v1/workflows/{workflow_permanent_id}"),
    ("delete", "/api/v1/workflows/{workflow_permanent_id}"),
]


def create(client: Client, body: dict, path: str = "/v1/workflows"):
    return client.post(path, body, content_type="application/json")


def bad(client: Client, blocks: list, parameters: list | None = None) -> str:
    body = {
        "json_definition": {
            "title": "x",
            "workflow_definition": {"parameters": parameters or [], "blocks": blocks},
        }
    }
    response = create(client, body)
    assert response.status_code == 400, response.content
    return response.json()["detail"]


def test_a_yaml_workflow_is_created_listed_and_read_back(client):
    created = create(client, {"yaml_definition": YAML})
    assert created.status_code == 200, created.content
    body = created.json()
    assert body["workflow_permanent_id"].startswith("wpid_") and body["version"] == 1
    assert [b["label"] for b in body["workflow_definition"]["blocks"]] == ["each", "summary"]
    assert (
        body["workflow_definition"]["blocks"][0]["loop_blocks"][0]["output_parameter"]["key"]
        == "greet_output"
    )
    listed = client.get("/v1/workflows").json()
    assert [w["workflow_permanent_id"] for w in listed] == [body["workflow_permanent_id"]]
    again = client.get(f"/v1/agents/{body['workflow_permanent_id']}").json()
    assert again["source_text"] == YAML


def test_bad_definitions_are_refused_naming_the_block(client):
    assert "block 'a'" in bad(client, [{"block_type": "teleport", "label": "a"}])
    assert "unknown block_type" in bad(client, [{"block_type": "teleport", "label": "a"}])
    twice = [{"block_type": "wait", "label": "a", "wait_sec": 1}, {"block_type": "wait", "label": "a"}]
    assert "block 'a': the label is used" in bad(client, twice)
    ghost = [{"block_type": "text_prompt", "label": "ask", "prompt": "Hi {{ nobody.output }}"}]
    assert "block 'ask'" in bad(client, ghost) and "nobody" in bad(client, ghost)
    text = [{"key": "name", "workflow_parameter_type": "string"}]
    loop = [
        {
            "block_type": "for_loop",
            "label": "L",
            "loop_over_parameter_key": "name",
            "loop_blocks": [{"block_type": "wait", "label": "w"}],
        }
    ]
    assert "block 'L'" in bad(client, loop, text) and "not a list" in bad(client, loop, text)
    page = {"block_type": "goto_url", "label": "page", "url": "https://example.com/"}
    over_page = [page, {**loop[0], "loop_over_parameter_key": None, "loop_variable_reference": "page.output"}]
    assert "block 'L': the loop is over the output of 'page' (goto_url), which is not a list" in bad(
        client, over_page
    )
    assert Workflow.objects.count() == 0


def test_an_update_adds_a_version_and_delete_hides_every_version(client):
    wpid = create(client, {"yaml_definition": YAML}).json()["workflow_permanent_id"]
    updated = client.post(
        f"/v1/workflows/{wpid}",
        {"yaml_definition": YAML.replace("Greet people", "Greet")},
        content_type="application/json",
    )
    assert updated.json()["version"] == 2 and updated.json()["title"] == "Greet"
    assert [w["version"] for w in client.get(f"/v1/agents/{wpid}/versions").json()] == [1, 2]
    assert client.get(f"/v1/workflows/{wpid}?version=1").json()["title"] == "Greet people"
    assert client.post(f"/v1/agents/{wpid}/delete").status_code == 204
    assert client.get(f"/v1/workflows/{wpid}").status_code == 404
    assert client.get("/v1/workflows").json() == []


def test_a_run_needs_its_parameters_with_the_right_types(client):
    wpid = create(client, {"yaml_definition": YAML}).json()["workflow_permanent_id"]
    missing = client.post("/v1/run/workflows", {"workflow_id": wpid}, content_type="application/json")
    assert missing.status_code == 400 and "greeting is missing" in missing.json()["detail"]
    wrong = client.post(
        "/v1/run/workflows",
        {"workflow_id": wpid, "parameters": {"greeting": "Hi", "times": "often", "names": "[1"}},
        content_type="application/json",
    )
    assert wrong.status_code == 400
    assert (
        "times must be an integer" in wrong.json()["detail"]
        and "names must be JSON" in wrong.json()["detail"]
    )


def test_a_run_is_a_queued_workflow_run_of_the_latest_version(client):
    wpid = create(client, {"yaml_definition": YAML}).json()["workflow_permanent_id"]
    response = client.post(
        "/v1/run/agents",
        {"agent_id": wpid, "parameters": {"greeting": "Hello"}, "title": "Morning"},
        content_type="application/json",
        headers={"x-max-steps-override": "3"},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (
        body["run_id"].startswith("wr_") and body["run_type"] == "workflow_run" and body["status"] == "queued"
    )
    run = TaskRun.objects.get(run_id=body["run_id"])
    assert run.workflow.workflow_permanent_id == wpid and run.title == "Morning"
    assert run.request["parameters"] == {"names": ["Ada", "Grace"], "greeting": "Hello", "times": 1}
    assert run.request["max_steps_override"] == 3
    assert client.get(f"/v1/runs/{body['run_id']}").json()["run_type"] == "workflow_run"
    runs = client.get("/v1/agents/runs").json()
    assert [r["workflow_run_id"] for r in runs] == [body["run_id"]]
    assert client.get(f"/v1/workflows/{wpid}/runs").json()[0]["workflow_permanent_id"] == wpid


def test_another_organizations_workflow_is_not_found(client):
    wpid = create(client, {"yaml_definition": YAML}).json()["workflow_permanent_id"]
    other = OrganizationFactory()
    _, raw = api_key_create(organization=other)
    stranger = Client(headers={"x-api-key": raw})
    assert stranger.get(f"/v1/workflows/{wpid}").status_code == 404
    run = stranger.post("/v1/run/workflows", {"workflow_id": wpid}, content_type="application/json")
    assert run.status_code == 404
    assert stranger.post(f"/v1/workflows/{wpid}/delete").status_code == 404


@pytest.mark.parametrize("engine, block_type", [("skyvern-1.0", "task"), ("skyvern-2.0", "task_v2")])
def test_a_published_task_is_saved_as_a_workflow_that_runs_again(client, engine, block_type):
    response = client.post(
        "/v1/run/tasks",
        {
            "prompt": "Sign up as {{ Ada }}",
            "url": "https://example.com/",
            "engine": engine,
            "publish_workflow": True,
        },
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    wpid = response.json()["workflow_permanent_id"]
    assert wpid.startswith("wpid_") and response.json()["run_request"]["publish_workflow"] is True
    [listed] = client.get("/v1/workflows?only_saved_tasks=true").json()
    assert listed["workflow_permanent_id"] == wpid and listed["is_saved_task"] is True
    [block] = listed["workflow_definition"]["blocks"]
    assert block["block_type"] == block_type and block["url"] == "https://example.com/"
    again = client.post("/v1/run/workflows", {"workflow_id": wpid}, content_type="application/json")
    assert again.status_code == 200, again.content
    assert again.json()["workflow_permanent_id"] == wpid


def test_the_legacy_routes_take_yaml_and_data(client):
    created = client.post("/api/v1/workflows", YAML, content_type="application/x-yaml")
    assert created.status_code == 200, created.content
    wpid = created.json()["workflow_permanent_id"]
    assert [w["workflow_permanent_id"] for w in client.get("/api/v1/workflows").json()] == [wpid]
    started = client.post(
        f"/api/v1/workflows/{wpid}/run", {"data": {"greeting": "Hi"}}, content_type="application/json"
    )
    assert started.status_code == 200, started.content
    run_id = started.json()["workflow_run_id"]
    status = client.get(f"/api/v1/workflows/runs/{run_id}").json()
    assert status["workflow_id"] == wpid and status["parameters"]["greeting"] == "Hi"
    assert client.post(f"/api/v1/workflows/runs/{run_id}/cancel").json()["status"] == "canceled"
    assert client.delete(f"/api/v1/workflows/{wpid}").status_code == 200
    assert client.get(f"/api/v1/workflows/{wpid}").status_code == 404


@pytest.mark.parametrize("slash", ["", "/"])
@pytest.mark.parametrize("method, path", WORKFLOW_ROUTES)
def test_every_workflow_route_answers_with_and_without_a_trailing_slash(client, method, path, slash):
    wpid = create(client, {"yaml_definition": YAML}).json()["workflow_permanent_id"]
    run = client.post(
        "/v1/run/workflows",
        {"workflow_id": wpid, "parameters": {"greeting": "Hi"}},
        content_type="application/json",
    )
    ids = {"workflow_id": wpid, "workflow_permanent_id": wpid, "workflow_run_id": run.json()["run_id"]}
    body = {"yaml_definition": YAML} if method in ("post", "put") else {}
    if path.endswith(("/run/workflows", "/run/agents")):
        body = {"workflow_id": wpid, "parameters": {"greeting": "Hi"}}
    elif path.endswith("/run"):
        body = {"data": {"greeting": "Hi"}}
    response = getattr(client, method)(path.format(**ids) + slash, body, content_type="application/json")
    assert response.status_code in (200, 204), response.content


def test_a_published_skyvern_2_task_saves_the_mini_goals_it_ran_as_the_next_version(client):
    from agent import AgentResult
    from runs.services import run_transition
    from runs.services.steps import run_finish
    from tests.support.factories import StepFactory

    schema = {"type": "object", "properties": {"plan": {"type": "string"}}}
    body = {"prompt": "Sign up and read the plan", "url": "https://example.com/", "publish_workflow": True}
    response = client.post(
        "/v1/run/tasks",
        {**body, "engine": "skyvern-2.0", "data_extraction_schema": schema},
        "application/json",
    )
    run = TaskRun.objects.get(run_id=response.json()["run_id"])
    wpid = response.json()["workflow_permanent_id"]
    if run.status != "running":
        run_transition(run=run, to="running")
    for order, (index, goal) in enumerate(
        [(0, "Open the sign-up form"), (0, "Open the sign-up form"), (1, "Sign up")]
    ):
        StepFactory(run=run, order=order, block_index=index, block_goal=goal)

    run_finish(run=run, result=AgentResult(status="completed", output={"plan": "free"}))

    latest = client.get(f"/v1/workflows/{wpid}").json()
    assert latest["version"] == 2
    blocks = latest["workflow_definition"]["blocks"]
    assert [(b["block_type"], b.get("navigation_goal")) for b in blocks] == [
        ("navigation", "Open the sign-up form"),
        ("navigation", "Sign up"),
        ("extraction", None),
    ]
    assert blocks[0]["url"] == "https://example.com/" and blocks[2]["data_schema"] == schema
    again = client.post("/v1/run/workflows", {"workflow_id": wpid}, content_type="application/json")
    assert again.status_code == 200, again.content
