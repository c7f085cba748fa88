"""Whether a model gets the page's screenshots, decided once and said in every step's diagnostics.

1. The setting, when it says on or off (SKYVERN_LLM_VISION, Skyvern's OLLAMA_/OPENAI_COMPATIBLE_SUPPORTS_VISION,
   or what a Skyvern LLM_KEY is known to take);
2. else what litellm's model map declares for the model;
3. else one tiny image probe (agent.llm_check.probe_vision), sent by the worker at start-up
   (`probe_configured`) and remembered for the process. A probe that got no answer is tried again at most
   every RETRY_AFTER_S, so a worker started before its model server still learns the answer.

A model nobody probed (a request naming a model this server does not list) gets no screenshots, and the
step says so and which setting to change.
"""

from __future__ import annotations

import asyncio
import logging
import time

from agent import LLMConfig
from agent.llm import declared_vision
from agent.llm_check import probe_vision
from runs import selectors
from runs.selectors import ModelChoice

log = logging.getLogger(__name__)
RETRY_AFTER_S = 300
NOT_PROBED = "litellm does not know the model and no image probe ran for it (set SKYVERN_LLM_VISION=on if it takes images)"

# (model, api_base) -> (takes images or None when the probe could not tell, what it found, when)
_probed: dict[tuple[str, str], tuple[bool | None, str, float]] = {}


def _key(choice: ModelChoice) -> tuple[str, str]:
    return choice.model, choice.api_base


def vision_declared(choice: ModelChoice) -> tuple[bool, str] | None:
    """(takes images, why) from settings or litellm's map, without a call; None when only a probe can tell."""
    if choice.vision in ("on", "off"):
        return choice.vision == "on", choice.vision_source or f"vision is set {choice.vision}"
    declared = declared_vision(choice.model)
    if declared is None:
        return None
    return declared, f"litellm's model map says it {'takes' if declared else 'does not take'} images"


def config_for(choice: ModelChoice, *, vision: bool | None = None, **options: object) -> LLMConfig:
    """The agent's LLMConfig for `choice`; `options` are a run's model knobs (temperature, max_tokens...)."""
    return LLMConfig(
        model=choice.model,
        api_base=choice.api_base or None,
        api_key=choice.api_key or None,
        api_version=choice.api_version or None,
        vision=vision,
        **options,
    )


def _probe(choice: ModelChoice) -> tuple[bool | None, str]:
    result = asyncio.run(probe_vision(config_for(choice)))
    _probed[_key(choice)] = (result.takes_images, result.detail, time.monotonic())
    return result.takes_images, result.detail


def vision_for(choice: ModelChoice) -> tuple[bool, str]:
    """(send screenshots, why), for the model a run is about to use."""
    declared = vision_declared(choice)
    if declared is not None:
        return declared
    remembered = _probed.get(_key(choice))
    if remembered is None:
        return False, NOT_PROBED
    answer, detail, when = remembered
    if answer is None and time.monotonic() - when > RETRY_AFTER_S:
        answer, detail = _probe(choice)
    if answer is None:
        return False, f"the image probe could not tell: {detail}"
    return answer, f"image probe: the model {detail}"


def llm_config_for(choice: ModelChoice | None, **options: object) -> LLMConfig:
    """The LLMConfig a run uses for `choice` (None: no model configured), vision decided and explained."""
    if choice is None:
        return LLMConfig(model=None, **options)
    vision, why = vision_for(choice)
    config = config_for(choice, vision=vision, **options)
    config.vision_source = why
    return config


def probe_configured() -> list[str]:
    """Probe every configured model whose vision only a probe can tell (a worker's start-up); one line each."""
    lines = []
    candidates = [selectors.model_primary(), selectors.model_secondary(), *selectors.models_offered()]
    for choice in candidates:
        if choice is None or _key(choice) in _probed or vision_declared(choice) is not None:
            continue
        answer, detail = _probe(choice)
        verdict = {True: "takes images", False: "takes no images", None: "unknown"}[answer]
        lines.append(f"vision of {choice.model}: {verdict} ({detail})")
    return lines


def forget_probes() -> None:
    """Tests start from a worker that has probed nothing."""
    _probed.clear()
