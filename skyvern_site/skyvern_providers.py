"""Skyvern's LLM providers as its documentation names them: the switch (ENABLE_<PROVIDER>), the variables each
needs, and the LLM_KEY values each offers, with the litellm model each maps to (skyvern_site/skyvern_names.py
reads them)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Provider:
    """One of Skyvern's LLM providers: its switch, the variables it needs and the keys it offers.

    `models` maps an LLM_KEY to (model id, takes images). Providers serving the one model a variable names
    (Ollama, OpenAI-compatible...) have `model_var` and `key` instead.
    """

    name: str
    title: str
    prefix: str  # litellm's provider prefix
    required: tuple[str, ...]
    api_key: str | None = None
    api_base: str | None = None
    api_version: str | None = None
    vision_var: str | None = None
    model_var: str | None = None
    key: str = ""
    models: dict[str, tuple[str, bool]] = field(default_factory=dict)

    @property
    def enable_var(self) -> str:
        return f"ENABLE_{self.name}"

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(self.models) if self.models else (self.key or self.name,)


PROVIDERS = (
    Provider(
        "OPENAI",
        "OpenAI",
        "openai/",
        required=("OPENAI_API_KEY",),
        api_key="OPENAI_API_KEY",
        api_base="OPENAI_API_BASE",
        models={
            "OPENAI_GPT4O": ("gpt-4o", True),
            "OPENAI_GPT4O_MINI": ("gpt-4o-mini", True),
            "OPENAI_GPT4_1": ("gpt-4.1", True),
            "OPENAI_GPT4_1_MINI": ("gpt-4.1-mini", True),
            "OPENAI_GPT4_1_NANO": ("gpt-4.1-nano", True),
            "OPENAI_GPT4_TURBO": ("gpt-4-turbo", True),
            "OPENAI_GPT4V": ("gpt-4-turbo", True),
            "OPENAI_O3": ("o3", True),
            "OPENAI_O3_MINI": ("o3-mini", False),
            "OPENAI_O4_MINI": ("o4-mini", True),
            "OPENAI_GPT5": ("gpt-5", True),
            "OPENAI_GPT5_MINI": ("gpt-5-mini", True),
            "OPENAI_GPT5_NANO": ("gpt-5-nano", True),
            "OPENAI_GPT5_1": ("gpt-5.1", True),
            "OPENAI_GPT5_2": ("gpt-5.2", True),
        },
    ),
    Provider(
        "ANTHROPIC",
        "Anthropic",
        "anthropic/",
        required=("ANTHROPIC_API_KEY",),
        api_key="ANTHROPIC_API_KEY",
        models={
            "ANTHROPIC_CLAUDE3.5_SONNET": ("claude-3-5-sonnet-latest", True),
            "ANTHROPIC_CLAUDE3.5_HAIKU": ("claude-3-5-haiku-latest", True),
            "ANTHROPIC_CLAUDE3.7_SONNET": ("claude-3-7-sonnet-latest", True),
            "ANTHROPIC_CLAUDE4_SONNET": ("claude-sonnet-4-20250514", True),
            "ANTHROPIC_CLAUDE4_OPUS": ("claude-opus-4-20250514", True),
            "ANTHROPIC_CLAUDE4.5_SONNET": ("claude-sonnet-4-5", True),
            "ANTHROPIC_CLAUDE4.5_HAIKU": ("claude-haiku-4-5", True),
            "ANTHROPIC_CLAUDE4.5_OPUS": ("claude-opus-4-5", True),
            "ANTHROPIC_CLAUDE4.6_OPUS": ("claude-opus-4-6", True),
        },
    ),
    Provider(
        "GEMINI",
        "Google Gemini",
        "gemini/",
        required=("GEMINI_API_KEY",),
        api_key="GEMINI_API_KEY",
        models={
            "GEMINI_FLASH_2_0": ("gemini-2.0-flash", True),
            "GEMINI_FLASH_2_0_LITE": ("gemini-2.0-flash-lite", True),
            "GEMINI_2.5_PRO": ("gemini-2.5-pro", True),
            "GEMINI_2.5_FLASH": ("gemini-2.5-flash", True),
            "GEMINI_2.5_FLASH_LITE": ("gemini-2.5-flash-lite", True),
            "GEMINI_3_PRO": ("gemini-3-pro-preview", True),
            "GEMINI_3.0_FLASH": ("gemini-3-flash-preview", True),
        },
    ),
    Provider(
        "AZURE",
        "Azure OpenAI",
        "azure/",
        required=("AZURE_DEPLOYMENT", "AZURE_API_KEY", "AZURE_API_BASE", "AZURE_API_VERSION"),
        api_key="AZURE_API_KEY",
        api_base="AZURE_API_BASE",
        api_version="AZURE_API_VERSION",
        model_var="AZURE_DEPLOYMENT",
        key="AZURE_OPENAI",
    ),
    Provider(
        "OLLAMA",
        "Ollama",
        "ollama/",
        required=("OLLAMA_SERVER_URL", "OLLAMA_MODEL"),
        api_base="OLLAMA_SERVER_URL",
        vision_var="OLLAMA_SUPPORTS_VISION",
        model_var="OLLAMA_MODEL",
    ),
    Provider(
        "OPENAI_COMPATIBLE",
        "OpenAI-compatible",
        "openai/",
        required=("OPENAI_COMPATIBLE_MODEL_NAME", "OPENAI_COMPATIBLE_API_BASE"),
        api_key="OPENAI_COMPATIBLE_API_KEY",
        api_base="OPENAI_COMPATIBLE_API_BASE",
        api_version="OPENAI_COMPATIBLE_API_VERSION",
        vision_var="OPENAI_COMPATIBLE_SUPPORTS_VISION",
        model_var="OPENAI_COMPATIBLE_MODEL_NAME",
    ),
    Provider(
        "OPENROUTER",
        "OpenRouter",
        "openrouter/",
        required=("OPENROUTER_API_KEY", "OPENROUTER_MODEL"),
        api_key="OPENROUTER_API_KEY",
        api_base="OPENROUTER_API_BASE",
        model_var="OPENROUTER_MODEL",
    ),
    Provider(
        "GROQ",
        "Groq",
        "groq/",
        required=("GROQ_API_KEY", "GROQ_MODEL"),
        api_key="GROQ_API_KEY",
        model_var="GROQ_MODEL",
    ),
)
PROVIDER_OF_KEY = {key: provider for provider in PROVIDERS for key in provider.keys}
EXAMPLE_KEYS = (
    "OPENAI_GPT4O",
    "ANTHROPIC_CLAUDE4.5_SONNET",
    "GEMINI_2.5_PRO",
    "AZURE_OPENAI",
    "OLLAMA",
    "OPENAI_COMPATIBLE",
)
# Families Skyvern documents that this server reaches through litellm's own names instead.
UNSUPPORTED_PREFIXES = {
    "BEDROCK_": "SKYVERN_LLM_MODEL=bedrock/<model id> with the AWS_* variables",
    "VERTEX_": "SKYVERN_LLM_MODEL=vertex_ai/<model> with the VERTEX_* / GOOGLE_* variables",
    "VOLCENGINE_": "SKYVERN_LLM_MODEL=volcengine/<model> with VOLCENGINE_API_KEY",
}
