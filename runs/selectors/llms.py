"""The models this server is configured with, from settings (skyvern_site/skyvern_names.py fills them):
what GET /api/v1/models lists, what a request's `model.model_name` may name, and what a name resolves to.

- primary: SKYVERN_LLM_MODEL (or what Skyvern's LLM_KEY chose), the model runs use by default;
- secondary: SKYVERN_SECONDARY_LLM_MODEL or Skyvern's SECONDARY_LLM_KEY, for the small helper calls;
- offered: every model of the Skyvern providers switched on (ENABLE_<PROVIDER>).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from django.conf import settings

from runs.models import Organization

Vision = Literal["auto", "on", "off"]


@dataclass(frozen=True)
class ModelChoice:
    name: str  # what model.model_name says, and what /api/v1/models lists
    label: str
    model: str  # litellm's model string
    api_base: str = ""
    api_key: str = ""
    api_version: str = ""
    vision: Vision = "auto"  # auto: the provider's declaration, else the start-up image probe
    vision_source: str = ""  # the setting that decided, when one did
    llm_key: str = ""  # Skyvern's name for it (LLM_KEY), when it has one

    def matches(self, name: str) -> bool:
        return name in (self.name, self.llm_key, self.model)


def _from_settings(entry: dict[str, Any]) -> ModelChoice:
    return ModelChoice(**{key: entry[key] for key in ModelChoice.__dataclass_fields__ if entry.get(key)})


def _offered() -> list[ModelChoice]:
    return [_from_settings(entry) for entry in getattr(settings, "SKYVERN_LLM_CHOICES", [])]


def model_primary() -> ModelChoice | None:
    """The default model, or None when none is configured."""
    model = settings.SKYVERN_LLM_MODEL
    if not model:
        return None
    known = next((choice for choice in _offered() if choice.model == model), None)
    return ModelChoice(
        name=known.name if known else model,
        label=known.label if known else model,
        model=model,
        api_base=settings.SKYVERN_LLM_API_BASE,
        api_key=settings.SKYVERN_LLM_API_KEY,
        api_version=getattr(settings, "SKYVERN_LLM_API_VERSION", ""),
        vision=getattr(settings, "SKYVERN_LLM_VISION", "auto"),
        vision_source=getattr(settings, "SKYVERN_LLM_VISION_SOURCE", ""),
        llm_key=known.llm_key if known else "",
    )


def model_secondary() -> ModelChoice | None:
    entry = getattr(settings, "SKYVERN_SECONDARY_LLM", None)
    return _from_settings(entry) if entry else None


def models_offered() -> list[ModelChoice]:
    """Every model a request may name, the default first, each name once."""
    seen: set[str] = set()
    offered = []
    for choice in (model_primary(), model_secondary(), *_offered()):
        if choice is not None and choice.name not in seen:
            seen.add(choice.name)
            offered.append(choice)
    return offered


def model_resolve(*, name: str | None, organization: Organization | None = None) -> ModelChoice | None:
    """The model a run uses: the request's model_name, else the organization's default, else the primary.

    A name this server does not list is taken as litellm's own model string on the primary's endpoint, so
    any model the endpoint serves can still be asked for.
    """
    wanted = (name or (organization.default_model if organization else "") or "").strip()
    if not wanted:
        return model_primary()
    found = next((choice for choice in models_offered() if choice.matches(wanted)), None)
    if found is not None:
        return found
    primary = model_primary()
    return ModelChoice(
        name=wanted,
        label=wanted,
        model=wanted,
        api_base=primary.api_base if primary else settings.SKYVERN_LLM_API_BASE,
        api_key=primary.api_key if primary else settings.SKYVERN_LLM_API_KEY,
    )
