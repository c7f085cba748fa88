"""Drives a claimed workflow run (`run_type` workflow_run): the version it started with, its parameters,
one browser for the whole run (agent.workflow.run_workflow), block rows and their steps in the database."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import shutil
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import connections

from agent import AgentResult
from agent.workflow import WorkflowOptions, WorkflowResult, run_workflow
from runs import services
from runs.exceptions import DomainError
from runs.execution.db import db_retry
from runs.execution.inputs import browser_for, llm_for, secondary_llm_for
from runs.execution.totp import totp_provider_for
from runs.execution.watch import RunWatch, grace_seconds
from runs.execution.workflow_sink import DbWorkflowHost
from runs.live import events
from runs.models import TaskRun
from runs.services.run_storage import run_storage_keep

log = logging.getLogger(__name__)


def credential_lookup(run: TaskRun, inputs: dict[str, Any]) -> dict[str, Any] | None:
    """The login block's stored credential for the agent ({"secrets", "secret_labels", "totp_secret"}): the
    block's `credential_id`, else the credential_id parameter it names in parameter_keys, else the run's first
    credential_id parameter (or `credential` parameter). None when there is none."""
    from runs.services.credentials import credential_ids_check, credential_secrets_for_run

    wanted = inputs.get("credential_id") or _credential_parameter(run, inputs.get("parameter_keys") or [])
    if not wanted:
        return None
    ids = credential_ids_check([str(wanted)], run.organization)
    found = credential_secrets_for_run(organization=run.organization, credential_ids=ids)
    return found if found.get("secrets") else None


def _credential_parameter(run: TaskRun, named: list[str]) -> str | None:
    values = (run.request or {}).get("parameters") or {}
    candidates = []
    for parameter in (run.workflow.definition or {}).get("parameters", []):
        if parameter.get("parameter_type") == "credential" and parameter.get("credential_id"):
            candidates.append((parameter["key"], parameter["credential_id"]))
        elif parameter.get("workflow_parameter_type") == "credential_id" and values.get(parameter["key"]):
            candidates.append((parameter["key"], values[parameter["key"]]))
    chosen = [value for key, value in candidates if key in named] or [value for _, value in candidates]
    return chosen[0] if chosen else None


async def drive_workflow(
    run: TaskRun, definition: dict[str, Any], options: WorkflowOptions, host: DbWorkflowHost
) -> WorkflowResult:
    watch = RunWatch(run)
    watcher = asyncio.create_task(watch.watch())
    options.should_stop = watch.stop_requested
    soft = settings.RUN_SOFT_TIME_LIMIT
    options.timeout = soft
    try:
        parameters = (run.request or {}).get("parameters") or {}
        return await asyncio.wait_for(
            run_workflow(definition, parameters, options, host), timeout=soft + grace_seconds()
        )
    except TimeoutError:
        return WorkflowResult(
            status="timed_out", failure_reason=f"The run exceeded its time limit of {soft} s"
        )
    finally:
        watcher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watcher
        await events.aclose()
        await sync_to_async(connections.close_all)()


def workflow_run_execute(*, run: TaskRun) -> TaskRun:
    """Execute a claimed workflow run to its final status."""
    if run.workflow_id is None:
        return services.run_fail(run=run, reason="The workflow of this run was deleted")
    try:
        llm, browser = llm_for(run), browser_for(run)
    except DomainError as exc:
        return services.run_fail(run=run, reason=exc.message)
    except ValueError as exc:
        return services.run_fail(run=run, reason=str(exc))
    request = run.request or {}
    options = WorkflowOptions(
        llm=llm,
        browser=browser,
        totp_provider=totp_provider_for(run),
        secondary_llm=secondary_llm_for(run),
        max_steps=request.get("max_steps_override"),
        workflow_run_id=run.run_id,
        title=run.title,
    )
    host = DbWorkflowHost(run, credential_lookup=credential_lookup)
    try:
        outcome = asyncio.run(drive_workflow(run, run.workflow.definition, options, host))
        result = AgentResult(
            status=outcome.status,
            output=outcome.output,
            failure_reason=outcome.failure_reason,
            step_count=outcome.step_count,
        )
        if host.sink_write_error is not None and result.status != "completed":
            result.status, result.failure_reason = (
                "failed",
                f"Records could not be saved: {host.sink_write_error}",
            )
        run_storage_keep(run=run, run_dir=browser.run_dir)  # before it is final: a profile may follow at once
        return db_retry(services.run_finish, run=run, result=result)
    finally:
        shutil.rmtree(browser.run_dir, ignore_errors=True)
