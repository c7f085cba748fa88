"""The agent's inputs for a stored run: the task, the LLM client and the browser configuration.

Problems the user can fix (an unknown proxy location, a refused browser_address) raise RunSetupError with
a sentence saying what to change; they never reach the browser.
"""

from __future__ import annotations

from django.conf import settings

from agent import AgentTask, BrowserConfig, LLMClient, LLMConfig
from agent.browser import timezone_for_location
from runs.choices import DEFAULT_PROXY_LOCATION
from runs.exceptions import RunSetupError
from runs.models import TaskRun
from runs.services.egress import allowed_private_hosts, url_refusal
from runs.services.proxies import proxy_choice, proxy_url_for
from runs.services.run_requests import extraction_schema_parse


def agent_task_for(run: TaskRun) -> AgentTask:
    request = run.request or {}
    known = {name: request[name] for name in AgentTask.model_fields if request.get(name) is not None}
    schema = request.get("data_extraction_schema", request.get("extracted_information_schema"))
    return AgentTask(
        **{
            **known,
            "prompt": run.prompt,
            "url": run.url or None,
            "title": run.title or None,
            "max_steps": run.max_steps,
            "data_extraction_schema": extraction_schema_parse(schema),
            "include_action_history_in_verification": bool(
                request.get("include_action_history_in_verification")
            ),
        }
    )


def llm_for(run: TaskRun) -> LLMClient:
    """The request's model_name when given, else SKYVERN_LLM_MODEL; base URL and key from settings."""
    chosen = (run.request or {}).get("model") or {}
    model = chosen.get("model_name") if isinstance(chosen, dict) else None
    return LLMClient(
        LLMConfig(
            model=model or settings.SKYVERN_LLM_MODEL or None,
            api_base=settings.SKYVERN_LLM_API_BASE or None,
            api_key=settings.SKYVERN_LLM_API_KEY or None,
            **model_options(run),
        )
    )


def model_options(run: TaskRun) -> dict:
    """The request's model knobs (temperature, max_tokens, top_p, reasoning_effort), for LLMConfig."""
    chosen = (run.request or {}).get("model") or {}
    names = ("temperature", "max_tokens", "top_p", "reasoning_effort")
    return {name: chosen[name] for name in names if isinstance(chosen, dict) and chosen.get(name) is not None}


def browser_for(run: TaskRun) -> BrowserConfig:
    request = run.request or {}
    allow = allowed_private_hosts()
    location = request.get("proxy_location")
    proxy_url = proxy_url_for(location)
    address = request.get("browser_address") or None
    if address:
        reason = url_refusal(address)
        if reason:
            raise RunSetupError(f"browser_address refused: {reason}")
    return BrowserConfig(
        chromium_path=settings.CHROMIUM_PATH,
        headless=settings.BROWSER_HEADLESS,
        user_agent=request.get("user_agent") or None,
        extra_http_headers=request.get("extra_http_headers") or {},
        proxy_url=proxy_url,
        timezone_id=timezone_for_location(location or DEFAULT_PROXY_LOCATION) if proxy_url else None,
        browser_address=address,
        record_video=settings.BROWSER_RECORD_VIDEO,
        run_dir=settings.RUNS_WORK_DIR / run.run_id,
        allow_private_hosts=allow,
    )


def proxy_warning(run: TaskRun) -> str | None:
    """Why the run goes without the proxy it asked for (None when it has it, or asked for none)."""
    return proxy_choice((run.request or {}).get("proxy_location")).warning
