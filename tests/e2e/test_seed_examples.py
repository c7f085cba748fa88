"""Every request body the seed documents print (tests/e2e/seed_requests.json) is accepted by a live server and
runs to `completed`: a user who copies an example from the docs gets a working run.

Only `url` values move to a local page (CI has no internet); a body without a URL gets its start page from
the model (Prompt-Kind start_url), answered here with the same local page. A session or workflow the
documents name by an invented id is created first through the API.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.helpers import site_script, wait_until
from tests.support.fake_llm import prompt_kind

pytestmark = [pytest.mark.e2e, pytest.mark.browser, pytest.mark.slow]
EXAMPLES = json.loads((Path(__file__).with_name("seed_requests.json")).read_text())["examples"]
FINAL = {"completed", "failed", "terminated", "canceled", "timed_out"}


def _instance(schema: Any) -> Any:
    """A value of the schema's shape, as a model reading the page would answer."""
    if not isinstance(schema, dict):
        return None
    kind = schema.get("type")
    if kind == "array":
        return [_instance(schema.get("items", {}))]
    if kind == "object" or "properties" in schema:
        return {key: _instance(sub) for key, sub in schema.get("properties", {}).items()}
    if kind is None:  # a bare mapping of names to schemas, as the Tasks API example writes it
        return {key: _instance(sub) for key, sub in schema.items() if isinstance(sub, dict)}
    return {"string": "Ada", "integer": 1, "number": 4.5, "boolean": True}.get(kind)


def _script_for(start: str, schema: Any):
    def script(messages: list[dict[str, Any]]):
        kind = prompt_kind(messages)
        if kind == "start_url":
            return json.dumps({"url": start, "reasoning": "the sign-up page"})
        if kind in ("extract", "goal_summary") and schema is not None:
            return json.dumps(_instance(schema))
        return site_script(messages)

    return script


def _final(client, run_id: str, timeout: float = 90) -> dict:
    answer: dict = {}

    def done() -> bool:
        answer.update(client.get(f"/v1/runs/{run_id}").json())
        return answer.get("status") in FINAL

    wait_until(done, timeout=timeout, interval=0.3, what=f"{run_id} to finish")
    return answer


def _session(client, start: str) -> str:
    reply = client.post("/v1/browser_sessions", json={"url": start})
    assert reply.status_code == 200, reply.text
    session_id = reply.json()["browser_session_id"]
    wait_until(
        lambda: client.get(f"/v1/browser_sessions/{session_id}").json().get("status") == "running",
        timeout=60,
        interval=0.3,
        what="the browser session to start",
    )
    return session_id


def _workflow(client, start: str) -> str:
    definition = {
        "title": "Sign up",
        "workflow_definition": {
            "parameters": [],
            "blocks": [
                {"block_type": "task", "label": "sign_up", "url": start, "navigation_goal": "Sign up as Ada"}
            ],
        },
    }
    reply = client.post("/v1/workflows", json={"json_definition": definition})
    assert reply.status_code == 200, reply.text
    return reply.json()["workflow_permanent_id"]


def _body(example: dict, client, start: str) -> dict:
    body = copy.deepcopy(example["body"])
    if "url" in body:
        body["url"] = start
    if example.get("needs") == "browser_session":
        body["browser_session_id"] = _session(client, start)
    if example.get("needs") == "workflow":
        body["workflow_id"] = _workflow(client, start)
    return body


@pytest.mark.parametrize("example", EXAMPLES, ids=[e["source"] for e in EXAMPLES])
def test_a_documented_request_body_is_accepted_and_runs(example, worker, e2e_client, test_site, scripted_llm):
    _, _, client = e2e_client
    start = test_site.url + "/"
    scripted_llm.script = _script_for(start, example["body"].get("data_extraction_schema"))
    body = _body(example, client, start)

    reply = client.post(example["path"], json=body)

    assert reply.status_code == 200, f"{example['source']}: {reply.status_code} {reply.text}"
    run = _final(client, reply.json()["run_id"])
    assert run["status"] == "completed", f"{example['source']}: {run.get('failure_reason')}"
    if example.get("publishes"):
        workflow_id = run.get("workflow_permanent_id") or (run.get("run_request") or {}).get("workflow_id")
        listed = client.get("/v1/workflows").json()
        assert workflow_id and workflow_id in json.dumps(listed), "the published task is listed as a workflow"
    if example.get("needs") == "browser_session":
        client.post(f"/v1/browser_sessions/{body['browser_session_id']}/close")
