"""The body of POST /v1/run/tasks (also what the Discover form builds): types only, unknown fields refused.

What a value means is checked by runs.services.run_requests; the API's schemas re-export these.
"""

import json
from typing import Any

from django.conf import settings
from ninja import Schema
from pydantic import ConfigDict, Field, field_validator

from runs.choices import ProxyLocation, RunEngine


class GeoTarget(Schema):
    model_config = ConfigDict(extra="forbid")

    country: str = Field(min_length=2, max_length=2, description="ISO 3166-1 alpha-2 code, e.g. GB")
    subdivision: str | None = Field(default=None, max_length=10)
    city: str | None = Field(default=None, max_length=100)


# The TS SDK spells engines with underscores; both spellings mean the same engine.
ENGINE_ALIASES = {
    "skyvern_v2": RunEngine.SKYVERN_V2,
    "skyvern_v1": RunEngine.SKYVERN_V1,
    "openai_cua": RunEngine.OPENAI_CUA,
    "anthropic_cua": RunEngine.ANTHROPIC_CUA,
    "ui_tars": RunEngine.UI_TARS,
}


# Free-form fields, each capped in size (the prompt has its own limit in characters).
JSON_FIELDS = (
    "url", "title", "proxy_location", "data_extraction_schema", "error_code_mapping", "webhook_url",
    "totp_identifier", "totp_url", "model", "extra_http_headers", "cdp_connect_headers", "browser_address",
    "user_agent", "script_parameters",
)  # fmt: skip


class TaskRunRequest(Schema):
    """The body of POST /v1/run/tasks. Fields a newer client sends that this server does not know are
    ignored (and named in the answer's `x-skyvern-ignored-fields` header), so a new SDK never breaks."""

    model_config = ConfigDict(extra="ignore")

    prompt: str = Field(description="The goal of the task, in plain language")
    url: str | None = Field(default=None, description="Starting URL; https:// is added when it has no scheme")
    engine: RunEngine | None = Field(
        default=None, description="Defaults to the server's SKYVERN_DEFAULT_ENGINE"
    )
    title: str | None = None
    proxy_location: ProxyLocation | GeoTarget | dict[str, Any] | None = Field(
        default=None,
        description='A proxy name configured on this server, a GeoTarget, or {"url": "http://user:pass@host:port"}',
    )
    data_extraction_schema: dict[str, Any] | list[Any] | str | None = Field(
        default=None, description="A JSON Schema (object, array, or a string holding JSON)"
    )
    error_code_mapping: dict[str, str | None] | list[dict[str, Any]] | None = Field(
        default=None,
        description='{"code": "description"}, or a list of {"code": ..., "description": ...} or {"code": "description"}',
    )
    max_steps: int | None = Field(default=None, description="Bounded by the server's SKYVERN_MAX_STEPS_LIMIT")
    webhook_url: str | None = None
    totp_identifier: str | None = Field(
        default=None,
        description="Without totp_url: the run waits for codes pushed to POST /v1/credentials/totp",
    )
    totp_url: str | None = None
    credential_ids: list[str] | None = Field(
        default=None,
        max_length=10,
        description="Stored credentials (cred_…) the run may type: the model sees only placeholders",
    )
    browser_session_id: str | None = Field(
        default=None, description="An open browser session (pbs_…): the run continues on its current page"
    )
    model: dict[str, Any] | None = Field(
        default=None,
        description='{"model_name": "...", "temperature": 0, "max_tokens": 2048, "top_p": 1, "reasoning_effort": "low"}',
    )
    extra_http_headers: dict[str, str] | None = None
    cdp_connect_headers: dict[str, str] | None = Field(
        default=None, description="Not supported by this server"
    )
    publish_workflow: bool | None = Field(
        default=False,
        description="Save the task as a workflow too; the run answers with its workflow_permanent_id",
    )
    include_action_history_in_verification: bool | None = False
    max_screenshot_scrolls: int | None = None
    browser_address: str | None = Field(default=None, description="CDP address of a browser to drive")
    user_agent: str | None = None
    run_with: str | None = Field(
        default=None,
        description='"agent" (default) or "code": replay the latest script of this task (same url and '
        "prompt, or script_id) with no LLM call; with no script yet the agent runs and makes one",
    )
    ai_fallback: bool | None = Field(
        default=None,
        description='run_with "code": let the agent do a step the script cannot (default true); false fails the run there',
    )
    script_id: str | None = Field(default=None, description='run_with "code": the script (s_…) to replay')
    script_parameters: dict[str, str] | None = Field(
        default=None,
        description='run_with "code": values for the script\'s parameters (default: the recorded ones)',
    )

    @field_validator("engine", mode="before")
    @classmethod
    def _engine_alias(cls, engine: Any) -> Any:
        if isinstance(engine, str):
            key = engine.strip().lower()
            return ENGINE_ALIASES.get(key, key)
        return engine

    @field_validator("prompt")
    @classmethod
    def _prompt_has_words(cls, prompt: str) -> str:
        if not prompt.strip():
            raise ValueError("prompt must not be empty")
        if len(prompt) > settings.SKYVERN_MAX_PROMPT_CHARS:
            raise ValueError(f"prompt must be at most {settings.SKYVERN_MAX_PROMPT_CHARS} characters")
        return prompt

    @field_validator(*JSON_FIELDS, mode="before")
    @classmethod
    def _json_field_fits(cls, value: Any) -> Any:
        """Each free-form field is capped (SKYVERN_MAX_JSON_FIELD_BYTES): it is stored, prompted and listed."""
        limit = settings.SKYVERN_MAX_JSON_FIELD_BYTES
        if value is not None and len(json.dumps(value, default=str).encode()) > limit:
            raise ValueError(f"must be at most {limit} bytes as JSON")
        return value
