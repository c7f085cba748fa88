"""Replaying a script's plan as an engine: no LLM call unless a step no longer fits the page.

    engine = ScriptEngine(plan, parameters, ai_fallback=True)
    result = await run_agent(task, llm=llm, browser=browser, sink=sink, engine=engine)

Each plan step becomes one step the sink sees (output `{"script_step": i, "ai_fallback": false}`), with
the action it did recorded as the agent's are (locator, page), so a new script revision can be built from
the replay. A step whose page is not the one the plan expects (after waiting for it), or whose locators all
miss, or whose action fails:

1. with `ai_fallback` off, ends the run `failed`, saying which step and why;
2. otherwise becomes one skyvern-1.0 step (agent.loop.step.run_step) whose goal is that step alone
   ("type 'ada@example.com' into the element that was the field labelled 'Email'"), recorded with
   `{"ai_fallback": true, ...}`; its actions carry fresh locators for the next revision.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Locator, Page

from agent.actions import AnswerError, extract_data, first_line
from agent.actions.upload import FetchRefused, fetch_file
from agent.engines.base import Driver, StepBody
from agent.loop.state import RunState, StepOutcome
from agent.loop.step import run_step
from agent.loop.talk import StepTalker
from agent.prompts import TOTP_PLACEHOLDER
from agent.schemas import ActionRecord, StepRecord
from agent.scripts.plan import same_page
from agent.secrets import substitute

ACTION_TIMEOUT_MS = 5_000
STATE_WAIT_S = 5.0  # how long a step waits for the page it expects (a navigation still under way)
NAVIGATION_WAIT_S = 10.0


class StepMissed(Exception):
    """The step does not fit the page; the message says how."""


class ScriptEngine:
    name = "script"
    chooses_start_url = False

    def __init__(
        self,
        plan: list[dict[str, Any]],
        parameters: dict[str, Any] | None = None,
        *,
        ai_fallback: bool = True,
    ) -> None:
        self.plan = plan
        self.values = dict(parameters or {})
        self.ai_fallback = ai_fallback
        self.fallbacks = 0

    def preflight(self, state: RunState) -> str | None:
        return None if self.plan else "The script has no steps to replay"

    async def run(self, driver: Driver) -> StepOutcome:
        for index, step in enumerate(self.plan):
            stopped = await driver.stopped()
            if stopped:
                return stopped
            outcome = await self._run_step(driver, index, step)
            if outcome.kind != "continue":
                return outcome
        return StepOutcome("completed", output=None)

    async def _run_step(self, driver: Driver, index: int, step: dict[str, Any]) -> StepOutcome:
        state = driver.state
        if step["action"] == "complete":
            return await driver.record_step(index, 0, lambda rec: self._complete(state, rec, index, step))
        body: StepBody = lambda rec: self._replay(state, rec, index, step)  # noqa: E731
        for retry in range(state.task.max_retries_per_step + 1):
            outcome = await driver.record_step(index, retry, body)
            if outcome.kind != "retry":
                return outcome
            body = lambda rec, why=outcome.reason: self._fallback(state, rec, index, step, why)  # noqa: E731
        attempts = state.task.max_retries_per_step + 1
        return StepOutcome("fatal", f"Script step {index + 1}: the AI fallback failed {attempts} times")

    # --- replaying one step -----------------------------------------------------------------------

    async def _replay(
        self, state: RunState, rec: StepRecord, index: int, step: dict[str, Any]
    ) -> StepOutcome:
        rec.output = {"script_step": index, "ai_fallback": False}
        page: Page = state.session.page
        before = page.url
        try:
            await _expect_page(page, step.get("url"))
            target, used = await _find(page, step)
            await self._do(state, page, target, step)
        except StepMissed as exc:
            return await self._missed(state, rec, index, step, str(exc))
        except (PlaywrightError, FetchRefused) as exc:
            return await self._missed(state, rec, index, step, f"{step['action']} failed: {first_line(exc)}")
        await _wait_for(page, step.get("wait_url"), NAVIGATION_WAIT_S)
        # The locators that worked stay as they are (describing the element afresh would cost a round trip
        # per step); only AI fallback steps bring new ones.
        await self._record(
            state,
            rec,
            index,
            step,
            {"candidates": step["locators"], "target": step.get("target")},
            used,
            before,
        )
        return StepOutcome("continue")

    async def _missed(
        self, state: RunState, rec: StepRecord, index: int, step: dict[str, Any], problem: str
    ) -> StepOutcome:
        rec.output = {**(rec.output or {}), "error": problem}
        if not self.ai_fallback:
            reason = (
                f"Script step {index + 1} ({_goal(step, self._value(step))}) failed: {problem}. "
                "ai_fallback is off, so the run stopped at this step"
            )
            return StepOutcome("fatal", reason)
        return await self._fallback(state, rec, index, step, problem)

    def _value(self, step: dict[str, Any]) -> Any:
        name = step.get("parameter")
        return self.values.get(name, step.get("value")) if name else step.get("value")

    async def _do(self, state: RunState, page: Page, target: Locator | None, step: dict[str, Any]) -> None:
        action, value = step["action"], self._value(step)
        if action == "goto_url":
            await state.session.goto(value, wait_until="domcontentloaded", timeout=30_000)
        elif action == "keypress":
            await page.keyboard.press(value)
        elif target is None:
            raise StepMissed("the step has no locator")
        elif action == "click":
            await target.click(timeout=ACTION_TIMEOUT_MS)
        elif action == "hover":
            await target.hover(timeout=ACTION_TIMEOUT_MS)
        elif action == "input_text":
            await target.fill(await _typed(state, str(value)), timeout=ACTION_TIMEOUT_MS)
        elif action == "select_option":
            await target.select_option(label=str(value), timeout=ACTION_TIMEOUT_MS)
        elif action == "checkbox":
            await target.set_checked(bool(value), timeout=ACTION_TIMEOUT_MS)
        elif action == "upload_file":
            path = await fetch_file(str(value), state.allow_hosts, state.work_dir)
            await target.set_input_files(path, timeout=ACTION_TIMEOUT_MS)

    async def _record(
        self,
        state: RunState,
        rec: StepRecord,
        index: int,
        step: dict[str, Any],
        description: dict[str, Any] | None,
        used: dict[str, Any] | None,
        before: str,
    ) -> None:
        """Record what the step did as the agent records an action, with the element described afresh."""
        action, value = step["action"], self._value(step)
        record = ActionRecord(
            index=len(rec.actions),
            action_type=action,
            reasoning=f"Script step {index + 1}: {_goal(step, value)}",
            text=str(value) if action in ("input_text", "keypress") else None,
            option={"label": value} if action == "select_option" else None,
            file_url=str(value) if action == "upload_file" else None,
            raw={
                "script_step": index,
                "locator_used": used,
                "script_parameter": step.get("parameter"),
                **({"is_checked": bool(value)} if action == "checkbox" else {}),
                **({"key": value} if action == "keypress" else {}),
                **({"url": value} if action == "goto_url" else {}),
            },
            locator=description,
            page={"url": before, "url_after": state.session.page.url},
        )
        rec.actions.append(record)
        await state.sink.action_recorded(rec, record, None)

    # --- the AI fallback and the end ---------------------------------------------------------------

    async def _fallback(
        self, state: RunState, rec: StepRecord, index: int, step: dict[str, Any], problem: str | None
    ) -> StepOutcome:
        goal = fallback_goal(step, self._value(step), state.task.prompt)
        task = state.task.model_copy(update={"prompt": goal, "data_extraction_schema": None})
        note = f"The script's own locators failed here: {problem}" if problem else ""
        outcome = await run_step(replace(state, task=task, history=[note] if note else []), rec)
        rec.output = {
            **(rec.output or {}),
            "ai_fallback": True,
            "script_step": index,
            "fallback_reason": problem,
            "fallback_goal": goal,
        }
        done = any(action.status == "completed" for action in rec.actions)
        if outcome.kind in ("continue", "completed") and done:
            self.fallbacks += 1
            rec.output.pop("error", None)  # the step succeeded; fallback_reason says what the script missed
            return StepOutcome("continue")
        if outcome.kind in ("continue", "completed"):
            return StepOutcome("retry", "the AI fallback did nothing")
        return outcome

    async def _complete(
        self, state: RunState, rec: StepRecord, index: int, step: dict[str, Any]
    ) -> StepOutcome:
        """The run ended here: check the page is the one it ended on, then give the output."""
        rec.output = {"script_step": index, "ai_fallback": False}
        page: Page = state.session.page
        try:
            await _expect_page(page, step.get("url"))
        except StepMissed as exc:
            return StepOutcome("fatal", f"Script step {index + 1} (the end of the run): {exc}")
        output = step.get("output")
        if state.task.data_extraction_schema is not None:
            talker = StepTalker(state.llm, state.sink, rec)
            try:
                output = await extract_data(state.action_context(talker))
            except AnswerError as exc:
                return StepOutcome("fatal", f"Could not extract data matching data_extraction_schema: {exc}")
        record = ActionRecord(index=0, action_type="complete", data=output, page={"url": page.url})
        rec.actions.append(record)
        await state.sink.action_recorded(rec, record, None)
        return StepOutcome("completed", output=output)


async def _typed(state: RunState, text: str) -> str:
    """What to type: stored secrets and a fresh one-time code in place of their placeholders (a script
    keeps the placeholders, never the values)."""
    text = substitute(text, state.task.secrets)
    if TOTP_PLACEHOLDER in text:
        code = await state.totp_code()
        if not code:
            raise StepMissed("a one-time code was needed but none is available")
        text = text.replace(TOTP_PLACEHOLDER, code)
    return text


def fallback_goal(step: dict[str, Any], value: Any, task_prompt: str = "") -> str:
    """The one thing an AI fallback step must do, in words."""
    context = f" (It is one step of this task: {' '.join(task_prompt.split())[:300]})" if task_prompt else ""
    return (
        f"Do only this one step, then stop: {_goal(step, value)}. The page may have changed since the "
        f"script was recorded, so find the element that plays that part now.{context}"
    )


def _goal(step: dict[str, Any], value: Any) -> str:
    target = f"the element that was {step.get('target') or 'recorded'}"
    return {
        "click": f"click {target}",
        "hover": f"hover over {target}",
        "input_text": f"type {value!r} into {target}",
        "select_option": f"choose {value!r} in {target}",
        "checkbox": f"{'check' if value else 'uncheck'} {target}",
        "upload_file": f"upload the file {value} with {target}",
        "keypress": f"press the key {value}",
        "goto_url": f"open {value}",
    }.get(step["action"], f"{step['action']} {target}")


async def _expect_page(page: Page, expected: str | None) -> None:
    if same_page(page.url, expected):
        return  # the page the previous step left is the one expected: it has loaded already
    if not await _wait_for(page, expected, STATE_WAIT_S):
        raise StepMissed(f"the page is {page.url}, not the expected {expected}")


async def _wait_for(page: Page, expected: str | None, seconds: float) -> bool:
    """Wait until the page's path is the expected one (True), or give up after `seconds` (False)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while not same_page(page.url, expected):
        if loop.time() > deadline:
            return False
        await asyncio.sleep(0.05)
    if expected is not None:
        try:
            await page.wait_for_load_state("domcontentloaded", timeout=int(seconds * 1000))
        except PlaywrightError:
            return False
    return True


async def _find(page: Page, step: dict[str, Any]) -> tuple[Locator | None, dict[str, Any] | None]:
    """The first candidate that finds exactly one element, polled briefly while the page renders."""
    candidates = step.get("locators") or []
    if not candidates:
        return None, None
    for attempt in range(10):
        for candidate in candidates:
            locator = playwright_locator(page, candidate)
            try:
                if await locator.count() == 1:
                    return locator, candidate
            except PlaywrightError:
                continue
        if attempt < 9:
            await asyncio.sleep(0.1)
    tried = "; ".join(_candidate_words(c) for c in candidates)
    raise StepMissed(f"no element matched any of its locators ({tried})")


def playwright_locator(page: Page, candidate: dict[str, Any]) -> Locator:
    by = candidate.get("by")
    if by == "role":
        return page.get_by_role(candidate["role"], name=candidate["name"], exact=True)
    if by == "label":
        return page.get_by_label(candidate["value"], exact=True)
    if by == "placeholder":
        return page.get_by_placeholder(candidate["value"], exact=True)
    if by == "text":
        return page.get_by_text(candidate["value"], exact=True)
    return page.locator(candidate["value"])


def _candidate_words(candidate: dict[str, Any]) -> str:
    if candidate.get("by") == "role":
        return f"role {candidate['role']} named {candidate['name']!r}"
    return f"{candidate.get('by')} {candidate.get('value')!r}"
