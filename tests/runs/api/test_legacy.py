"""The legacy /api/v1 task surface."""

import pytest

from runs.choices import ActionStatus, RunStatus
from tests.factories import StepFactory, TaskRunFactory
from tests.runs.api.conftest import post_task
from tests.runs.api.factories import ActionFactory

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
    done = TaskRunFactory(organization=org, status=RunStatus.COMPLETED, output={"a": 1}, title="T")
    TaskRunFactory(organization=org, status=RunStatus.FAILED)

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
