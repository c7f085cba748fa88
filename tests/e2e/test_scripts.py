"""Scripts through the product: a demo-form run leaves a script; run_with "code" replays it with no LLM call,
falls back to the agent for the one field that changed, and fails clearly when the fallback is off."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from runs.models import Script
from tests.e2e.helpers import wait_until
from tests.support.fake_llm import actions, element_id, page_text, prompt_kind

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.slow]

PROMPT = (
    "Apply for the Backend Engineer position as Ada Lovelace (ada@example.com, 7 years), accepting the terms"
)


def application(messages: list[dict[str, Any]]) -> str:
    """The stand-in model on /demo/job-application (and its relabelled variant, for the AI fallback)."""
    kind, text = prompt_kind(messages), page_text(messages)
    reference = re.search(r"APP-[0-9A-F]{6}", text)
    if kind == "verify":
        return '{"goal_achieved": %s, "reasoning": "checked"}' % ("true" if reference else "false")
    if reference:
        return actions({"action_type": "complete", "data": {"reference": reference.group(0)}})
    field = lambda label: element_id(messages, label)  # noqa: E731
    if "Do only this one step" in str(messages):  # the fallback: the email field was renamed
        return actions(
            {"action_type": "input_text", "id": field("Contact email address"), "text": "ada@example.com"}
        )
    return actions(
        {"action_type": "input_text", "id": field("Full name"), "text": "Ada Lovelace"},
        {"action_type": "input_text", "id": field("Email"), "text": "ada@example.com"},
        {"action_type": "select_option", "id": field("Position"), "option": {"label": "Backend Engineer"}},
        {"action_type": "input_text", "id": field("Years of experience"), "text": "7"},
        {"action_type": "checkbox", "id": field("I agree"), "is_checked": True},
        {"action_type": "click", "id": field("Submit application")},
    )


def _run(client: httpx.Client, **body: Any) -> dict:
    started = client.post("/v1/run/tasks", json={"prompt": PROMPT, "engine": "skyvern-1.0", **body})
    assert started.status_code == 200, started.text
    run_id = started.json()["run_id"]

    def finished():
        run = client.get(f"/v1/runs/{run_id}").json()
        return run if run["status"] not in ("queued", "running") else None

    return wait_until(finished, timeout=90, interval=0.3, what=f"{run_id} to finish")


def _step_outputs(client: httpx.Client, run_id: str) -> list[dict]:
    timeline = client.get(f"/v1/runs/{run_id}/timeline").json()
    return [entry["block"]["output"] or {} for entry in timeline if entry["type"] == "block"]


def test_a_demo_form_script_replays_without_llm_and_falls_back_once_after_a_change(
    worker, e2e_client, daphne_server, scripted_llm
):
    _, _, client = e2e_client
    scripted_llm.script = application
    form = daphne_server.url + "/demo/job-application"

    recorded = _run(client, url=form)
    assert recorded["status"] == "completed", recorded["failure_reason"]
    script = wait_until(
        lambda: Script.objects.filter(run__run_id=recorded["run_id"]).first(), timeout=10, what="a script"
    )
    assert script.version == 1 and script.parameters["email"] == "ada@example.com"
    compile(script.code, "main.py", "exec")

    calls = len(scripted_llm.requests)
    replay = _run(client, url=form, run_with="code")
    assert replay["status"] == "completed", replay["failure_reason"]
    assert len(scripted_llm.requests) == calls  # zero LLM calls
    outputs = _step_outputs(client, replay["run_id"])
    assert len(outputs) == 7 and not any(output["ai_fallback"] for output in outputs)
    assert not Script.objects.filter(run__run_id=replay["run_id"]).exists()  # nothing changed: no revision

    changed = form + "?variant=relabelled"
    strict = _run(client, url=changed, run_with="code", script_id=script.script_id, ai_fallback=False)
    assert strict["status"] == "failed" and len(scripted_llm.requests) == calls
    assert strict["failure_reason"].startswith(
        "Script step 2 (type 'ada@example.com' into the element that was"
    )
    assert "ai_fallback is off" in strict["failure_reason"]

    fixed = _run(client, url=changed, run_with="code", script_id=script.script_id)
    assert fixed["status"] == "completed", fixed["failure_reason"]
    assert len(scripted_llm.requests) == calls + 1  # one planning call for the one changed field
    fallbacks = [output for output in _step_outputs(client, fixed["run_id"]) if output["ai_fallback"]]
    assert len(fallbacks) == 1 and fallbacks[0]["script_step"] == 1
    assert "the field labelled 'Email:'" in fallbacks[0]["fallback_goal"]
    revision = client.get(f"/v1/scripts/{script.script_id}").json()
    assert revision["version"] == 2 and revision["run_id"] == fixed["run_id"]
    assert "Contact email address" in revision["code"]

    calls = len(scripted_llm.requests)
    again = _run(client, url=changed, run_with="code", script_id=script.script_id)
    assert again["status"] == "completed" and len(scripted_llm.requests) == calls  # the revision fits


def test_download_files_downloads_what_the_goal_describes_and_lists_it(
    worker, e2e_client, daphne_server, scripted_llm
):
    _, _, client = e2e_client
    clicked: list[bool] = []

    def downloader(messages: list[dict[str, Any]]) -> str:
        if prompt_kind(messages) == "verify":
            return '{"goal_achieved": true, "reasoning": "the March report was downloaded"}'
        if clicked:
            return actions({"action_type": "complete", "reasoning": "the download started"})
        clicked.append(True)
        return actions({"action_type": "click", "id": element_id(messages, "sales-march.csv")})

    scripted_llm.script = downloader
    started = client.post(
        "/v1/run/tasks/download_files",
        json={
            "url": daphne_server.url + "/demo/reports",
            "navigation_goal": "Download the March sales report",
        },
    )
    assert started.status_code == 200, started.text
    run_id = started.json()["run_id"]
    run = wait_until(
        lambda: (
            (body := client.get(f"/v1/runs/{run_id}").json())["status"] not in ("queued", "running") and body
        ),
        timeout=90,
        interval=0.3,
        what="the download run to finish",
    )
    assert run["status"] == "completed", run["failure_reason"]
    assert [file["filename"] for file in run["downloaded_files"]] == ["sales-march.csv"]
    content = httpx.get(run["downloaded_files"][0]["url"])
    assert content.status_code == 200 and content.text.startswith("month,orders,revenue\nMarch")


def _workflow_run(client: httpx.Client, workflow_id: str, **body: Any) -> dict:
    started = client.post("/v1/run/workflows", json={"workflow_id": workflow_id, **body})
    assert started.status_code == 200, started.text
    run_id = started.json()["run_id"]

    def finished():
        run = client.get(f"/v1/runs/{run_id}").json()
        return run if run["status"] not in ("created", "queued", "running") else None

    return wait_until(finished, timeout=120, interval=0.3, what=f"{run_id} to finish")


def test_a_workflow_task_block_replays_its_script_with_run_with_code(
    worker, e2e_client, daphne_server, scripted_llm
):
    _, _, client = e2e_client
    scripted_llm.script = application
    block = {"block_type": "task", "label": "apply", "url": daphne_server.url + "/demo/job-application"}
    definition = {"parameters": [], "blocks": [{**block, "navigation_goal": PROMPT}]}
    created = client.post(
        "/v1/workflows", json={"json_definition": {"title": "Apply", "workflow_definition": definition}}
    )
    assert created.status_code == 200, created.text
    wpid = created.json()["workflow_permanent_id"]

    recorded = _workflow_run(client, wpid)
    assert recorded["status"] == "completed", recorded["failure_reason"]
    script = Script.objects.get(workflow_permanent_id=wpid, block_label="apply")

    calls = len(scripted_llm.requests)
    replay = _workflow_run(client, wpid, run_with="code")
    assert replay["status"] == "completed", replay["failure_reason"]
    assert len(scripted_llm.requests) == calls  # the block replayed its script: zero LLM calls
    assert Script.objects.filter(script_id=script.script_id).count() == 1  # nothing changed: no revision
