"""Drives a claimed run: `run_execute(run=...)` is what the Celery task calls.

It builds the agent's inputs from the stored request and settings (runs.execution.inputs), drives
`agent.run_agent` in its own event loop with the database sink and the watch, and records the outcome.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import shutil
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import connections

from agent import AgentResult, AgentTask, BrowserConfig, LLMClient, run_agent
from runs import services
from runs.choices import RunType
from runs.exceptions import DomainError
from runs.execution.db import db_retry
from runs.execution.inputs import agent_task_for, browser_for, llm_for, proxy_warning, secondary_llm_for
from runs.execution.scripting import script_after_run, script_engine_for_run
from runs.execution.sink import DbSink
from runs.execution.totp import totp_provider_for
from runs.execution.watch import RunWatch, grace_seconds
from runs.live import events
from runs.models import TaskRun
from runs.services.run_storage import run_storage_keep

log = logging.getLogger(__name__)


async def drive(
    run: TaskRun, task: AgentTask, llm: LLMClient, browser: BrowserConfig, engine: Any = None
) -> AgentResult:
    """Run the agent with the database sink, the watch and the time limits in this event loop.
    `engine` replaces the run's engine (a script replay, runs.execution.scripting)."""
    watch = RunWatch(run)
    sink = DbSink(run)
    watcher = asyncio.create_task(watch.watch())
    soft = settings.RUN_SOFT_TIME_LIMIT
    try:
        result = await asyncio.wait_for(
            run_agent(
                task,
                llm=llm,
                browser=browser,
                sink=sink,
                should_stop=watch.stop_requested,
                timeout=soft,
                totp_provider=totp_provider_for(run),
                engine=engine or run.engine,
                secondary_llm=secondary_llm_for(run),
            ),
            timeout=soft + grace_seconds(),
        )
    except TimeoutError:
        return AgentResult(status="timed_out", failure_reason=f"The run exceeded its time limit of {soft} s")
    finally:
        watcher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watcher
        await events.aclose()
        await sync_to_async(connections.close_all)()
    return _with_true_reason(result, sink)


def _with_true_reason(result: AgentResult, sink: DbSink) -> AgentResult:
    """A run whose records could not be saved stopped for that reason, not for the error it surfaced as."""
    if sink.write_error is not None and result.status != "completed":
        result.status = "failed"
        result.failure_reason = (
            f"The run stopped because its records could not be saved to the database for "
            f"{settings.DB_RETRY_SECONDS} s ({type(sink.write_error).__name__}: {sink.write_error})"
        )
    return result


def run_execute(*, run: TaskRun) -> TaskRun:
    """Execute a claimed run to its final status (the Celery task's body)."""
    if run.run_type == RunType.WORKFLOW_RUN:
        from runs.execution.workflow_runner import workflow_run_execute  # noqa: PLC0415 (its own module)

        return workflow_run_execute(run=run)
    try:
        task, llm, browser = agent_task_for(run), llm_for(run), browser_for(run)
    except DomainError as exc:
        return services.run_fail(run=run, reason=exc.message)
    except ValueError as exc:
        return services.run_fail(run=run, reason=str(exc))
    warning = proxy_warning(run)
    if warning:
        log.warning("run %s: %s", run.run_id, warning)
        services.run_warn(run=run, code="PROXY_NOT_CONFIGURED", message=warning)
    engine, script = script_engine_for_run(run)
    try:
        result = asyncio.run(drive(run, task, llm, browser, engine))
        run_storage_keep(run=run, run_dir=browser.run_dir)  # before it is final: a profile may follow at once
        if result.status == "timed_out" and not result.failure_reason:
            result.failure_reason = "The run exceeded its time limit"
        finished = db_retry(services.run_finish, run=run, result=result)
        script_after_run(run=finished, engine=engine, script=script)
        return finished
    finally:
        # The video and downloads are in storage now (or lost with the run): don't fill the worker's disk.
        shutil.rmtree(browser.run_dir, ignore_errors=True)
