"""The agent's inputs for a stored run: the task, the LLM client and the browser configuration.

Problems the user can fix (an unknown proxy location, a refused browser_address) raise RunSetupError with
a sentence saying what to change; they never reach the browser.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from django.conf import settings

from agent import AgentTask, BrowserConfig, LLMClient
from agent.browser import OwnBrowser, timezone_for_location
from runs import selectors
from runs.choices import DEFAULT_PROXY_LOCATION
from runs.exceptions import RunSetupError
from runs.execution.session_runs import session_browser
from runs.execution.vision import llm_config_for
from runs.models import TaskRun
from runs.services.credentials import credential_secrets_for_run
from runs.services.egress import allowed_private_hosts, url_refusal
from runs.services.engines import engine_llm_config
from runs.services.proxies import proxy_choice, proxy_url_for
from runs.services.run_requests import extraction_schema_parse


def agent_task_for(run: TaskRun) -> AgentTask:
    request = run.request or {}
    known = {name: request[name] for name in AgentTask.model_fields if request.get(name) is not None}
    schema = request.get("data_extraction_schema", request.get("extracted_information_schema"))
    return AgentTask(
        **{
            **known,
            **credential_inputs(run),
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


def credential_inputs(run: TaskRun) -> dict:
    """The run's stored credentials, decrypted for the agent only (secrets, labels, a TOTP secret)."""
    request = run.request or {}
    ids = request.get("credential_ids") or []
    if not ids:
        return {}
    found = credential_secrets_for_run(organization=run.organization, credential_ids=ids)
    if not found["secrets"]:
        raise RunSetupError("The run's credentials were deleted or can no longer be decrypted")
    inputs = {"secrets": found["secrets"], "secret_labels": found["secret_labels"]}
    if found["totp_secret"] and not request.get("totp_url"):
        inputs["totp_secret"] = found["totp_secret"]
    return inputs


def llm_for(run: TaskRun) -> LLMClient:
    """The request's model_name when given, else SKYVERN_LLM_MODEL; base URL and key from settings.
    Engines with their own provider (openai-cua, ...) take their SKYVERN_<ENGINE>_* settings instead."""
    chosen = (run.request or {}).get("model") or {}
    model = chosen.get("model_name") if isinstance(chosen, dict) else None
    options = model_options(run)
    own = engine_llm_config(engine=run.engine, model_name=model, **options)
    if own is not None:
        return LLMClient(own)
    # The request's model_name, else the organization's default model, else the server's (runs.selectors.llms).
    choice = selectors.model_resolve(name=model, organization=run.organization)
    return LLMClient(llm_config_for(choice, **options))


def secondary_llm_for(run: TaskRun) -> LLMClient | None:
    """The model for the small helper calls (completion checks, summaries), when one is configured."""
    choice = selectors.model_secondary()
    return LLMClient(llm_config_for(choice)) if choice is not None else None


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
    problem = display_problem()
    if problem:
        raise RunSetupError(problem)
    config = BrowserConfig(
        chromium_path=settings.CHROMIUM_PATH,
        headless=settings.BROWSER_HEADLESS,
        user_agent=request.get("user_agent") or None,
        extra_http_headers=request.get("extra_http_headers") or {},
        proxy_url=proxy_url,
        timezone_id=(timezone_for_location(location or DEFAULT_PROXY_LOCATION) if proxy_url else None)
        or settings.BROWSER_TIMEZONE
        or None,
        locale=settings.BROWSER_LOCALE or None,
        browser_address=address,
        own_browser=None if address else own_browser(),
        record_video=settings.BROWSER_RECORD_VIDEO,
        run_dir=settings.RUNS_WORK_DIR / run.run_id,
        allow_private_hosts=allow,
        egress_proxy=settings.SKYVERN_EGRESS_PROXY,
    )
    # A run on a persistent browser session drives that session's browser (runs.execution.session_runs).
    return session_browser(run, config) if run.browser_session_id else config


def own_browser() -> OwnBrowser | None:
    """BROWSER_TYPE=cdp-connect: the browser at BROWSER_REMOTE_DEBUGGING_URL, started by the server on a copy
    of the user's profile when CHROME_EXECUTABLE_PATH is set. None for the other browser types."""
    if settings.BROWSER_TYPE != "cdp-connect":
        return None
    source = settings.CHROME_PROFILE_SOURCE
    return OwnBrowser(
        cdp_url=settings.BROWSER_CDP_URL,
        executable=settings.CHROME_EXECUTABLE_PATH or None,
        profile_source=Path(source) if source else None,
        profile_dir=settings.CHROME_PROFILE_DIR,
        headless=settings.BROWSER_HEADLESS,
    )


def display_problem() -> str | None:
    """Why a browser with a window cannot start here (no display), or None."""
    starts_one = settings.BROWSER_TYPE != "cdp-connect" or settings.CHROME_EXECUTABLE_PATH
    if settings.BROWSER_HEADLESS or not starts_one or has_display():
        return None
    return (
        f"BROWSER_TYPE={settings.BROWSER_TYPE} opens a browser window, but this worker has no display "
        "(DISPLAY is not set): run the worker in a desktop session or under xvfb-run, "
        "or set BROWSER_TYPE=chromium-headless"
    )


def has_display() -> bool:
    return sys.platform == "darwin" or bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def proxy_warning(run: TaskRun) -> str | None:
    """Why the run goes without the proxy it asked for (None when it has it, or asked for none)."""
    return proxy_choice((run.request or {}).get("proxy_location")).warning
