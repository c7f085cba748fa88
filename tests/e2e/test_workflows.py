"""Workflows end to end: a real worker runs the blocks on one Chromium; the API, the official SDK 1.0.56 and
a published task see the results."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from tests.e2e.helpers import EventStream, site_script, wait_until
from tests.sdk.test_official_sdk import SDK_DIR
from tests.support.fake_llm import prompt_kind

pytestmark = [pytest.mark.e2e, pytest.mark.browser, pytest.mark.slow]
FINAL = {"completed", "failed", "terminated", "canceled", "timed_out"}

YAML = """
title: Sign up and greet
workflow_definition:
  parameters:
    - key: start
      parameter_type: workflow
      workflow_parameter_type: string
    - key: names
      parameter_type: workflow
      workflow_parameter_type: json
  blocks:
    - block_type: task
      label: sign_up
      url: "{{ start }}"
      navigation_goal: Sign up as Ada
    - block_type: for_loop
      label: each
      loop_over_parameter_key: names
      loop_blocks:
        - block_type: text_prompt
          label: greet
          prompt: "Greet {{ current_value }}"
    - block_type: extraction
      label: read
      data_extraction_goal: The welcome message
      data_schema:
        type: object
        properties:
          message: {type: string}
    - block_type: text_prompt
      label: summary
      prompt: "Greet {{ read.output.message | replace(' ', '_') }}"
"""


def script(messages: list[dict[str, Any]]):
    kind = prompt_kind(messages)
    if kind == "text_prompt":
        name = re.search(r"Greet (\S+)", messages[-1]["content"])
        return json.dumps({"llm_response": f"Hello {name.group(1)}"})
    if kind == "extract":
        return json.dumps({"message": "Welcome aboard"})
    return site_script(messages)


def finished(client, run_id: str, timeout: float = 120) -> dict:
    answer: dict = {}

    def done() -> bool:
        answer.update(client.get(f"/v1/runs/{run_id}").json())
        return answer.get("status") in FINAL

    wait_until(done, timeout=timeout, interval=0.3, what=f"{run_id} to finish")
    return answer


def test_a_yaml_workflow_with_a_loop_runs_to_completed(
    worker, e2e_client, daphne_server, test_site, scripted_llm, webhook_receiver
):
    _, raw_key, client = e2e_client
    scripted_llm.script = script
    created = client.post("/v1/workflows", json={"yaml_definition": YAML})
    assert created.status_code == 200, created.text
    wpid = created.json()["workflow_permanent_id"]

    test_site.gate.clear()  # hold the first page until the socket listens
    started = client.post(
        "/v1/run/workflows",
        json={
            "workflow_id": wpid,
            "parameters": {"start": test_site.url + "/gated/", "names": ["Ada", "Grace", "Linus"]},
            "webhook_url": webhook_receiver.url + "/hook",
        },
    )
    assert started.status_code == 200, started.text
    stream = EventStream(f"{daphne_server.ws_url}/ws/runs/{started.json()['run_id']}/?apikey={raw_key}")
    test_site.gate.set()
    run = finished(client, started.json()["run_id"])
    stream.wait_for(lambda e: e["type"] == "block.finished" and e["data"]["label"] == "summary")
    finished_blocks = [
        (e["data"]["label"], e["data"]["loop_index"]) for e in stream.of_type("block.finished")
    ]
    assert finished_blocks[:4] == [("sign_up", None), ("greet", 0), ("greet", 1), ("greet", 2)]
    assert stream.of_type("step.started") and stream.of_type("action")
    stream.close()
    wait_until(lambda: webhook_receiver.received, timeout=20, what="the webhook")
    hook = webhook_receiver.received[0].json()
    assert hook["run_id"] == run["run_id"] and hook["status"] == "completed"

    assert run["status"] == "completed", run["failure_reason"]
    assert run["run_type"] == "workflow_run" and run["workflow_permanent_id"] == wpid
    assert run["output"]["each"] == [
        {"greet": {"llm_response": f"Hello {n}"}} for n in ("Ada", "Grace", "Linus")
    ]
    assert run["output"]["read"] == {"message": "Welcome aboard"}
    assert run["output"]["summary"] == {"llm_response": "Hello Welcome_aboard"}
    assert run["recording_url"] or run["screenshot_urls"]

    timeline = client.get(f"/v1/runs/{run['run_id']}/timeline").json()
    assert [entry["block"]["label"] for entry in timeline] == ["sign_up", "each", "read", "summary"]
    loop = timeline[1]["children"]
    assert [(child["block"]["label"], child["block"]["loop_index"]) for child in loop] == [
        ("greet", 0),
        ("greet", 1),
        ("greet", 2),
    ]
    sign_up_steps = [child for child in timeline[0]["children"] if child["type"] == "block"]
    assert sign_up_steps and sign_up_steps[0]["block"]["actions"]
    steps = client.get(f"/api/v1/tasks/{run['run_id']}/steps").json()
    assert [step["order"] for step in steps] == sorted({step["order"] for step in steps})


def test_the_official_sdk_creates_lists_runs_and_reads_workflow_runs(
    worker, e2e_client, daphne_server, test_site, scripted_llm
):
    import sys

    if str(SDK_DIR) not in sys.path:
        sys.path.append(str(SDK_DIR))
    from skyvern.client import Skyvern

    _, raw, _ = e2e_client
    scripted_llm.script = script
    sdk = Skyvern(base_url=daphne_server.url, api_key=raw)
    created = sdk.create_workflow(yaml_definition=YAML)
    assert created.workflow_permanent_id.startswith("wpid_")
    assert [w.workflow_permanent_id for w in sdk.get_workflows()] == [created.workflow_permanent_id]
    assert sdk.get_workflow(created.workflow_permanent_id).workflow_definition.blocks[0].label == "sign_up"

    started = sdk.run_workflow(
        agent_id=created.workflow_permanent_id,
        parameters={"start": test_site.url + "/", "names": ["Ada"]},
        max_steps_override=5,
    )
    assert started.run_id.startswith("wr_") and started.run_type == "workflow_run"
    wait_until(lambda: sdk.get_run(started.run_id).status in FINAL, timeout=120, interval=0.5, what="the run")
    assert sdk.get_run(started.run_id).status == "completed"
    [listed] = sdk.get_workflow_runs()
    assert listed.workflow_run_id == started.run_id and listed.status == "completed"


def test_a_published_task_is_listed_as_a_workflow_and_runs_again(worker, e2e_client, test_site, scripted_llm):
    _, _, client = e2e_client
    task = client.post(
        "/v1/run/tasks",
        json={
            "prompt": "Sign up as Ada",
            "url": test_site.url + "/",
            "engine": "skyvern-1.0",
            "publish_workflow": True,
        },
    )
    assert task.status_code == 200, task.text
    assert finished(client, task.json()["run_id"])["status"] == "completed"
    wpid = task.json()["workflow_permanent_id"]
    [saved] = client.get("/v1/workflows").json()
    assert saved["workflow_permanent_id"] == wpid and saved["is_saved_task"]

    # The seed's body: client.agent.run_workflow(workflow_id=...) posts {"workflow_id": ...}.
    again = client.post("/v1/run/workflows", json={"workflow_id": wpid})
    assert again.status_code == 200, again.text
    run = finished(client, again.json()["run_id"])
    assert run["status"] == "completed", run["failure_reason"]
    assert run["output"] == {"task": {"message": "Welcome aboard"}}


def test_canceling_a_workflow_run_stops_the_block_it_is_in(worker, e2e_client, test_site):
    _, _, client = e2e_client
    definition = {
        "title": "Wait a long time",
        "workflow_definition": {
            "parameters": [],
            "blocks": [
                {"block_type": "goto_url", "label": "open", "url": test_site.url + "/"},
                {"block_type": "wait", "label": "pause", "wait_sec": 120},
                {"block_type": "text_prompt", "label": "never", "prompt": "Greet nobody"},
            ],
        },
    }
    wpid = client.post("/v1/workflows", json={"json_definition": definition}).json()["workflow_permanent_id"]
    run_id = client.post("/v1/run/workflows", json={"workflow_id": wpid}).json()["run_id"]

    def pausing() -> bool:
        timeline = client.get(f"/v1/runs/{run_id}/timeline").json()
        return any(entry["block"]["label"] == "pause" for entry in timeline)

    wait_until(pausing, timeout=60, interval=0.3, what="the wait block to start")
    assert client.post(f"/v1/runs/{run_id}/cancel").json()["status"] == "canceled"
    wait_until(lambda: not worker.busy_tasks(), timeout=20, what="the worker to let the run go")
    timeline = client.get(f"/v1/runs/{run_id}/timeline").json()
    assert [(entry["block"]["label"], entry["status"]) for entry in timeline] == [
        ("open", "completed"),
        ("pause", "canceled"),
    ]


def test_a_workflow_run_continues_a_browser_session_from_its_page(
    worker, e2e_client, test_site, scripted_llm
):
    _, _, client = e2e_client
    session = client.post("/v1/browser_sessions", json={"url": test_site.url + "/"})
    assert session.status_code == 200, session.text
    session_id = session.json()["browser_session_id"]
    wait_until(
        lambda: client.get(f"/v1/browser_sessions/{session_id}").json().get("status") == "running",
        timeout=60,
        interval=0.3,
        what="the browser session to start",
    )
    definition = {
        "title": "Sign up where the session is",
        "workflow_definition": {
            "parameters": [],
            "blocks": [{"block_type": "navigation", "label": "sign_up", "navigation_goal": "Sign up as Ada"}],
        },
    }
    wpid = client.post("/v1/workflows", json={"json_definition": definition}).json()["workflow_permanent_id"]
    started = client.post("/v1/run/workflows", json={"workflow_id": wpid, "browser_session_id": session_id})
    assert started.status_code == 200, started.text
    run = finished(client, started.json()["run_id"])
    client.post(f"/v1/browser_sessions/{session_id}/close")
    assert run["status"] == "completed", run["failure_reason"]
    assert run["browser_session_id"] == session_id
    assert run["output"] == {"sign_up": {"message": "Welcome aboard"}}
