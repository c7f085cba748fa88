"""Engines, by their public names: the host asks `engine_names()` what it can run and `engine_for(name)`
for one. One module per engine behind the protocol in `base`; add a new one to ENGINES."""

from __future__ import annotations

from agent.engines.anthropic_cua import AnthropicCua
from agent.engines.base import Driver, Engine, StepBody
from agent.engines.openai_cua import OpenAICua
from agent.engines.skyvern_v1 import SkyvernV1
from agent.engines.skyvern_v2 import SkyvernV2
from agent.engines.ui_tars import UiTars

DEFAULT_ENGINE = "skyvern-1.0"  # run_agent's default, kept for hosts written before engines existed
ENGINES: dict[str, type] = {
    engine.name: engine for engine in (SkyvernV1, SkyvernV2, OpenAICua, AnthropicCua, UiTars)
}


class UnknownEngine(ValueError):
    """No engine is registered under that name."""


def engine_names() -> tuple[str, ...]:
    """The public names of every engine this agent can run."""
    return tuple(ENGINES)


def engine_for(name: str | None) -> Engine:
    engine = ENGINES.get(name or DEFAULT_ENGINE)
    if engine is None:
        raise UnknownEngine(f"Unknown engine {name!r}; this agent runs: {', '.join(ENGINES)}")
    return engine()


__all__ = [
    "DEFAULT_ENGINE",
    "ENGINES",
    "Driver",
    "Engine",
    "StepBody",
    "UnknownEngine",
    "engine_for",
    "engine_names",
]
