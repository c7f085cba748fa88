"""Skyvern's configuration names, read as aliases of this server's own settings.

A self-hosted Skyvern `.env` works here unchanged: `LLM_KEY` naming a known configuration, gated by
`ENABLE_<PROVIDER>` with that provider's variables, `SECONDARY_LLM_KEY`, `MAX_STEPS_PER_RUN`, `BROWSER_TYPE`,
`BROWSER_LOCALE`, `BROWSER_REMOTE_DEBUGGING_URL` and `CHROME_EXECUTABLE_PATH`. The `SKYVERN_*` names stay the
documented way and win when both are set.

`translate(environ)` returns the settings this module owns (see SETTINGS). A combination that cannot work
(an unknown key, an enabled provider without its variables, a bad browser type) raises ConfigError with one
line naming what to set; settings.py turns that into a non-zero exit before any process starts.

No Django or litellm here: settings import this module, and start-up must stay fast.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, MutableMapping
from pathlib import Path
from typing import Any

from skyvern_site.skyvern_providers import (
    EXAMPLE_KEYS,
    PROVIDER_OF_KEY,
    PROVIDERS,
    UNSUPPORTED_PREFIXES,
    Provider,
)

VISION_VALUES = {
    "auto": "auto",
    "on": "on",
    "off": "off",
    "true": "on",
    "false": "off",
    "1": "on",
    "0": "off",
}
BROWSER_TYPES = ("chromium-headless", "chromium-headful", "cdp-connect")
DEFAULT_CDP_URL = "http://127.0.0.1:9222"
# A local OpenAI-compatible server usually wants no key, but the OpenAI client refuses to send none.
NO_KEY = "no-key"

# The settings translate() returns; settings.py takes exactly these.
SETTINGS = (
    "SKYVERN_LLM_MODEL",
    "SKYVERN_LLM_API_BASE",
    "SKYVERN_LLM_API_KEY",
    "SKYVERN_LLM_API_VERSION",
    "SKYVERN_LLM_VISION",
    "SKYVERN_LLM_VISION_SOURCE",
    "SKYVERN_SECONDARY_LLM",
    "SKYVERN_LLM_CHOICES",
    "SKYVERN_DEFAULT_MAX_STEPS",
    "SKYVERN_MAX_STEPS_LIMIT",
    "CHROMIUM_PATH",
    "BROWSER_TYPE",
    "BROWSER_HEADLESS",
    "BROWSER_LOCALE",
    "BROWSER_TIMEZONE",
    "BROWSER_CDP_URL",
    "CHROME_EXECUTABLE_PATH",
    "CHROME_PROFILE_SOURCE",
)


class ConfigError(ValueError):
    """The configuration cannot work; the message is one line that says what to set."""


def _get(env: Mapping[str, str], name: str) -> str:
    return (env.get(name) or "").strip()


def _flag(env: Mapping[str, str], name: str, default: bool = False) -> bool:
    raw = _get(env, name).lower()
    if not raw:
        return default
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name}={env.get(name)!r} is not a boolean (use true/false)")


def _vision(env: Mapping[str, str], name: str) -> str:
    raw = _get(env, name).lower()
    if raw and raw not in VISION_VALUES:
        raise ConfigError(f"{name}={env.get(name)!r} must be auto, on or off")
    return VISION_VALUES.get(raw, "auto")


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = _get(env, name)
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not an integer") from None
    if value < 1:
        raise ConfigError(f"{name}={value} must be at least 1")
    return value


# --- models ----------------------------------------------------------------------------------------


def _check_enabled(env: Mapping[str, str]) -> list[Provider]:
    """The providers switched on; each must have its variables."""
    enabled = [provider for provider in PROVIDERS if _flag(env, provider.enable_var)]
    for provider in enabled:
        missing = [name for name in provider.required if not _get(env, name)]
        if missing:
            raise ConfigError(
                f"{provider.enable_var}=true needs {' and '.join(missing)}: set "
                f"{'them' if len(missing) > 1 else 'it'}, or set {provider.enable_var}=false"
            )
    return enabled


def _choice(env: Mapping[str, str], provider: Provider, key: str) -> dict[str, Any]:
    """One model a request may name, in the shape runs.selectors.llms reads."""
    if provider.models:
        model_id, declared = provider.models[key]
        vision, source = (
            ("on" if declared else "off"),
            f"{key} is known to {'take' if declared else 'refuse'} images",
        )
    else:
        model_id = _get(env, provider.model_var or "")
        vision, source = "auto", ""
        if provider.vision_var and _get(env, provider.vision_var):
            vision = "on" if _flag(env, provider.vision_var) else "off"
            source = f"{provider.vision_var}={_get(env, provider.vision_var)}"
    api_key = _get(env, provider.api_key) if provider.api_key else ""
    return {
        "name": model_id,
        "label": f"{model_id} ({provider.title}, {key})",
        "llm_key": key,
        "model": provider.prefix + model_id,
        "api_base": _get(env, provider.api_base) if provider.api_base else "",
        "api_key": api_key or (NO_KEY if provider.name == "OPENAI_COMPATIBLE" else ""),
        "api_version": _get(env, provider.api_version) if provider.api_version else "",
        "vision": vision,
        "vision_source": source,
    }


def _unknown_key(name: str, key: str, enabled: list[Provider]) -> ConfigError:
    for prefix, instead in UNSUPPORTED_PREFIXES.items():
        if key.startswith(prefix):
            return ConfigError(
                f"{name}={key}: this server does not read Skyvern's {prefix}* keys; set {instead}"
            )
    if enabled:
        offered = "one of " + ", ".join(k for provider in enabled for k in provider.keys)
    else:
        offered = "a key from the README's Coming from Skyvern table, e.g. " + ", ".join(EXAMPLE_KEYS)
    return ConfigError(f"{name}={key} is not a configuration this server knows; use {offered}")


def _by_key(env: Mapping[str, str], name: str, enabled: list[Provider]) -> dict[str, Any] | None:
    """The model `name` (LLM_KEY or SECONDARY_LLM_KEY) selects, checked against the enabled providers."""
    key = _get(env, name)
    if not key:
        return None
    provider = PROVIDER_OF_KEY.get(key)
    if provider is None:
        raise _unknown_key(name, key, enabled)
    if provider not in enabled:
        needs = " and ".join([f"{provider.enable_var}=true", *provider.required])
        raise ConfigError(f"{name}={key} needs {needs}")
    return _choice(env, provider, key)


def _offered(env: Mapping[str, str], enabled: list[Provider]) -> list[dict[str, Any]]:
    return [_choice(env, provider, key) for provider in enabled for key in provider.keys]


def _primary(env: Mapping[str, str], chosen: dict[str, Any] | None) -> dict[str, Any]:
    """SKYVERN_LLM_* when set (the project's names win), else what LLM_KEY chose."""
    own_model = _get(env, "SKYVERN_LLM_MODEL")
    vision = _vision(env, "SKYVERN_LLM_VISION")
    if own_model or chosen is None:
        return {
            "SKYVERN_LLM_MODEL": own_model,
            "SKYVERN_LLM_API_BASE": _get(env, "SKYVERN_LLM_API_BASE"),
            "SKYVERN_LLM_API_KEY": _get(env, "SKYVERN_LLM_API_KEY"),
            "SKYVERN_LLM_API_VERSION": _get(env, "SKYVERN_LLM_API_VERSION"),
            "SKYVERN_LLM_VISION": vision,
            "SKYVERN_LLM_VISION_SOURCE": f"SKYVERN_LLM_VISION={vision}" if vision != "auto" else "",
        }
    return {
        "SKYVERN_LLM_MODEL": chosen["model"],
        "SKYVERN_LLM_API_BASE": _get(env, "SKYVERN_LLM_API_BASE") or chosen["api_base"],
        "SKYVERN_LLM_API_KEY": _get(env, "SKYVERN_LLM_API_KEY") or chosen["api_key"],
        "SKYVERN_LLM_API_VERSION": chosen["api_version"],
        # SKYVERN_LLM_VISION=on/off overrides what the provider declares; auto keeps the declaration.
        "SKYVERN_LLM_VISION": vision if vision != "auto" else chosen["vision"],
        "SKYVERN_LLM_VISION_SOURCE": f"SKYVERN_LLM_VISION={vision}"
        if vision != "auto"
        else chosen["vision_source"],
    }


def _secondary(env: Mapping[str, str], chosen: dict[str, Any] | None) -> dict[str, Any] | None:
    own_model = _get(env, "SKYVERN_SECONDARY_LLM_MODEL")
    if not own_model:
        return chosen
    return {
        "name": own_model,
        "label": own_model,
        "llm_key": "",
        "model": own_model,
        "api_base": _get(env, "SKYVERN_SECONDARY_LLM_API_BASE") or _get(env, "SKYVERN_LLM_API_BASE"),
        "api_key": _get(env, "SKYVERN_SECONDARY_LLM_API_KEY") or _get(env, "SKYVERN_LLM_API_KEY"),
        "api_version": "",
        "vision": _vision(env, "SKYVERN_LLM_VISION"),
        "vision_source": "SKYVERN_LLM_VISION" if _vision(env, "SKYVERN_LLM_VISION") != "auto" else "",
    }


def llm_settings(env: Mapping[str, str]) -> dict[str, Any]:
    enabled = _check_enabled(env)
    primary = _primary(env, _by_key(env, "LLM_KEY", enabled))
    return {
        **primary,
        "SKYVERN_SECONDARY_LLM": _secondary(env, _by_key(env, "SECONDARY_LLM_KEY", enabled)),
        "SKYVERN_LLM_CHOICES": _offered(env, enabled),
    }


# --- steps and browser ---------------------------------------------------------------------------


def steps_settings(env: Mapping[str, str]) -> dict[str, Any]:
    default = _int(env, "SKYVERN_DEFAULT_MAX_STEPS", 0) or _int(env, "MAX_STEPS_PER_RUN", 10)
    # A Skyvern user's MAX_STEPS_PER_RUN above this server's usual ceiling raises the ceiling with it.
    limit = _int(env, "SKYVERN_MAX_STEPS_LIMIT", max(75, default))
    return {"SKYVERN_DEFAULT_MAX_STEPS": default, "SKYVERN_MAX_STEPS_LIMIT": limit}


def default_profile_dir(executable: str) -> str:
    """Where the browser at `executable` keeps its default profile (Linux and macOS layouts)."""
    home = os.path.expanduser("~")
    lowered = executable.lower()
    if "/applications/" in lowered:
        folder = "Chromium" if "chromium" in lowered else "Google/Chrome"
        return os.path.join(home, "Library", "Application Support", folder)
    return os.path.join(home, ".config", "chromium" if "chromium" in lowered else "google-chrome")


def _has_display(env: Mapping[str, str]) -> bool:
    return sys.platform == "darwin" or bool(_get(env, "DISPLAY") or _get(env, "WAYLAND_DISPLAY"))


def browser_settings(env: Mapping[str, str]) -> dict[str, Any]:
    kind = _get(env, "BROWSER_TYPE") or "chromium-headless"
    if kind not in BROWSER_TYPES:
        raise ConfigError(
            f"BROWSER_TYPE={kind} is not a browser type this server runs; use one of: {', '.join(BROWSER_TYPES)}"
        )
    chrome = _get(env, "CHROME_EXECUTABLE_PATH")
    # chromium-headful shows a window; cdp-connect starts the user's browser with one when there is a display.
    windowed = kind == "chromium-headful" or (kind == "cdp-connect" and _has_display(env))
    headless = _flag(env, "BROWSER_HEADLESS", default=not windowed)
    return {
        "BROWSER_TYPE": kind,
        "CHROMIUM_PATH": _get(env, "CHROMIUM_PATH") or chrome or "/usr/bin/chromium",
        "BROWSER_HEADLESS": headless,
        "BROWSER_LOCALE": _get(env, "BROWSER_LOCALE"),
        "BROWSER_TIMEZONE": _get(env, "BROWSER_TIMEZONE"),
        "BROWSER_CDP_URL": (_get(env, "BROWSER_REMOTE_DEBUGGING_URL") or DEFAULT_CDP_URL)
        if kind == "cdp-connect"
        else "",
        "CHROME_EXECUTABLE_PATH": chrome if kind == "cdp-connect" else "",
        "CHROME_PROFILE_SOURCE": _get(env, "CHROME_PROFILE_SOURCE")
        or (default_profile_dir(chrome) if chrome else ""),
    }


def translate(env: Mapping[str, str]) -> dict[str, Any]:
    """Every setting in SETTINGS, from the project's names first and Skyvern's second."""
    return {**llm_settings(env), **steps_settings(env), **browser_settings(env)}


def load_env_file(path: Path, environ: MutableMapping[str, str] = os.environ) -> list[str]:
    """Read `path` (KEY=VALUE lines, as a Skyvern install's `.env`) into `environ` without overriding what is
    set already; returns the names it set. Comments, blank lines, `export ` and quotes are understood."""
    if not path.is_file():
        return []
    loaded = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip().removeprefix("export ").strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        name, value = (part.strip() for part in line.split("=", 1))
        if value[:1] in ("'", '"') and value.count(value[0]) >= 2:
            value = value[1 : value.index(value[0], 1)]
        else:
            value = value.split(" #", 1)[0].strip()
        if name and name not in environ:
            environ[name] = value
            loaded.append(name)
    return loaded


def settings_or_exit(env: Mapping[str, str]) -> dict[str, Any]:
    """translate(), or stop the process with one line on stderr (settings.py calls it)."""
    try:
        return translate(env)
    except ConfigError as exc:
        raise SystemExit(f"Configuration error: {exc}") from None
