"""/v1/scripts, run_with "code" on /v1/run/tasks, and /v1/run/tasks/download_files."""

import base64

import pytest

from runs.choices import RunStatus
from runs.models import Script, TaskRun
from tests.runs.api.conftest import post_task
from tests.support.factories import ActionFactory, StepFactory, run_in_status

pytestmark = pytest.mark.django_db

FORM = "https://example.com/form"
# The routes this feature documents (tests/runs/api/test_routes.py checks the schema lists exactly these).
SCRIPT_ROUTES = [
    ("post", "/v1/scripts"),
    ("get", "/v1/scripts"),
    ("get", "/v1/scripts/{script_id}"),
    ("post", "/v1/scripts/{script_id}/deploy"),
    ("post", "/v1/scripts/{script_id}/run"),
    ("post", "/v1/run/tasks/download_files"),
]


def _finished_run(org):
    """A completed run that typed an email and pressed Send, with the locators the agent records."""
    run = run_in_status(RunStatus.COMPLETED, organization=org, prompt="Sign up as ada@example.com", url=FORM)
    step = StepFactory(run=run, order=0)
    email = {"tag": "input", "role": "textbox", "name": "Email", "label": "Email", "css": "input#email"}
    email["candidates"] = [
        {"by": "role", "role": "textbox", "name": "Email"},
        {"by": "css", "value": "#email"},
    ]
    send = {
        "tag": "button",
        "role": "button",
        "name": "Send",
        "candidates": [{"by": "role", "role": "button", "name": "Send"}],
    }
    ActionFactory(
        step=step, index=0, action_type="input_text", text="ada@example.com", status="completed",
        result={"success": True, "locator": email, "page": {"url": FORM, "url_after": FORM}},
    )  # fmt: skip
    ActionFactory(
        step=step, index=1, action_type="click", status="completed",
        result={"success": True, "locator": send, "page": {"url": FORM, "url_after": FORM + "/done"}},
    )  # fmt: skip
    return run


def test_a_script_made_from_a_run_is_listed_read_deployed_and_run(client, org):
    run = _finished_run(org)
    created = client.post("/v1/scripts", {"run_id": run.run_id}, content_type="application/json")
    assert created.status_code == 200, created.json()
    body = created.json()
    assert body["version"] == 1 and body["run_id"] == run.run_id and body["file_count"] == 1
    assert body["file_tree"]["main.py"]["type"] == "file"
    script_id = body["script_id"]
    assert script_id.startswith("s_")

    listed = client.get("/v1/scripts").json()
    assert [s["script_id"] for s in listed] == [script_id]
    detail = client.get(f"/v1/scripts/{script_id}").json()
    assert detail["script_revision_id"].startswith("sr_") and detail["organization_id"] == org.organization_id
    assert detail["parameters"] == {"email": "ada@example.com"}
    assert [step["action"] for step in detail["plan"]] == ["input_text", "click"]
    assert "get_by_role('textbox', name='Email', exact=True)" in detail["code"]
    compile(detail["code"], "main.py", "exec")

    code = base64.b64encode(b"print('edited')").decode()
    deployed = client.post(
        f"/v1/scripts/{script_id}/deploy",
        {"files": [{"path": "main.py", "content": code}]},
        content_type="application/json",
    ).json()
    assert deployed["version"] == 2 and deployed["script_id"] == script_id
    assert client.get(f"/v1/scripts/{script_id}").json()["code"] == "print('edited')"
    assert [s["version"] for s in client.get("/v1/scripts").json()] == [2]

    started = client.post(
        f"/v1/scripts/{script_id}/run",
        {"parameters": {"email": "grace@example.com"}},
        content_type="application/json",
    )
    assert started.status_code == 200, started.json()
    replay = TaskRun.objects.get(run_id=started.json()["run_id"])
    assert replay.request["run_with"] == "code" and replay.request["script_id"] == script_id
    assert replay.request["script_parameters"] == {"email": "grace@example.com"}
    assert replay.prompt == run.prompt and replay.url == FORM


def test_scripts_of_another_organization_are_not_found(client, org, other_org_run):
    other = _finished_run(other_org_run.organization)
    assert (
        client.post("/v1/scripts", {"run_id": other.run_id}, content_type="application/json").status_code
        == 404
    )
    foreign = Script.objects.create(organization=other_org_run.organization, code="", plan=[])
    for response in (
        client.get(f"/v1/scripts/{foreign.script_id}"),
        client.post(f"/v1/scripts/{foreign.script_id}/run"),
        client.post(
            f"/v1/scripts/{foreign.script_id}/deploy", {"files": []}, content_type="application/json"
        ),
    ):
        assert response.status_code == 404 and response.json() == {"detail": "Script not found"}
    assert client.get("/v1/scripts").json() == []


def test_bad_script_input_is_a_clear_400(client, org):
    assert client.post("/v1/scripts", {}, content_type="application/json").json() == {
        "detail": "Give run_id (a finished run to make the script from) or files"
    }
    bad = client.post(
        "/v1/scripts", {"files": [{"path": "../x.py", "content": "eA=="}]}, content_type="application/json"
    )
    assert bad.status_code == 400 and "relative path" in bad.json()["detail"]
    bad = client.post(
        "/v1/scripts", {"files": [{"path": "x.py", "content": "%%%"}]}, content_type="application/json"
    )
    assert bad.status_code == 400 and "base64" in bad.json()["detail"]


def test_run_with_code_is_accepted_and_checks_its_script(client, org):
    accepted = post_task(client, {"prompt": "Sign up", "url": FORM, "run_with": "code", "ai_fallback": False})
    assert accepted.status_code == 200, accepted.json()
    run = TaskRun.objects.get(run_id=accepted.json()["run_id"])
    assert run.request["run_with"] == "code" and run.request["ai_fallback"] is False
    missing = post_task(client, {"prompt": "Sign up", "run_with": "code", "script_id": "s_nope"})
    assert missing.status_code == 400 and missing.json() == {"detail": "script_id s_nope was not found"}
    wrong = post_task(client, {"prompt": "Sign up", "run_with": "magic"})
    assert wrong.status_code == 400 and 'run_with must be "agent" or "code"' in wrong.json()["detail"]


def test_download_files_starts_a_task_run_whose_goal_is_downloading(client, org):
    response = client.post(
        "/v1/run/tasks/download_files",
        {
            "url": FORM,
            "navigation_goal": "Download the March invoice",
            "download_suffix": "march.pdf",
            "max_steps_per_run": 4,
        },
        content_type="application/json",
    )
    assert response.status_code == 200, response.json()
    run = TaskRun.objects.get(run_id=response.json()["run_id"])
    assert run.prompt.startswith("Download the March invoice") and "'march.pdf'" in run.prompt
    assert run.max_steps == 4 and run.url == FORM and response.json()["status"] == "queued"
    empty = client.post(
        "/v1/run/tasks/download_files", {"navigation_goal": " "}, content_type="application/json"
    )
    assert empty.status_code == 400


def test_a_run_with_nothing_to_replay_gives_no_script(client, org):
    run = run_in_status(RunStatus.COMPLETED, organization=org)
    response = client.post("/v1/scripts", {"run_id": run.run_id}, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {
        "detail": f"Run {run.run_id} has no actions a script can replay (clicks, typing and choices on page elements)"
    }
