"""The legacy /api/v1 task surface."""

import pytest

from agent.engines import ENGINES
from agent.engines.skyvern_v1 import SkyvernV1
from runs.choices import ActionStatus, ArtifactType, RunStatus
from runs.models import TaskRun
from tests.runs.api.conftest import post_task
from tests.support.factories import ActionFactory, ArtifactFactory, StepFactory, TaskRunFactory, run_in_status

pytestmark = pytest.mark.django_db


def test_tasks_are_listed_ten_to_a_page_by_default(client, org):
    for _ in range(12):
        TaskRunFactory(organization=org)

    assert len(client.get("/api/v1/tasks").json()) == 10
    assert len(client.get("/api/v1/tasks?page=2").json()) == 2


@pytest.mark.parametrize("query", ["page=0", "page_size=0", "sort=title", "order=up", "task_status=nope"])
def test_legacy_paging_and_sorting_are_validated(client, query):
    assert client.get(f"/api/v1/tasks?{query}").status_code == 422


def test_tasks_filter_by_status_and_carry_the_legacy_fields(client, org):
    done = run_in_status(RunStatus.COMPLETED, organization=org, output={"a": 1}, title="T")
    run_in_status(RunStatus.FAILED, organization=org)

    [task] = client.get("/api/v1/tasks?task_status=completed").json()

    assert task["task_id"] == done.run_id
    assert task["extracted_information"] == {"a": 1}
    assert task["navigation_goal"] == done.prompt
    assert task["organization_id"] == org.organization_id
    assert task["title"] == "T"


def test_tasks_can_be_sorted_oldest_first(client, org):
    runs = [TaskRunFactory(organization=org) for _ in range(3)]

    ids = [t["task_id"] for t in client.get("/api/v1/tasks?order=asc").json()]

    assert ids == [r.run_id for r in runs]


def test_a_task_is_answered_as_a_task_response(client):
    run_id = post_task(
        client, {"prompt": "Buy milk", "url": "shop.example", "webhook_url": "https://hooks.example/x"}
    ).json()["run_id"]

    body = client.get(f"/api/v1/tasks/{run_id}").json()

    assert body["task_id"] == run_id
    assert body["status"] == "queued"
    assert body["request"]["url"] == "https://shop.example"
    assert body["request"]["navigation_goal"] == "Buy milk"
    assert body["request"]["webhook_callback_url"] == "https://hooks.example/x"


def test_steps_list_every_attempt_with_token_counts(client, org):
    run = TaskRunFactory(organization=org)
    StepFactory(run=run, order=1, input_token_count=100, output_token_count=20, step_cost=0.01, is_last=True)
    StepFactory(run=run, order=0)

    steps = client.get(f"/api/v1/tasks/{run.run_id}/steps").json()

    assert [s["order"] for s in steps] == [0, 1]
    assert steps[1]["input_token_count"] == 100 and steps[1]["is_last"] is True
    assert {s["task_id"] for s in steps} == {run.run_id}
    assert {s["organization_id"] for s in steps} == {org.organization_id}


def test_actions_list_across_steps_in_order(client, org):
    run = TaskRunFactory(organization=org)
    later = StepFactory(run=run, order=1)
    earlier = StepFactory(run=run, order=0)
    ActionFactory(step=later, index=0, action_type="complete", status=ActionStatus.COMPLETED)
    ActionFactory(step=earlier, index=0, action_type="input_text", text="milk", option={"label": "x"})

    actions = client.get(f"/api/v1/tasks/{run.run_id}/actions").json()

    assert [(a["step_order"], a["action_type"]) for a in actions] == [(0, "input_text"), (1, "complete")]
    assert actions[0]["text"] == "milk" and actions[0]["option"] == {"label": "x"}
    assert actions[1]["status"] == "completed"


def test_a_task_can_be_cancelled(client):
    run_id = post_task(client, {"prompt": "p"}).json()["run_id"]

    response = client.post(f"/api/v1/tasks/{run_id}/cancel")

    assert response.status_code == 200
    assert response.json()["status"] == "canceled"


def test_the_step_a_finished_task_ended_on_is_the_last(client, org):
    running = run_in_status(RunStatus.RUNNING, organization=org)
    done = run_in_status(RunStatus.FAILED, organization=org)
    for run in (running, done):
        StepFactory(run=run, order=0)
        StepFactory(run=run, order=1)
        StepFactory(run=run, order=1, retry_index=1)

    assert [s["is_last"] for s in client.get(f"/api/v1/tasks/{running.run_id}/steps").json()] == [False] * 3
    assert [s["is_last"] for s in client.get(f"/api/v1/tasks/{done.run_id}/steps").json()] == [
        False,
        False,
        True,
    ]


def _create(client, body, **headers):
    return client.post("/api/v1/tasks", body, content_type="application/json", headers=headers)


def test_a_legacy_task_request_starts_a_run(client):
    body = {
        "url": "shop.example/mugs",
        "title": "Mug price",
        "navigation_goal": "Find the red mug",
        "webhook_callback_url": "https://hooks.example/done",
        "totp_verification_url": "https://otp.example/code",
        "totp_identifier": "me@example.com",
        "proxy_location": "NONE",
        "extracted_information_schema": {"type": "object", "properties": {"price": {"type": "number"}}},
        "error_code_mapping": {"SOLD_OUT": "the mug is sold out"},
    }

    response = _create(client, body, **{"x-max-steps-override": "4"})

    assert response.status_code == 200, response.content
    task_id = response.json()["task_id"]
    run = TaskRun.objects.get(run_id=task_id)
    assert (run.status, run.url, run.title, run.prompt) == (
        "queued",
        "https://shop.example/mugs",
        "Mug price",
        "Find the red mug",
    )
    assert (run.webhook_url, run.max_steps) == ("https://hooks.example/done", 4)
    assert (
        run.request["totp_url"] == "https://otp.example/code"
        and run.request["totp_identifier"] == "me@example.com"
    )
    assert run.request["data_extraction_schema"] == body["extracted_information_schema"]
    assert run.request["error_code_mapping"] == {"SOLD_OUT": "the mug is sold out"}
    assert run.request["proxy_location"] == "NONE"
    task = client.get(f"/api/v1/tasks/{task_id}").json()
    assert task["request"]["webhook_callback_url"] == "https://hooks.example/done"
    assert task["request"]["extracted_information_schema"] == body["extracted_information_schema"]


def test_the_goals_criteria_and_payload_become_the_prompt(client):
    body = {
        "url": "https://forms.example",
        "navigation_goal": "Fill in the form",
        "data_extraction_goal": "the confirmation number",
        "complete_criterion": "a thank-you page shows",
        "terminate_criterion": "the form is closed",
        "navigation_payload": {"name": "Ada", "email": "ada@example.com"},
    }

    run = TaskRun.objects.get(run_id=_create(client, body).json()["task_id"])

    assert run.prompt == (
        "Fill in the form\n\nData to extract: the confirmation number\n\n"
        "The task is complete when: a thank-you page shows\n\n"
        "Stop without completing when: the form is closed\n\n"
        'Details to use: {"name": "Ada", "email": "ada@example.com"}'
    )


@pytest.mark.parametrize(
    "body, detail",
    [
        ({"url": "https://a.example"}, "navigation_goal or data_extraction_goal is required"),
        ({"url": "https://a.example", "navigation_goal": "p", "task_type": "validation"}, "task_type"),
        ({"url": "http://127.0.0.1:9/", "navigation_goal": "p"}, "url"),
    ],
)
def test_a_legacy_task_this_server_cannot_run_is_a_400(client, body, detail):
    response = _create(client, body)

    assert response.status_code == 400
    assert detail in response.json()["detail"]


def test_a_legacy_task_without_a_url_is_a_422(client):
    response = _create(client, {"navigation_goal": "p"})

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "url"]


def test_unknown_legacy_fields_are_ignored_and_named(client):
    response = _create(client, {"url": "https://a.example", "navigation_goal": "p", "max_retries": 3})

    assert response.status_code == 200
    assert response["x-skyvern-ignored-fields"] == "max_retries"


def test_retrying_a_tasks_webhook_sends_it_and_answers_the_task(client, org, monkeypatch):
    sent = []
    monkeypatch.setattr("runs.execution.webhooks.webhook_send", lambda *, run: sent.append(run.run_id) or {})
    run = run_in_status(RunStatus.COMPLETED, organization=org, webhook_url="https://hooks.example/x")

    response = client.post(f"/api/v1/tasks/{run.run_id}/retry_webhook")

    assert response.status_code == 200
    assert response.json()["task_id"] == run.run_id and sent == [run.run_id]
    no_hook = run_in_status(RunStatus.COMPLETED, organization=org)
    assert client.post(f"/api/v1/tasks/{no_hook.run_id}/retry_webhook").status_code == 400


def test_a_steps_artifacts_are_listed(client, org, other_org_run):
    run = TaskRunFactory(organization=org)
    step, other_step = StepFactory(run=run, order=0), StepFactory(run=run, order=1)
    shot = ArtifactFactory(run=run, step=step)
    prompt = ArtifactFactory(run=run, step=step, artifact_type=ArtifactType.LLM_PROMPT)
    ArtifactFactory(run=run, step=other_step)
    ArtifactFactory(run=run)

    body = client.get(f"/api/v1/tasks/{run.run_id}/steps/{step.step_id}/artifacts").json()

    assert [a["artifact_id"] for a in body] == [shot.artifact_id, prompt.artifact_id]
    assert {a["step_id"] for a in body} == {step.step_id}
    foreign = StepFactory(run=other_org_run, order=0)
    assert client.get(f"/api/v1/tasks/{run.run_id}/steps/{foreign.step_id}/artifacts").status_code == 404
    assert (
        client.get(f"/api/v1/tasks/{other_org_run.run_id}/steps/{foreign.step_id}/artifacts").status_code
        == 404
    )


def test_artifacts_by_entity_cover_tasks_and_steps(client, org, other_org_run):
    run = TaskRunFactory(organization=org)
    step = StepFactory(run=run, order=0)
    in_step = ArtifactFactory(run=run, step=step)
    recording = ArtifactFactory(run=run, artifact_type=ArtifactType.RECORDING)
    foreign_step = StepFactory(run=other_org_run, order=0)

    by_task = client.get(f"/api/v1/task/{run.run_id}/artifacts").json()
    by_step = client.get(f"/api/v1/step/{step.step_id}/artifacts").json()

    assert [a["artifact_id"] for a in by_task] == [in_step.artifact_id, recording.artifact_id]
    assert [a["artifact_id"] for a in by_step] == [in_step.artifact_id]
    assert client.get(f"/api/v1/step/{foreign_step.step_id}/artifacts").status_code == 404
    assert client.get("/api/v1/workflow_run/wr_1/artifacts").status_code == 404
    assert client.get("/api/v1/tasks/x/artifacts").status_code == 422


def test_legacy_runs_are_the_organizations_tasks(client, org, other_org_run):
    done = run_in_status(RunStatus.COMPLETED, organization=org)
    run_in_status(RunStatus.FAILED, organization=org)

    assert len(client.get("/api/v1/runs").json()) == 2
    [task] = client.get("/api/v1/runs?status=completed").json()
    assert task["task_id"] == done.run_id and task["status"] == "completed"


def test_a_task_v2_is_a_skyvern_2_run(client, monkeypatch):
    body = {
        "user_prompt": "Find the cheapest mug",
        "url": "shop.example",
        "webhook_callback_url": "https://h.example/x",
    }

    response = client.post(
        "/api/v2/tasks", body, content_type="application/json", headers={"x-max-iterations-override": "5"}
    )

    assert response.status_code == 200, response.content
    created = response.json()
    run = TaskRun.objects.get(run_id=created["task_id"])
    assert (run.engine, run.run_type, run.request["max_iterations"]) == ("skyvern-2.0", "task_v2", 5)
    assert (created["prompt"], created["url"], created["status"]) == (
        "Find the cheapest mug",
        "https://shop.example",
        "queued",
    )
    assert client.get(f"/api/v2/tasks/{run.run_id}").json() == created | {
        "modified_at": created["modified_at"]
    }


def test_a_task_v2_without_that_engine_is_refused(client, monkeypatch):
    monkeypatch.delitem(ENGINES, "skyvern-2.0", raising=False)

    response = client.post("/api/v2/tasks", {"user_prompt": "p"}, content_type="application/json")

    assert response.status_code == 400
    assert "skyvern-2.0" in response.json()["detail"]


def test_a_task_v2_override_header_must_be_a_number(client, monkeypatch):
    monkeypatch.setitem(ENGINES, "skyvern-2.0", SkyvernV1)

    response = client.post(
        "/api/v2/tasks",
        {"user_prompt": "p"},
        content_type="application/json",
        headers={"x-max-steps-override": "many"},
    )

    assert response.status_code == 400
    assert response.json() == {"detail": "x-max-steps-override must be a whole number"}
