"""The coordinate engines on the host: their own model settings, what Discover says when one is missing,
and where a click landed on the run page."""

import pytest
from django.test import Client

from runs.choices import ActionStatus, RunEngine, RunStatus, RunType
from runs.dashboard.forms import DiscoverForm
from runs.execution.inputs import llm_for
from runs.models import Action
from runs.services.engines import engine_setup_problem
from tests.support.factories import ArtifactFactory, StepFactory, TaskRunFactory, UserFactory, run_in_status

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _settings(settings, no_worker):
    settings.SKYVERN_LLM_MODEL = "openai/gpt-4o"
    settings.SKYVERN_LLM_API_KEY = "sk-main"
    settings.SKYVERN_OPENAI_CUA_MODEL = "computer-use-preview"
    settings.SKYVERN_OPENAI_CUA_API_BASE = ""
    settings.SKYVERN_OPENAI_CUA_API_KEY = "sk-cua"
    settings.SKYVERN_ANTHROPIC_CUA_MODEL = "claude-sonnet-4-5"
    settings.SKYVERN_ANTHROPIC_CUA_API_KEY = ""
    settings.SKYVERN_UI_TARS_API_BASE = ""
    settings.SKYVERN_UI_TARS_COORDINATES = "relative"


def test_a_coordinate_engine_runs_with_its_own_model_base_url_and_key(settings):
    settings.SKYVERN_OPENAI_CUA_API_BASE = "http://gateway.internal/v1"

    config = llm_for(TaskRunFactory(engine=RunEngine.OPENAI_CUA)).config

    assert (config.model, config.api_base, config.api_key) == (
        "computer-use-preview",
        "http://gateway.internal/v1",
        "sk-cua",
    )
    assert llm_for(TaskRunFactory(engine=RunEngine.SKYVERN_V1)).config.api_key == "sk-main"


def test_the_requests_model_object_overrides_the_engines_model():
    run = TaskRunFactory(
        engine=RunEngine.OPENAI_CUA,
        request={
            "prompt": "p",
            "model": {"model_name": "computer-use-preview-2025-03-11", "max_tokens": 500},
        },
    )

    config = llm_for(run).config

    assert (config.model, config.max_tokens, config.api_key) == (
        "computer-use-preview-2025-03-11",
        500,
        "sk-cua",
    )


def test_ui_tars_is_told_its_deployments_coordinate_space(settings):
    settings.SKYVERN_UI_TARS_API_BASE = "http://vllm.internal:8000/v1"
    settings.SKYVERN_UI_TARS_COORDINATES = "resized"

    config = llm_for(TaskRunFactory(engine=RunEngine.UI_TARS)).config

    assert config.api_base == "http://vllm.internal:8000/v1" and config.api_key is None
    assert config.engine_options == {"coordinates": "resized"}
    assert engine_setup_problem(engine=RunEngine.UI_TARS) is None


def test_discover_marks_each_unconfigured_engine_with_what_to_set(org):
    labels = dict(DiscoverForm(organization=org).fields["engine"].choices)

    assert labels["openai-cua"] == "openai-cua"
    assert (
        labels["anthropic-cua"]
        == "anthropic-cua (not configured: set SKYVERN_ANTHROPIC_CUA_API_KEY (or ANTHROPIC_API_KEY))"
    )
    assert labels["ui-tars"] == "ui-tars (not configured: set SKYVERN_UI_TARS_API_BASE)"
    assert engine_setup_problem(engine=RunEngine.SKYVERN_V1) is None  # the main model has its own check


def test_the_run_page_marks_where_a_click_landed_on_its_screenshot(org):
    client = Client()
    client.force_login(UserFactory(organization=org))
    run = run_in_status(
        RunStatus.COMPLETED, organization=org, engine=RunEngine.OPENAI_CUA, run_type=RunType.OPENAI_CUA
    )
    step = StepFactory(run=run, order=0)
    shot = ArtifactFactory(run=run, step=step)
    raw = {"type": "click", "button": "left", "x": 250, "y": 120}
    Action.objects.create(step=step, index=0, action_type="click", x=250, y=120.4, raw=raw,
                          status=ActionStatus.COMPLETED, screenshot=shot)  # fmt: skip
    Action.objects.create(
        step=step, index=1, action_type="complete", status=ActionStatus.COMPLETED, screenshot=shot
    )

    html = client.get(f"/runs/{run.run_id}").content.decode()

    assert html.count('class="click-mark"') == 1
    assert 'class="click-mark" data-x="250" data-y="120.4"' in html
    assert 'alt="Screenshot after click at 250, 120 (opens full size)"' in html
    assert "js/click_marks.js" in html
