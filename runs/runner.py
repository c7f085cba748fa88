"""Adapts a TaskRun to the agent: the task, the LLM, the browser, the step sink and cancellation.

`run_execute(run=...)` is what the Celery task calls for a claimed (running) run. It builds everything from
the stored request and settings, drives `agent.run_agent` in its own event loop, and records the outcome.
Problems the user can fix (an unknown proxy location, a refused browser_address) fail the run with a
sentence saying what to change; they never reach the browser.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import shutil
import time
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import connections

from agent import AgentResult, AgentTask, BrowserConfig, LLMClient, LLMConfig, run_agent
from agent.browser import timezone_for_location
from agent.netguard import check_url
from runs import events, services
from runs.choices import RunStatus
from runs.models import TaskRun
from runs.run_sink import DbSink
from runs.totp import totp_provider_for

log = logging.getLogger(__name__)

STATUS_POLL_SECONDS = 0.5
NO_PROXY = "NONE"
DEFAULT_PROXY_LOCATION = "RESIDENTIAL"


class RunSetupError(Exception):
    """The run's request cannot be executed as asked; the message is the run's failure_reason."""


# --- building the agent's inputs ------------------------------------------------------------------


def _extraction_schema(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return {"type": "object", "description": value}  # a schema described in words
    return value


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
            "data_extraction_schema": _extraction_schema(schema),
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
        )
    )


def proxy_url_for(location: Any) -> str | None:
    """The proxy URL for a proxy_location value.

    {"url": ...} is used as given; "NONE" means no proxy; any other value must be a key of
    SKYVERN_PROXY_MAP. The exception is Skyvern's default, RESIDENTIAL: a server with no proxy map
    runs it without a proxy, so requests that never mention proxies work on a plain install.
    """
    if isinstance(location, dict):
        if location.get("url"):
            return str(location["url"])
        raise RunSetupError(
            f"proxy_location {json.dumps(location)} is not supported here: pass a ProxyLocation value"
            ' configured in SKYVERN_PROXY_MAP, "NONE", or {"url": "http://user:pass@host:port"}'
        )
    key = str(location or DEFAULT_PROXY_LOCATION).strip().upper()
    if key == NO_PROXY:
        return None
    mapped = settings.SKYVERN_PROXY_MAP.get(key)
    if mapped:
        return mapped
    if key == DEFAULT_PROXY_LOCATION and not settings.SKYVERN_PROXY_MAP:
        return None
    raise RunSetupError(
        f"proxy_location {key} is not configured on this server: set SKYVERN_PROXY_MAP={key}=http://host:port"
        ' or send proxy_location "NONE"'
    )


def browser_for(run: TaskRun) -> BrowserConfig:
    request = run.request or {}
    allow = list(settings.SKYVERN_ALLOW_PRIVATE_HOSTS)
    location = request.get("proxy_location")
    proxy_url = proxy_url_for(location)
    address = request.get("browser_address") or None
    if address:
        reason = check_url(address, allow)
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


# --- cancellation and heartbeat -------------------------------------------------------------------


class RunWatch:
    """Reads the run's status from the database every STATUS_POLL_SECONDS and sends heartbeats.

    The agent calls `should_stop()` before each step and between actions; it answers from the last read,
    so a cancel takes effect within one action and the agent never waits on the database.
    """

    def __init__(self, run: TaskRun) -> None:
        self.run = run
        self.status = RunStatus.RUNNING
        self._last_heartbeat = time.monotonic()

    def should_stop(self) -> bool:
        return self.status != RunStatus.RUNNING

    def _tick(self) -> str | None:
        if time.monotonic() - self._last_heartbeat >= settings.RUN_HEARTBEAT_SECONDS:
            self._last_heartbeat = time.monotonic()
            return services.run_heartbeat(run=self.run)
        return TaskRun.objects.filter(pk=self.run.pk).values_list("status", flat=True).first()

    async def watch(self) -> None:
        while True:
            await asyncio.sleep(STATUS_POLL_SECONDS)
            try:
                self.status = await sync_to_async(self._tick)() or RunStatus.CANCELED
            except Exception:  # a database hiccup must not stop the run; try again next tick
                log.warning("status check failed for %s", self.run.run_id, exc_info=True)


# --- driving the run ------------------------------------------------------------------------------


def _grace_seconds() -> int:
    return max(5, (settings.RUN_HARD_TIME_LIMIT - settings.RUN_SOFT_TIME_LIMIT) // 4)


async def drive(run: TaskRun, task: AgentTask, llm: LLMClient, browser: BrowserConfig) -> AgentResult:
    """Run the agent with the database sink, the watch and the time limits in this event loop."""
    watch = RunWatch(run)
    sink = DbSink(run)
    watcher = asyncio.create_task(watch.watch())
    soft = settings.RUN_SOFT_TIME_LIMIT
    try:
        return await asyncio.wait_for(
            run_agent(
                task,
                llm=llm,
                browser=browser,
                sink=sink,
                should_stop=watch.should_stop,
                timeout=soft,
                totp_provider=totp_provider_for(run),
            ),
            timeout=soft + _grace_seconds(),
        )
    except TimeoutError:
        return AgentResult(status="timed_out", failure_reason=f"The run exceeded its time limit of {soft} s")
    finally:
        watcher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watcher
        await sink.close()
        await events.aclose()
        await sync_to_async(connections.close_all)()


def run_execute(*, run: TaskRun) -> TaskRun:
    """Execute a claimed run to its final status (the Celery task's body)."""
    try:
        task, llm, browser = agent_task_for(run), llm_for(run), browser_for(run)
    except (RunSetupError, ValueError) as exc:
        return services.run_fail(run=run, reason=str(exc))
    try:
        result = asyncio.run(drive(run, task, llm, browser))
        if result.status == "timed_out" and not result.failure_reason:
            result.failure_reason = "The run exceeded its time limit"
        return services.run_finish(run=run, result=result)
    finally:
        # The video and downloads are in storage now (or lost with the run): don't fill the worker's disk.
        shutil.rmtree(browser.run_dir, ignore_errors=True)
