"""Which engines this server runs: whatever the agent has registered (agent.engines), never a list here;
and the model settings of the engines that bring their own provider (openai-cua, anthropic-cua, ui-tars)."""

from typing import Any

from django.conf import settings

from agent import AgentTask, LLMClient, LLMConfig, NullSink
from agent.engines import engine_for, engine_names
from agent.loop.state import RunState

# Engine → the prefix of its SKYVERN_<X>_MODEL / _API_BASE / _API_KEY settings. Engines not listed use the
# main model (SKYVERN_LLM_*).
OWN_PROVIDER_SETTINGS = {
    "openai-cua": "SKYVERN_OPENAI_CUA",
    "anthropic-cua": "SKYVERN_ANTHROPIC_CUA",
    "ui-tars": "SKYVERN_UI_TARS",
}


def engines_supported() -> frozenset[str]:
    return frozenset(engine_names())


def engine_llm_config(*, engine: str, model_name: str | None = None, **options: Any) -> LLMConfig | None:
    """The engine's own model settings (`model_name` overrides the model); None when it uses the main one."""
    prefix = OWN_PROVIDER_SETTINGS.get(engine)
    if prefix is None:
        return None
    engine_options = {"coordinates": settings.SKYVERN_UI_TARS_COORDINATES} if engine == "ui-tars" else {}
    return LLMConfig(
        model=model_name or getattr(settings, f"{prefix}_MODEL") or None,
        api_base=getattr(settings, f"{prefix}_API_BASE") or None,
        api_key=getattr(settings, f"{prefix}_API_KEY") or None,
        engine_options=engine_options,
        **options,
    )


def engine_setup_problem(*, engine: str) -> str | None:
    """Why an engine with its own provider cannot run with this server's settings (its preflight says
    which variable to set), or None."""
    config = engine_llm_config(engine=engine)
    if config is None or engine not in engines_supported():
        return None
    state = RunState(task=AgentTask(prompt="(configuration check)"), llm=LLMClient(config), sink=NullSink())
    return engine_for(engine).preflight(state)
