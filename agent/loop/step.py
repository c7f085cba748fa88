"""One step: observe the page, ask for actions, run them, and judge complete/terminate."""

from __future__ import annotations

import contextlib
from typing import Any

from playwright.async_api import Error as PlaywrightError

from agent.actions import ActionContext, AnswerError, extract_data, first_line, run_action
from agent.llm import LLMError, LLMNotConfigured, parse_plan, parse_verdict
from agent.loop.observe import observe
from agent.loop.sink import send_artifact
from agent.loop.state import RunState, StepOutcome
from agent.loop.talk import StepTalker
from agent.prompts import plan_messages, verify_messages
from agent.schemas import ELEMENT_ACTIONS, ActionRecord, ActionResult, PlannedAction, StepRecord
from agent.scripts.describe import describe_element


async def run_step(state: RunState, step: StepRecord) -> StepOutcome:
    """Observe → plan → act. LLM trouble becomes a retry, a missing LLM a fatal outcome."""
    talker = StepTalker(state.llm, state.sink, step)
    try:
        actions = await _plan(state, step, talker)
        return await _act(state, step, state.action_context(talker), actions)
    except LLMNotConfigured as exc:
        return StepOutcome("fatal", str(exc))
    except LLMError as exc:
        return StepOutcome("retry", str(exc))
    except AnswerError as exc:
        return StepOutcome("retry", f"invalid LLM response: {exc}")
    except PlaywrightError as exc:  # e.g. the page navigated or crashed while it was being read
        return StepOutcome("retry", f"could not read the page: {first_line(exc)}")
    except RuntimeError as exc:  # BrowserSession.page raises it once every tab is closed
        return StepOutcome("fatal", f"Browser error: {exc}")


async def _plan(state: RunState, step: StepRecord, talker: StepTalker) -> list[PlannedAction]:
    obs = await observe(state.session, screenshot_scrolls=state.task.max_screenshot_scrolls or 0)
    for index, shot in enumerate(obs.screenshots):
        await send_artifact(
            state.sink, step, "screenshot_llm", shot, _name(step, f"llm_{index}.png"), "image/png"
        )
    await send_artifact(
        state.sink,
        step,
        "visible_elements_tree",
        obs.elements_json,
        _name(step, "elements.json"),
        "application/json",
    )
    await send_artifact(state.sink, step, "html_scrape", obs.html, _name(step, "page.html"), "text/html")
    messages = plan_messages(
        goal=state.task.prompt,
        page=obs.view,
        history=state.history,
        payload=state.task.navigation_payload,
        error_codes=state.task.error_code_mapping,
        totp_available=state.totp_available,
        schema=state.task.data_extraction_schema,
        secret_labels={name: state.task.secret_labels.get(name, "") for name in state.task.secrets},
    )
    plan = await talker(messages, parse_plan, obs.screenshots)
    step.output = {"planned_actions": [a.model_dump(mode="json", exclude_none=True) for a in plan.actions]}
    return plan.actions


def _name(step: StepRecord, suffix: str) -> str:
    return f"step{step.order}_{step.retry_index}_{suffix}"


def _page_key(state: RunState) -> tuple[int, str]:
    """Which page we are on: a new tab or a new URL means the rest of the plan is stale."""
    with contextlib.suppress(Exception):
        page = state.session.page
        return id(page), page.url
    return 0, ""


async def _act(
    state: RunState, step: StepRecord, ctx: ActionContext, actions: list[PlannedAction]
) -> StepOutcome:
    """Run the actions in order; stop at a failure, a terminal action or a page change."""
    for planned in actions:
        reason = await state.stop_reason()
        if reason:
            return StepOutcome(
                reason, "The run was canceled" if reason == "canceled" else "The run timed out"
            )
        before = _page_key(state)
        target = (
            await describe_element(ctx.page, planned.id) if planned.action_type in ELEMENT_ACTIONS else None
        )
        result = await run_action(ctx, planned)
        outcome = StepOutcome("continue")
        if result.success and planned.action_type == "complete":
            outcome, result = await _judge_completion(state, ctx, planned, result)
        elif result.success and planned.action_type == "terminate":
            outcome = _terminated(state, planned)
        elif result.success and planned.action_type == "extract":
            state.last_extracted = result.data
        await record_action(state, step, planned, result, target=target, url_before=before[1])
        if outcome.kind != "continue":
            return outcome
        if outcome.reason:  # e.g. why the completion check disagreed: the next plan should know
            state.history.append(f"step {step.order}: {outcome.reason}")
        if not result.success:
            return StepOutcome("retry", f"{planned.action_type} failed: {result.error_message}")
        if _page_key(state) != before:
            break
    return StepOutcome("continue")


def _option_record(planned: PlannedAction) -> dict[str, Any] | None:
    """The chosen option as Skyvern records it; several options are listed under "options" too."""
    if planned.option is None:
        return None
    record = planned.option.model_dump(exclude_none=True)
    if planned.options and len(planned.options) > 1:
        record["options"] = [option.model_dump(exclude_none=True) for option in planned.options]
    return record


async def record_action(
    state: RunState,
    step: StepRecord,
    planned: PlannedAction,
    result: ActionResult,
    *,
    target: dict[str, Any] | None = None,
    url_before: str | None = None,
) -> None:
    """Add the action to the step and the history, and hand it (with a screenshot) to the sink.

    `target` describes the element as it was just before the action (agent.scripts.describe_element) and
    `url_before` is the page it happened on: what a script replaying the run needs."""
    record = ActionRecord(
        index=len(step.actions),
        action_type=planned.action_type,
        element_id=planned.id,
        reasoning=planned.reasoning,
        text=planned.text,
        option=_option_record(planned),
        file_url=planned.file_url,
        status="completed" if result.success else "failed",
        error_type=result.error_type,
        error_message=result.error_message,
        data=result.data,
        download_triggered=result.download_triggered,
        raw=planned.raw,
        locator=target,
        page=_page_record(state, planned, url_before),
    )
    step.actions.append(record)
    state.remember(step.order, record)
    shot = None
    with contextlib.suppress(Exception):  # a closed tab has nothing to show; the record still counts
        shot = await state.session.screenshot()
    if shot:
        name = _name(step, f"action{record.index}.png")
        await send_artifact(state.sink, step, "screenshot_action", shot, name, "image/png")
    await state.sink.action_recorded(step, record, shot)


def _page_record(state: RunState, planned: PlannedAction, url_before: str | None) -> dict[str, Any] | None:
    """Where the action happened and where it led, with the settings a replay needs that the record has
    no field for (a checkbox's state, a key, a URL)."""
    if not url_before:
        return None
    given = planned.model_dump(include={"is_checked", "key", "url"}, exclude_none=True)
    return {"url": url_before, "url_after": _page_key(state)[1], **({"action": given} if given else {})}


async def _judge_completion(
    state: RunState, ctx: ActionContext, planned: PlannedAction, result: ActionResult
) -> tuple[StepOutcome, ActionResult]:
    """A `complete` counts only when a second LLM call agrees; then the data is extracted."""
    view, images = await state.observe_for_llm()
    history = state.history if state.task.include_action_history_in_verification else None
    verdict = await ctx.ask(
        verify_messages(goal=state.task.prompt, page=view, history=history),
        parse_verdict,
        images,
        llm=state.helper_llm,
    )
    check = {"goal_achieved": verdict.goal_achieved, "reasoning": verdict.reasoning}
    if not verdict.goal_achieved:
        note = (
            f"the completion check found the goal not achieved yet: {verdict.reasoning or 'no reason given'}"
        )
        return StepOutcome("continue", note), ActionResult.ok(data={"completion_check": check})
    if state.task.data_extraction_schema is None:
        output = _first_set(planned.data, state.last_extracted)
        return StepOutcome("completed", output=output), ActionResult.ok(data={"completion_check": check})
    try:
        output = await extract_data(ctx)
    except AnswerError as exc:
        failure = f"Could not extract data matching data_extraction_schema: {exc}"
        return StepOutcome("fatal", failure), ActionResult.fail("extraction_failed", failure)
    return StepOutcome("completed", output=output), ActionResult.ok(
        data={"completion_check": check, "output": output}
    )


def _first_set(*values: Any) -> Any:
    return next((value for value in values if value is not None), None)


def _terminated(state: RunState, planned: PlannedAction) -> StepOutcome:
    """Map the model's error code onto the user's error_code_mapping (unknown codes are dropped)."""
    reason = planned.reasoning or "The agent terminated the task"
    mapping = state.task.error_code_mapping or {}
    code = planned.error_code if planned.error_code in mapping else None
    if code is None:
        return StepOutcome("terminated", reason)
    return StepOutcome(
        "terminated", reason, output={"error": code}, errors=[{"error_code": code, "reasoning": reason}]
    )
