"""Browser blocks: each is one `run_agent` on the workflow's open session, with its goal written for its
kind (task, navigation, extraction, action, login, file_download: skyvern-1.0; task_v2: skyvern-2.0)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from agent.browser import NavigationBlocked
from agent.loop import run_agent
from agent.schemas import AgentTask
from agent.workflow.calls import BlockFailed
from agent.workflow.host import BlockRun

if TYPE_CHECKING:
    from agent.workflow.engine import _WorkflowRun

DEFAULT_STEPS = {"extraction": 3, "action": 3, "goto_url": 1}
# Blocks whose actions a script can replay (skyvern-1.0 element actions; extraction still needs the model).
SCRIPTED_BLOCKS = frozenset({"task", "navigation", "action", "login"})
LOGIN_GOAL = "Log in to the website with the stored credentials."
NAVIGATION_TIMEOUT_MS = 30_000


def _goal(kind: str, inputs: dict[str, Any]) -> str:
    """The prompt the agent gets for this block."""
    if kind == "task_v2":
        return str(inputs["prompt"])
    if kind == "extraction":
        return f"Extract this information from the current page: {inputs['data_extraction_goal']}"
    parts = [str(inputs.get("navigation_goal") or (LOGIN_GOAL if kind == "login" else ""))]
    if kind == "action":
        parts.append("This is a single action: take it once, then report the goal complete.")
    if kind == "login":
        parts.append("Use the stored credential's placeholders for the username and the password.")
    if kind == "file_download":
        parts.append("The goal is complete once the file's download has started.")
    if inputs.get("data_extraction_goal"):
        parts.append(f"Then extract: {inputs['data_extraction_goal']}")
    if inputs.get("complete_criterion"):
        parts.append(f"The goal is complete when: {inputs['complete_criterion']}")
    if inputs.get("terminate_criterion"):
        parts.append(f"Give up (terminate) when: {inputs['terminate_criterion']}")
    return "\n".join(part for part in parts if part)


def _schema(value: Any) -> Any:
    if isinstance(value, str) and value.strip():
        try:
            return json.loads(value)
        except ValueError:
            raise BlockFailed(f"data_schema is not JSON: {value[:100]!r}") from None
    return value or None


def _max_steps(kind: str, inputs: dict[str, Any], cap: int | None) -> int:
    steps = inputs.get("max_steps_per_run") or inputs.get("max_steps") or DEFAULT_STEPS.get(kind, 10)
    return max(1, min(int(steps), cap) if cap else int(steps))


def agent_task(wf: _WorkflowRun, block: dict[str, Any], run: BlockRun) -> AgentTask:
    kind, inputs = run.block_type, run.inputs or {}
    payload = {key: wf.context[key] for key in block.get("parameter_keys") or [] if key in wf.context}
    fields: dict[str, Any] = {
        "prompt": _goal(kind, inputs),
        "url": inputs.get("url") or None,
        "title": inputs.get("title") or run.label,
        "data_extraction_schema": _schema(block.get("data_schema")),
        "error_code_mapping": inputs.get("error_code_mapping") or None,
        "max_steps": _max_steps(kind, inputs, wf.options.max_steps),
        "totp_identifier": inputs.get("totp_identifier") or None,
        "navigation_payload": payload or None,
        "include_action_history_in_verification": bool(inputs.get("include_action_history_in_verification")),
    }
    if kind == "task_v2" and inputs.get("max_iterations"):
        fields["max_iterations"] = int(inputs["max_iterations"])
    return AgentTask(**fields)


async def _with_credential(wf: _WorkflowRun, run: BlockRun, task: AgentTask) -> AgentTask:
    """The host's stored credential as the task's secrets: the model sees placeholders, never values."""
    credential = await wf.host.login(run, run.inputs or {})
    if not credential:
        raise BlockFailed(
            "The login block needs a stored credential (a credential_id parameter); none was found"
        )
    update: dict[str, Any] = {
        "secrets": credential.get("secrets") or {},
        "secret_labels": credential.get("secret_labels") or {},
    }
    if credential.get("totp_secret"):
        update["totp_secret"] = credential["totp_secret"]
    if credential.get("totp_identifier") and not task.totp_identifier:
        update["totp_identifier"] = credential["totp_identifier"]
    return task.model_copy(update=update)


async def run_browser_block(
    wf: _WorkflowRun, block: dict[str, Any], run: BlockRun
) -> tuple[str, Any, str | None]:
    inputs = run.inputs or {}
    if run.block_type == "goto_url":
        try:
            await wf.session.goto(inputs["url"], wait_until="domcontentloaded", timeout=NAVIGATION_TIMEOUT_MS)
        except NavigationBlocked as exc:
            raise BlockFailed(f"Could not open {inputs['url']}: {exc}") from None
        except Exception as exc:
            raise BlockFailed(f"Could not open {inputs['url']}: {str(exc).splitlines()[0]}") from None
        return "completed", {"url": wf.session.page.url}, None
    task = agent_task(wf, block, run)
    if run.block_type == "login":
        task = await _with_credential(wf, run, task)
    before = len(getattr(wf.session, "downloads", []))
    scripted = run.block_type in SCRIPTED_BLOCKS
    replay = await wf.host.block_engine(run, task) if scripted else None
    engine = replay or (
        "skyvern-2.0" if run.block_type == "task_v2" else block.get("engine") or "skyvern-1.0"
    )
    result = await run_agent(
        task,
        llm=wf.options.llm,
        browser=wf.options.browser,
        sink=wf.host.block_sink(run),
        should_stop=wf.options.should_stop,
        timeout=wf.remaining(),
        totp_provider=wf.options.totp_provider,
        launcher=wf.shared,
        engine=engine,
        secondary_llm=wf.options.secondary_llm,
        keep_page=True,
    )
    if scripted:
        await wf.host.block_ran(run, task, result, replay)
    run.input_tokens += result.input_tokens
    run.output_tokens += result.output_tokens
    run.cost += result.total_cost
    wf.totals.step_count += result.step_count
    output = result.output
    if run.block_type == "file_download":
        files = [path.name for path in getattr(wf.session, "downloads", [])[before:]]
        if result.status == "completed" and not files:
            return "failed", None, "The block completed but no file was downloaded"
        output = {"downloaded_files": files}
    return result.status, output, result.failure_reason
