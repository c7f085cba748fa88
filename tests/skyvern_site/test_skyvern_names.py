"""A Skyvern `.env` read as aliases of this server's settings; a combination that cannot work stops start-up."""

import subprocess
import sys
from pathlib import Path

import pytest

from skyvern_site.skyvern_names import SETTINGS, ConfigError, load_env_file, settings_or_exit, translate

REPO = Path(__file__).resolve().parents[2]
COMPATIBLE = {
    "ENABLE_OPENAI_COMPATIBLE": "true",
    "OPENAI_COMPATIBLE_MODEL_NAME": "qwen2.5-vl",
    "OPENAI_COMPATIBLE_API_BASE": "http://gpu-box:8000/v1",
    "OPENAI_COMPATIBLE_API_KEY": "sk-local",
    "LLM_KEY": "OPENAI_COMPATIBLE",
}


def test_skyverns_names_alone_choose_the_model_its_endpoint_and_key() -> None:
    settings = translate(COMPATIBLE)

    assert settings["SKYVERN_LLM_MODEL"] == "openai/qwen2.5-vl"
    assert settings["SKYVERN_LLM_API_BASE"] == "http://gpu-box:8000/v1"
    assert settings["SKYVERN_LLM_API_KEY"] == "sk-local"
    assert settings["SKYVERN_LLM_VISION"] == "auto"  # nothing declared: the worker's image probe decides
    assert [c["name"] for c in settings["SKYVERN_LLM_CHOICES"]] == ["qwen2.5-vl"]


def test_a_providers_vision_declaration_is_the_models_vision_setting() -> None:
    settings = translate({**COMPATIBLE, "OPENAI_COMPATIBLE_SUPPORTS_VISION": "true"})

    assert settings["SKYVERN_LLM_VISION"] == "on"
    assert settings["SKYVERN_LLM_VISION_SOURCE"] == "OPENAI_COMPATIBLE_SUPPORTS_VISION=true"
    assert translate({**COMPATIBLE, "SKYVERN_LLM_VISION": "off"})["SKYVERN_LLM_VISION_SOURCE"] == (
        "SKYVERN_LLM_VISION=off"
    )


def test_the_projects_own_names_win_over_skyverns() -> None:
    settings = translate({**COMPATIBLE, "SKYVERN_LLM_MODEL": "openai/gpt-4o", "SKYVERN_LLM_API_BASE": ""})

    assert settings["SKYVERN_LLM_MODEL"] == "openai/gpt-4o"
    assert settings["SKYVERN_LLM_API_BASE"] == ""


def test_a_hosted_providers_keys_map_to_litellm_models() -> None:
    env = {"ENABLE_OPENAI": "true", "OPENAI_API_KEY": "sk-x", "LLM_KEY": "OPENAI_GPT4O_MINI"}
    env |= {"ENABLE_OLLAMA": "true", "OLLAMA_SERVER_URL": "http://127.0.0.1:11434", "OLLAMA_MODEL": "llava"}
    env |= {"OLLAMA_SUPPORTS_VISION": "true", "SECONDARY_LLM_KEY": "OLLAMA"}
    settings = translate(env)

    assert (settings["SKYVERN_LLM_MODEL"], settings["SKYVERN_LLM_API_KEY"]) == ("openai/gpt-4o-mini", "sk-x")
    assert settings["SKYVERN_LLM_VISION"] == "on"  # gpt-4o-mini is known to take images
    secondary = settings["SKYVERN_SECONDARY_LLM"]
    assert (secondary["model"], secondary["api_base"], secondary["vision"]) == (
        "ollama/llava",
        "http://127.0.0.1:11434",
        "on",
    )
    names = [c["llm_key"] for c in settings["SKYVERN_LLM_CHOICES"]]
    assert "OPENAI_GPT4_1" in names and "OLLAMA" in names


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {"LLM_KEY": "OPENAI_GPT9"},
            "LLM_KEY=OPENAI_GPT9 is not a configuration this server knows; use a key",
        ),
        (
            {"ENABLE_OPENAI": "true", "OPENAI_API_KEY": "k", "LLM_KEY": "GPT4"},
            "LLM_KEY=GPT4 is not a configuration this server knows; use one of OPENAI_GPT4O,",
        ),
        ({"LLM_KEY": "OPENAI_GPT4O"}, "LLM_KEY=OPENAI_GPT4O needs ENABLE_OPENAI=true and OPENAI_API_KEY"),
        (
            {"ENABLE_OPENAI_COMPATIBLE": "true", "OPENAI_COMPATIBLE_MODEL_NAME": "m"},
            "ENABLE_OPENAI_COMPATIBLE=true needs OPENAI_COMPATIBLE_API_BASE: set it",
        ),
        ({"ENABLE_AZURE": "yes please"}, "ENABLE_AZURE='yes please' is not a boolean"),
        ({"LLM_KEY": "BEDROCK_ANTHROPIC_CLAUDE3.5_SONNET"}, "set SKYVERN_LLM_MODEL=bedrock/<model id>"),
        ({**COMPATIBLE, "SECONDARY_LLM_KEY": "NOPE"}, "SECONDARY_LLM_KEY=NOPE is not a configuration"),
        ({"BROWSER_TYPE": "firefox"}, "BROWSER_TYPE=firefox is not a browser type this server runs"),
        ({"OPENAI_COMPATIBLE_SUPPORTS_VISION": "x", **COMPATIBLE}, "is not a boolean"),
        ({"SKYVERN_LLM_VISION": "maybe"}, "SKYVERN_LLM_VISION='maybe' must be auto, on or off"),
    ],
)
def test_a_configuration_that_cannot_work_says_what_to_set(env, message) -> None:
    with pytest.raises(ConfigError) as error:
        translate(env)

    assert message in str(error.value)
    assert "\n" not in str(error.value)


def test_max_steps_per_run_is_the_default_and_raises_the_ceiling_with_it() -> None:
    assert translate({"MAX_STEPS_PER_RUN": "30"})["SKYVERN_DEFAULT_MAX_STEPS"] == 30
    assert translate({"MAX_STEPS_PER_RUN": "100"})["SKYVERN_MAX_STEPS_LIMIT"] == 100
    own = translate({"MAX_STEPS_PER_RUN": "30", "SKYVERN_DEFAULT_MAX_STEPS": "5"})
    assert (own["SKYVERN_DEFAULT_MAX_STEPS"], own["SKYVERN_MAX_STEPS_LIMIT"]) == (5, 75)


def test_browser_types() -> None:
    assert translate({})["BROWSER_HEADLESS"] is True
    assert translate({"BROWSER_TYPE": "chromium-headful"})["BROWSER_HEADLESS"] is False
    assert translate({"BROWSER_LOCALE": "de-DE"})["BROWSER_LOCALE"] == "de-DE"
    cdp = translate({"BROWSER_TYPE": "cdp-connect"})
    assert cdp["BROWSER_CDP_URL"] == "http://127.0.0.1:9222" and cdp["CHROME_EXECUTABLE_PATH"] == ""
    own = translate(
        {
            "BROWSER_TYPE": "cdp-connect",
            "BROWSER_REMOTE_DEBUGGING_URL": "http://127.0.0.1:9333",
            "CHROME_EXECUTABLE_PATH": "/opt/google/chrome/chrome",
        }
    )
    assert own["BROWSER_CDP_URL"] == "http://127.0.0.1:9333"
    assert own["CHROME_EXECUTABLE_PATH"] == "/opt/google/chrome/chrome"
    assert own["CHROME_PROFILE_SOURCE"].endswith("/.config/google-chrome")


def test_a_bad_configuration_ends_the_process_with_one_line() -> None:
    with pytest.raises(SystemExit) as stop:
        settings_or_exit({"LLM_KEY": "NOPE"})

    assert str(stop.value.code).startswith("Configuration error: LLM_KEY=NOPE is not a configuration")


def test_an_unknown_llm_key_stops_start_up_with_the_message() -> None:
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(REPO / "var"),
        "LLM_KEY": "OPENAI_GPT9",
        "SKYVERN_VAR_DIR": str(REPO / "var"),
    }
    done = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=REPO, env=env, capture_output=True, text=True, timeout=60
    )

    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.strip().splitlines() == [
        "Configuration error: LLM_KEY=OPENAI_GPT9 is not a configuration this server knows; use a key from the "
        "README's Coming from Skyvern table, e.g. OPENAI_GPT4O, ANTHROPIC_CLAUDE4.5_SONNET, GEMINI_2.5_PRO, "
        "AZURE_OPENAI, OLLAMA, OPENAI_COMPATIBLE"
    ]


def test_a_skyvern_env_file_is_read_without_overriding_the_environment(tmp_path) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text(
        "# Skyvern\n"
        "ENABLE_OPENAI_COMPATIBLE=true\n"
        "export OPENAI_COMPATIBLE_MODEL_NAME='qwen2.5-vl'\n"
        'CHROME_EXECUTABLE_PATH="/Applications/Google Chrome.app/Contents/MacOS/Google Chrome"\n'
        "BROWSER_TYPE=cdp-connect  # attach to my Chrome\n"
        "LLM_KEY=OPENAI_COMPATIBLE\n"
    )
    environ = {"LLM_KEY": "OPENAI_GPT4O"}

    loaded = load_env_file(dotenv, environ)

    assert loaded == [
        "ENABLE_OPENAI_COMPATIBLE",
        "OPENAI_COMPATIBLE_MODEL_NAME",
        "CHROME_EXECUTABLE_PATH",
        "BROWSER_TYPE",
    ]
    assert environ["OPENAI_COMPATIBLE_MODEL_NAME"] == "qwen2.5-vl"
    assert environ["CHROME_EXECUTABLE_PATH"] == "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome"
    assert environ["BROWSER_TYPE"] == "cdp-connect" and environ["LLM_KEY"] == "OPENAI_GPT4O"
    assert load_env_file(tmp_path / "missing", environ) == []


def test_it_returns_exactly_the_settings_it_declares() -> None:
    assert (
        set(translate({})) == set(SETTINGS) == set(translate({**COMPATIBLE, "BROWSER_TYPE": "cdp-connect"}))
    )
