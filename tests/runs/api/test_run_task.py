"""POST /v1/run/tasks: what is stored and queued, and what is refused with which status."""

import pytest

from runs.choices import RunStatus
from runs.models import TaskRun
from tests.runs.api.conftest import post_task

pytestmark = pytest.mark.django_db


def test_a_task_is_stored_queued_and_answered_as_a_task_run(client, api_key, org):
    response = post_task(
        client,
        {"prompt": "Find the price of the red mug", "url": "https://shop.example/", "engine": "skyvern-1.0"},
    )

    assert response.status_code == 200
    body = response.json()
    run = TaskRun.objects.get(run_id=body["run_id"])
    assert (run.organization, run.api_key) == (org, api_key[0])
    assert body["status"] == RunStatus.QUEUED == run.status
    assert body["run_type"] == "task_v1"
    assert body["app_url"] == f"http://127.0.0.1:8000/runs/{run.run_id}"
    assert body["run_request"]["prompt"] == "Find the price of the red mug"
    assert body["queued_at"].endswith("Z") and body["created_at"].endswith("Z")


def test_the_run_is_handed_to_the_worker_queue_only_after_commit(
    client, monkeypatch, django_capture_on_commit_callbacks
):
    queued = []
    monkeypatch.setattr("runs.dispatch.run_execute", lambda *, run_id: queued.append(run_id))

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = post_task(client, {"prompt": "Say hello"})
        assert queued == []
    for callback in callbacks:
        callback()

    assert queued == [TaskRun.objects.get(run_id=response.json()["run_id"]).run_id]


def test_the_server_defaults_fill_in_engine_and_max_steps(client, settings):
    settings.SKYVERN_DEFAULT_MAX_STEPS = 7

    stored = post_task(client, {"prompt": "Say hello"}).json()["run_request"]

    assert stored["engine"] == "skyvern-2.0"
    assert stored["max_steps"] == 7
    assert stored["max_iterations"] is None  # the agent's default (10) applies


def test_the_organization_default_max_steps_wins_over_the_server_default(client, org):
    org.max_steps_per_run = 4
    org.save()

    assert post_task(client, {"prompt": "Say hello"}).json()["run_request"]["max_steps"] == 4


def test_a_run_posted_without_an_engine_is_a_skyvern_2_task(client):
    body = post_task(client, {"prompt": "Say hello"}).json()

    assert body["run_type"] == "task_v2"
    assert TaskRun.objects.get(run_id=body["run_id"]).engine == "skyvern-2.0"


def test_the_tasks_api_docs_example_body_starts_a_skyvern_2_run(client):
    body = {
        "prompt": "Apply for a job on behalf of this person: name: Chris P Bacon. email: chris@pbacon.com",
        "url": "https://jobs.example/leverdemo-8/apply",
        "title": "Job Application Task",
        "engine": "skyvern-2.0",
        "proxy_location": "RESIDENTIAL",
        "data_extraction_schema": {"application_success": {"type": "boolean"}},
    }

    response = post_task(client, body)

    assert response.status_code == 200, response.json()
    assert response.json()["run_type"] == "task_v2"
    stored = TaskRun.objects.get(run_id=response.json()["run_id"]).request
    assert stored["data_extraction_schema"] == {"application_success": {"type": "boolean"}}


def test_the_max_iterations_header_is_stored_for_the_planner(client):
    response = post_task(client, {"prompt": "Say hello"}, **{"x-max-iterations-override": "3"})

    assert TaskRun.objects.get(run_id=response.json()["run_id"]).request["max_iterations"] == 3


@pytest.mark.parametrize("value", ["0", "51"])
def test_a_max_iterations_header_out_of_bounds_is_refused(client, value):
    response = post_task(client, {"prompt": "Say hello"}, **{"x-max-iterations-override": value})

    assert response.status_code == 400
    assert response.json()["detail"] == "x-max-iterations-override must be between 1 and 50"
    assert not TaskRun.objects.exists()


def test_the_max_steps_header_overrides_the_body(client):
    response = post_task(client, {"prompt": "Say hello", "max_steps": 3}, **{"x-max-steps-override": "5"})

    assert TaskRun.objects.get(run_id=response.json()["run_id"]).max_steps == 5


@pytest.mark.parametrize(
    "body, headers",
    [({"max_steps": 76}, {}), ({"max_steps": 0}, {}), ({}, {"x-max-steps-override": "1000"})],
)
def test_max_steps_beyond_the_server_limit_is_refused(client, settings, body, headers):
    settings.SKYVERN_MAX_STEPS_LIMIT = 75

    response = post_task(client, {"prompt": "Say hello", **body}, **headers)

    assert response.status_code == 400
    assert "between 1 and 75" in response.json()["detail"]


@pytest.mark.parametrize("value", ["abc", "1.5", ""])
def test_a_max_steps_header_that_is_not_a_number_is_a_validation_error(client, value):
    response = post_task(client, {"prompt": "p"}, **{"x-max-steps-override": value})

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][0] == "header"


def test_a_schemeless_url_gets_https(client):
    assert post_task(client, {"prompt": "p", "url": "shop.example:8080/a"}).json()["run_request"]["url"] == (
        "https://shop.example:8080/a"
    )


@pytest.mark.parametrize(
    "url, message",
    [
        ("ftp://files.example/x", "must be an http or https URL"),
        ("javascript:alert(1)", "is not a valid URL"),
        ("https://example.com/" + "a" * 2100, "at most 2083 characters"),
        ("http://", "is not a valid URL"),
    ],
)
def test_a_url_that_is_not_a_web_address_is_refused(client, url, message):
    response = post_task(client, {"prompt": "p", "url": url})

    assert response.status_code == 400
    assert message in response.json()["detail"]


def test_the_engine_is_validated_against_the_enum(client):
    response = post_task(client, {"prompt": "p", "engine": "skyvern-9"})

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "engine"]


@pytest.mark.parametrize("engine", ["openai-cua", "anthropic-cua", "ui-tars"])
def test_an_engine_this_server_cannot_run_is_refused_with_a_reason(client, engine, monkeypatch):
    # Whatever engines the agent has registered by now: this server "runs" only the two Skyvern ones.
    supported = frozenset({"skyvern-1.0", "skyvern-2.0"})
    monkeypatch.setattr("runs.services.run_requests.engines_supported", lambda: supported)
    response = post_task(client, {"prompt": "p", "engine": engine})

    assert response.status_code == 400
    assert (
        response.json()["detail"]
        == f"Engine {engine} is not supported by this server; use one of: skyvern-1.0, skyvern-2.0"
    )
    assert not TaskRun.objects.exists()


@pytest.mark.parametrize(
    "field, value, words",
    [
        ("cdp_connect_headers", {"x-api-key": "k"}, "cdp_connect_headers is not supported"),
        ("run_with", "magic", 'run_with must be "agent" or "code"'),
    ],
)
def test_a_field_this_server_cannot_honour_is_refused_not_ignored(client, field, value, words):
    response = post_task(client, {"prompt": "p", field: value})

    assert response.status_code == 400
    assert words in response.json()["detail"]


def test_an_unknown_field_is_ignored_and_named_in_a_header(client):
    response = post_task(client, {"prompt": "p", "navigation_goal": "x", "future_option": True})

    assert response.status_code == 200
    assert response["x-skyvern-ignored-fields"] == "future_option, navigation_goal"
    assert "future_option" not in response.json()["run_request"]


def test_a_known_field_with_a_bad_value_is_still_refused(client):
    response = post_task(client, {"prompt": "p", "max_steps": "many", "future_option": 1})

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "max_steps"]


@pytest.mark.parametrize("body", [{}, {"prompt": None}, {"prompt": ["a"]}])
def test_a_missing_or_mistyped_prompt_is_a_validation_error_on_prompt(client, body):
    response = post_task(client, body)

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "prompt"]


def test_a_blank_prompt_is_a_validation_error(client):
    response = post_task(client, {"prompt": "   "})

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "prompt"]
    assert "must not be empty" in response.json()["detail"][0]["msg"]


def test_a_schema_in_a_string_is_parsed(client):
    body = {
        "prompt": "p",
        "data_extraction_schema": '{"type": "object", "properties": {"price": {"type": "number"}}}',
    }

    stored = post_task(client, body).json()["run_request"]["data_extraction_schema"]

    assert stored == {"type": "object", "properties": {"price": {"type": "number"}}}


def test_an_array_of_schemas_is_accepted(client):
    body = {"prompt": "p", "data_extraction_schema": [{"type": "string"}, {"type": "number"}]}

    assert post_task(client, body).status_code == 200


@pytest.mark.parametrize(
    "schema, words",
    [
        ('{"type": "object",', "not valid JSON"),
        ({"type": "nonsense"}, "not a valid JSON Schema"),
        ({"properties": {"a": {"minimum": "ten"}}}, "not a valid JSON Schema"),
        ('"just a string"', "must be a JSON object or array"),
        (["name", "price"], "data_extraction_schema[0] must be a JSON Schema object"),
    ],
)
def test_a_broken_extraction_schema_is_refused(client, schema, words):
    response = post_task(client, {"prompt": "p", "data_extraction_schema": schema})

    assert response.status_code == 400
    assert words in response.json()["detail"]


def test_the_sdk_user_agent_header_is_kept(client):
    response = post_task(client, {"prompt": "p"}, **{"x-user-agent": "MyBot/1.0"})

    assert response.json()["run_request"]["user_agent"] == "MyBot/1.0"


def test_extra_headers_with_line_breaks_are_refused(client):
    response = post_task(client, {"prompt": "p", "extra_http_headers": {"X-A": "1\r\nX-Injected: 2"}})

    assert response.status_code == 400


def test_a_model_choice_is_kept_in_the_documented_shape(client):
    assert post_task(client, {"prompt": "p", "model": {"model_name": "gpt-4o"}}).json()["run_request"][
        "model"
    ] == {"model_name": "gpt-4o"}
    body = {"model_name": "gpt-4o", "temperature": 0.2, "max_tokens": 500, "reasoning_effort": "low", "x": 1}
    assert post_task(client, {"prompt": "p", "model": body}).json()["run_request"]["model"] == {
        "model_name": "gpt-4o",
        "temperature": 0.2,
        "max_tokens": 500,
        "reasoning_effort": "low",
    }
    assert post_task(client, {"prompt": "p", "model": {"temperature": 5}}).status_code == 400
    assert post_task(client, {"prompt": "p", "model": {"model_name": 3}}).status_code == 400


@pytest.mark.parametrize(
    "mapping",
    [
        {"login_failed": "Wrong password", "maintenance": None},
        [{"code": "login_failed", "description": "Wrong password"}, {"code": "maintenance"}],
        [{"login_failed": "Wrong password"}, {"maintenance": None}],
    ],
)
def test_error_code_mapping_is_accepted_in_every_documented_form(client, mapping):
    response = post_task(client, {"prompt": "p", "error_code_mapping": mapping})

    assert response.status_code == 200, response.json()
    assert response.json()["run_request"]["error_code_mapping"] == {
        "login_failed": "Wrong password",
        "maintenance": "",
    }


@pytest.mark.parametrize(
    ("spelling", "engine"), [("skyvern_v1", "skyvern-1.0"), ("SKYVERN-1.0", "skyvern-1.0")]
)
def test_the_ts_sdk_engine_spellings_are_accepted(client, spelling, engine):
    response = post_task(client, {"prompt": "p", "engine": spelling})

    assert response.status_code == 200
    assert response.json()["run_request"]["engine"] == engine


def test_a_schema_with_a_dangling_ref_is_refused_at_post(client):
    schema = {"type": "object", "properties": {"a": {"$ref": "#/$defs/missing"}}}
    response = post_task(client, {"prompt": "p", "data_extraction_schema": schema})

    assert response.status_code == 400
    assert "#/$defs/missing" in response.json()["detail"]
    schema["$defs"] = {"missing": {"type": "string"}}
    assert post_task(client, {"prompt": "p", "data_extraction_schema": schema}).status_code == 200
    remote = {"$ref": "http://169.254.169.254/schema.json"}
    assert post_task(client, {"prompt": "p", "data_extraction_schema": remote}).status_code == 400


def test_an_overlong_title_is_refused_before_the_database_sees_it(client):
    assert post_task(client, {"prompt": "p", "title": "t" * 501}).status_code == 400
