"""Scripts in the worker: which script a `run_with: "code"` run replays, and the revision a run leaves.

Which script: the request's `script_id` when given, else the latest revision of the newest script made
from a run of the same task in the same organization (same start url and same prompt). No script yet: the
agent runs, and its run produces the first one.

After a run (`script_after_run`): a completed agent run becomes a new revision of its task's script (a new
script the first time); a completed replay makes a new revision only when an AI fallback changed a step.

Workflow task blocks use the same two calls with the block's url and goal:

    engine, script = script_engine_for_task(organization=org, url=block_url, prompt=block_goal,
                                            ai_fallback=True, parameters=None, script_id=None)
    result = await run_agent(task, llm, browser, sink, engine=engine or "skyvern-1.0")
    script_after_task(run=workflow_run, actions=block_actions, prompt=block_goal, output=result.output,
                      status=result.status, engine=engine, script=script, workflow_permanent_id=wpid)

where `block_actions` are the block's Action rows passed through runs.services.scripts.action_as_record.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from agent.scripts.replay import ScriptEngine
from runs.models import Organization, Script, TaskRun
from runs.selectors.scripts import script_for_block, script_for_task, script_get
from runs.selectors.steps import actions_for_run
from runs.services.scripts import action_as_record, script_from_actions

log = logging.getLogger(__name__)


def script_engine_for_task(
    *,
    organization: Organization,
    url: str,
    prompt: str,
    script_id: str | None = None,
    parameters: dict[str, Any] | None = None,
    ai_fallback: bool = True,
    workflow_permanent_id: str = "",
    block_label: str = "",
) -> tuple[ScriptEngine | None, Script | None]:
    """The replay engine for this task's script and the revision it follows; (None, None) with no script.
    A workflow's block names its workflow and label: its script is the one that block left."""
    if script_id:
        script = script_get(organization=organization, script_id=script_id)
    elif block_label:
        script = script_for_block(
            organization=organization, workflow_permanent_id=workflow_permanent_id, block_label=block_label
        )
    else:
        script = script_for_task(organization=organization, url=url, prompt=prompt)
    if script is None or not script.plan:
        return None, None
    values = {**script.parameters, **{k: str(v) for k, v in (parameters or {}).items()}}
    return ScriptEngine(script.plan, values, ai_fallback=ai_fallback), script


def script_engine_for_run(run: TaskRun) -> tuple[ScriptEngine | None, Script | None]:
    """A task run's replay engine when it asked for run_with "code" and a script exists."""
    request = run.request or {}
    if request.get("run_with") != "code":
        return None, None
    return script_engine_for_task(
        organization=run.organization,
        url=run.url,
        prompt=run.prompt,
        script_id=request.get("script_id"),
        parameters={
            **payload_values(request.get("navigation_payload")),
            **(request.get("script_parameters") or {}),
        },
        ai_fallback=request.get("ai_fallback") is not False,
    )


def script_after_task(
    *,
    run: TaskRun,
    actions: list[dict[str, Any]],
    prompt: str,
    output: Any,
    status: str,
    engine: ScriptEngine | None,
    script: Script | None,
    url: str | None = None,
    workflow_permanent_id: str = "",
    block_label: str = "",
) -> Script | None:
    """The revision a finished task (or task block) leaves, if any; never raises (a script is a bonus)."""
    if status != "completed":
        return None
    if engine is not None and not engine.fallbacks:
        return None  # the replay matched the page: the script is still right
    base = script
    if base is None and block_label:
        base = script_for_block(
            organization=run.organization,
            workflow_permanent_id=workflow_permanent_id,
            block_label=block_label,
        )
    elif base is None:
        base = script_for_task(
            organization=run.organization, url=url if url is not None else run.url, prompt=prompt
        )
    try:
        return script_from_actions(
            organization=run.organization,
            run=run,
            actions=actions,
            prompt=prompt,
            output=output,
            navigation_payload=(run.request or {}).get("navigation_payload"),
            base=base,
            workflow_permanent_id=workflow_permanent_id,
            block_label=block_label,
        )
    except Exception:
        log.exception("could not make a script from run %s", run.run_id)
        return None


def script_after_run(*, run: TaskRun, engine: ScriptEngine | None, script: Script | None) -> Script | None:
    """After a task run finished (run_execute); never raises."""
    try:
        actions = [action_as_record(action) for action in actions_for_run(run=run)]
    except Exception:
        log.exception("could not read the actions of run %s", run.run_id)
        return None
    return script_after_task(
        run=run,
        actions=actions,
        prompt=run.prompt,
        output=run.output,
        status=run.status,
        engine=engine,
        script=script,
    )


def payload_values(payload: Any) -> dict[str, str]:
    """navigation_payload keys as the parameter names agent.scripts.plan gives them."""
    if not isinstance(payload, dict):
        return {}
    return {
        re.sub(r"[^0-9a-zA-Z]+", "_", str(key)).strip("_").lower(): str(value)
        for key, value in payload.items()
        if isinstance(value, str | int | float)
    }
