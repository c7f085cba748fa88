"""The models a server is configured with: which one a run uses, whether it gets screenshots and why, the
models route, the admin's per-organization default, the checks (check_llm, the Discover banner), and the
browser a run gets from BROWSER_TYPE."""

from __future__ import annotations

import socket
import uuid

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from runs import presenters, services
from runs.exceptions import RunSetupError
from runs.execution import llm_checks, vision
from runs.execution.inputs import browser_for, llm_for, secondary_llm_for
from runs.tasks import check_models
from skyvern_site.skyvern_names import translate
from tests.support.factories import OrganizationFactory, StepFactory, TaskRunFactory, UserFactory
from tests.support.fake_llm import FakeLLM, FakeReply
from tests.support.vision import blind, image_parts, seeing

pytestmark = pytest.mark.django_db

COMPATIBLE = {
    "ENABLE_OPENAI_COMPATIBLE": "true",
    "OPENAI_COMPATIBLE_MODEL_NAME": "qwen2.5-vl",
    "OPENAI_COMPATIBLE_API_BASE": "http://gpu-box:8000/v1",
    "LLM_KEY": "OPENAI_COMPATIBLE",
}
OPENAI = {"ENABLE_OPENAI": "true", "OPENAI_API_KEY": "sk-openai"}


@pytest.fixture(autouse=True)
def _fresh(no_worker, settings, redis_url):
    """No probe remembered, and the stored model check in a Redis key of this test's own."""
    layer = settings.CHANNEL_LAYERS["default"]
    config = {**layer.get("CONFIG", {}), "prefix": f"test-{uuid.uuid4().hex[:8]}"}
    settings.CHANNEL_LAYERS = {"default": {**layer, "CONFIG": config}}
    vision.forget_probes()
    yield
    vision.forget_probes()
    llm_checks.checks_forget()


def configure(settings, env: dict[str, str]) -> None:
    """Settings as a server started with `env` (and nothing else) would have them."""
    for name, value in translate(env).items():
        setattr(settings, name, value)


def with_model(settings, fake: FakeLLM, **env: str) -> None:
    configure(settings, {"SKYVERN_LLM_MODEL": fake.model, "SKYVERN_LLM_API_BASE": fake.base_url, **env})
    settings.SKYVERN_LLM_API_KEY = "test"


def dead_base_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}/v1"


def run_for(org=None, model_name: str | None = None):
    request = {"prompt": "p"} | ({"model": {"model_name": model_name}} if model_name else {})
    return TaskRunFactory(organization=org or OrganizationFactory(), request=request)


# --- which model a run uses ------------------------------------------------------------------------


def test_a_run_uses_its_requests_model_else_its_organizations_default_else_the_servers(settings):
    configure(settings, {**COMPATIBLE, **OPENAI})
    org = OrganizationFactory(default_model="gpt-4.1")

    server_default = llm_for(run_for()).config
    org_default = llm_for(run_for(org)).config
    requested = llm_for(run_for(org, "OPENAI_GPT4O_MINI")).config

    assert (server_default.model, server_default.api_base) == ("openai/qwen2.5-vl", "http://gpu-box:8000/v1")
    assert (org_default.model, org_default.api_key, org_default.api_base) == (
        "openai/gpt-4.1",
        "sk-openai",
        None,
    )
    assert requested.model == "openai/gpt-4o-mini"  # Skyvern's key, the name, or litellm's string all work
    assert llm_for(run_for(org, "openai/gpt-4o-mini")).config.model == "openai/gpt-4o-mini"


def test_a_name_the_server_does_not_list_goes_to_the_default_endpoint_as_litellms_name(settings):
    configure(settings, COMPATIBLE)

    config = llm_for(run_for(model_name="openai/some-other-model")).config

    assert (config.model, config.api_base) == ("openai/some-other-model", "http://gpu-box:8000/v1")
    assert config.vision is False and "no image probe ran" in config.vision_source


def test_the_secondary_model_is_offered_to_the_agent_for_helper_calls(settings):
    configure(settings, {**COMPATIBLE, **OPENAI, "SECONDARY_LLM_KEY": "OPENAI_GPT4O_MINI"})

    secondary = secondary_llm_for(run_for())

    assert secondary.config.model == "openai/gpt-4o-mini" and secondary.config.api_key == "sk-openai"
    configure(settings, COMPATIBLE)
    assert secondary_llm_for(run_for()) is None


# --- vision -------------------------------------------------------------------------------------------


def test_vision_set_off_is_obeyed_and_named_in_the_steps_note(settings):
    configure(settings, {**COMPATIBLE, "OPENAI_COMPATIBLE_SUPPORTS_VISION": "false"})

    llm = llm_for(run_for())

    assert llm.supports_vision is False
    assert llm.vision_reason() == "OPENAI_COMPATIBLE_SUPPORTS_VISION=false"


def test_a_model_litellm_knows_needs_no_probe(settings):
    configure(settings, {**OPENAI, "LLM_KEY": "OPENAI_GPT4O"})

    assert vision.probe_configured() == []
    assert llm_for(run_for()).supports_vision is True


def test_the_start_up_probe_finds_a_seeing_model_and_is_remembered(settings):
    with FakeLLM(seeing(lambda messages: "{}")) as fake:
        with_model(settings, fake)
        lines = vision.probe_configured()
        first, second = llm_for(run_for()), llm_for(run_for())

    assert lines == [
        f"vision of {fake.model}: takes images (named the colour of a {lines[0].split()[-3]} test image)"
    ]
    assert first.supports_vision and second.supports_vision
    assert first.vision_reason().startswith("image probe: the model named the colour")
    assert len(fake.requests) == 1 and len(image_parts(fake.requests[0]["messages"])) == 1


def test_the_start_up_probe_finds_a_blind_model(settings):
    with FakeLLM(blind(lambda messages: "{}")) as fake:
        with_model(settings, fake)
        vision.probe_configured()
        llm = llm_for(run_for())

    assert llm.supports_vision is False
    assert "could not name the colour" in llm.vision_reason()


def test_a_probe_that_got_no_answer_is_tried_again_later(settings, monkeypatch):
    first = [FakeReply("the model is still loading", status=503)]
    see = seeing(lambda messages: "{}")
    with FakeLLM(lambda messages: first.pop() if first else see(messages)) as fake:
        with_model(settings, fake)
        vision.probe_configured()
        assert llm_for(run_for()).vision_reason().startswith("the image probe could not tell")
        monkeypatch.setattr(vision, "RETRY_AFTER_S", 0)

        assert llm_for(run_for()).supports_vision is True
    assert len(fake.requests) == 2


# --- GET /api/v1/models ---------------------------------------------------------------------------


def test_the_models_route_lists_what_requests_may_name_default_first(settings, api_key):
    configure(settings, {**OPENAI, **COMPATIBLE, "SECONDARY_LLM_KEY": "OPENAI_GPT4O_MINI"})
    key, raw = api_key

    models = Client(headers={"x-api-key": raw}).get("/api/v1/models").json()["models"]

    assert list(models)[:2] == ["qwen2.5-vl", "gpt-4o-mini"]
    assert models["qwen2.5-vl"] == "qwen2.5-vl (OpenAI-compatible, OPENAI_COMPATIBLE)"
    assert "gpt-4.1" in models
    key.organization.default_model = "gpt-4.1"
    key.organization.save()
    assert list(Client(headers={"x-api-key": raw}).get("/api/v1/models/").json()["models"])[0] == "gpt-4.1"
    assert Client().get("/api/v1/models").status_code == 403


# --- the admin --------------------------------------------------------------------------------------


def test_an_admin_sets_an_organizations_default_model_and_max_steps(settings, admin_client, org):
    configure(settings, {**OPENAI, "LLM_KEY": "OPENAI_GPT4O"})

    page = admin_client.get(f"/admin/runs/organization/{org.pk}/change/").content.decode()
    response = admin_client.post(
        f"/admin/runs/organization/{org.pk}/change/",
        {"name": org.name, "default_model": "gpt-4.1-mini", "max_steps_per_run": "12"},
    )

    assert '<option value="gpt-4.1-mini">' in page and "The server&#x27;s default model" in page
    assert response.status_code == 302
    org.refresh_from_db()
    assert (org.default_model, org.max_steps_per_run) == ("gpt-4.1-mini", 12)
    assert llm_for(run_for(org)).config.model == "openai/gpt-4.1-mini"


# --- check_llm and the Discover banner -----------------------------------------------------------------


def test_check_llm_reports_a_dead_endpoint_and_exits_non_zero(settings, capsys):
    configure(settings, {"SKYVERN_LLM_MODEL": "openai/local", "SKYVERN_LLM_API_BASE": dead_base_url()})
    settings.SKYVERN_LLM_API_KEY = "test"

    with pytest.raises(CommandError) as error:
        call_command("check_llm")

    assert error.value.returncode == 1
    out = capsys.readouterr().out
    assert "FAIL default model" in out and "openai/local" in out and "unreachable" in out


def test_check_llm_reports_each_working_model(settings, capsys):
    with (
        FakeLLM(seeing(lambda messages: "{}")) as fake,
        FakeLLM(blind(lambda m: "{}"), model="openai/small") as small,
    ):
        with_model(
            settings,
            fake,
            SKYVERN_SECONDARY_LLM_MODEL=small.model,
            SKYVERN_SECONDARY_LLM_API_BASE=small.base_url,
        )
        settings.SKYVERN_SECONDARY_LLM["api_key"] = "test"
        call_command("check_llm")

    lines = capsys.readouterr().out.splitlines()
    default = next(line for line in lines if "default model" in line)
    helper = next(line for line in lines if "secondary model" in line)
    assert (
        default.startswith("OK ") and "reachable; valid JSON; takes images" in default and " ms;" in default
    )
    assert "price unknown" in default
    assert helper.startswith("OK ") and "takes no images" in helper
    assert lines[-1] == "All 2 checked model(s) answer."


def test_discover_offers_the_models_and_a_banner_with_the_latest_check(settings, client, org):
    configure(settings, {**OPENAI, "LLM_KEY": "OPENAI_GPT4O"})
    client.force_login(UserFactory(organization=org))

    page = client.get("/discover").content.decode()

    assert 'list="model-names"' in page and '<option value="gpt-4o">' in page and "Empty: gpt-4o" in page
    assert 'id="llm-status"' in page and "have not been checked yet" in page
    assert "/discover/llm-status" in page and "js/llm_status.js" in page


def test_the_beat_task_checks_the_models_and_the_banner_shows_it(settings, client, org):
    with FakeLLM(seeing(lambda messages: "{}")) as fake:
        with_model(settings, fake)
        lines = check_models()
    client.force_login(UserFactory(organization=org))

    fragment = client.get("/discover/llm-status").content.decode()
    page = client.get("/discover").content.decode()

    assert lines[0].startswith("OK   default model (skyvern-1.0") and fake.model in lines[0]
    assert "Model checked:" in fragment and 'data-ok="true"' in fragment and "takes images" in fragment
    assert "Checked at" in page and "takes images" in page  # the page is drawn with it; no model called
    assert len(fake.requests) == 1
    assert Client().get("/discover/llm-status").status_code == 302  # to the login page


def test_a_failing_model_turns_the_banner_into_a_warning(settings, client, org, capsys):
    configure(settings, {"SKYVERN_LLM_MODEL": "openai/local", "SKYVERN_LLM_API_BASE": dead_base_url()})
    with pytest.raises(CommandError):
        call_command("check_llm")
    client.force_login(UserFactory(organization=org))

    page = client.get("/discover").content.decode()

    assert 'class="banner banner-warn"' in page and "1 of 1 model not working." in page
    assert "unreachable" in page


# --- what a step says about its screenshot ----------------------------------------------------------


def test_the_run_page_and_the_live_events_say_whether_the_screenshot_was_sent(client, org):
    run = TaskRunFactory(organization=org)
    step = services.step_finish(
        step=StepFactory(run=run, order=0),
        status="completed",
        screenshots_sent=0,
        screenshot_note="not sent to openai/x: SKYVERN_LLM_VISION=off",
    )
    client.force_login(UserFactory(organization=org))

    page = client.get(f"/runs/{run.run_id}").content.decode()

    assert "No screenshot sent to the model: not sent to openai/x: SKYVERN_LLM_VISION=off" in page
    summary = presenters.step_summary(step, finished=True)
    assert (summary["screenshots_sent"], summary["screenshot_note"]) == (0, step.screenshot_note)


# --- the browser a run gets ----------------------------------------------------------------------------


def test_cdp_connect_attaches_runs_to_the_servers_browser(settings, tmp_path):
    env = {
        "BROWSER_TYPE": "cdp-connect",
        "CHROME_EXECUTABLE_PATH": "/usr/bin/chromium",
        "BROWSER_LOCALE": "de-DE",
    }
    configure(settings, env)
    settings.CHROME_PROFILE_DIR = tmp_path / "profile"

    config = browser_for(run_for())
    own = config.own_browser

    assert (own.cdp_url, own.executable, own.profile_dir) == (
        "http://127.0.0.1:9222",
        "/usr/bin/chromium",
        tmp_path / "profile",
    )
    assert str(own.profile_source).endswith("/.config/chromium")
    assert config.locale == "de-DE" and config.browser_address is None
    settings.SKYVERN_ALLOW_PRIVATE_HOSTS = []
    with_address = TaskRunFactory(request={"prompt": "p", "browser_address": "https://browser.example:9222"})
    assert browser_for(with_address).own_browser is None  # the request's browser wins


def test_a_headful_browser_without_a_display_fails_the_run_saying_so(settings, monkeypatch):
    configure(settings, {"BROWSER_TYPE": "chromium-headful"})
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)

    with pytest.raises(RunSetupError, match="BROWSER_TYPE=chromium-headful opens a browser window, but this"):
        browser_for(run_for())
    monkeypatch.setenv("DISPLAY", ":99")
    assert browser_for(run_for()).headless is False


def test_beat_checks_the_models_when_it_starts_and_then_on_schedule(settings, monkeypatch):
    from celery.signals import beat_init

    from skyvern_site.celery import app

    sent: list[str] = []
    monkeypatch.setattr(app, "send_task", lambda name, **options: sent.append(name))

    beat_init.send(sender=None)

    assert sent == ["runs.tasks.check_models"]
    entry = settings.CELERY_BEAT_SCHEDULE["check-models"]
    assert entry == {"task": "runs.tasks.check_models", "schedule": float(settings.SKYVERN_LLM_CHECK_SECONDS)}
