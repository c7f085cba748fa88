"""run_agent: open the browser, run steps until the task ends, then collect what the run left behind."""

from __future__ import annotations

import contextlib
import logging
import mimetypes
import time
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

from jsonschema.exceptions import SchemaError

from agent.actions import first_line, schema_validator
from agent.browser import BrowserConfig, NavigationBlocked, Screencast, open_browser
from agent.engines import Engine, StepBody, engine_for
from agent.llm import LLMClient
from agent.loop.memory import freeze_startup_objects
from agent.loop.sink import NullSink, Sink, send_artifact
from agent.loop.start_url import choose_start_url
from agent.loop.state import RunState, ShouldStop, StepOutcome, TotpProvider
from agent.schemas import AgentResult, AgentTask, StepRecord, utcnow
from agent.secrets import redact_any, redact_result, redacting

log = logging.getLogger(__name__)

Launcher = Callable[[BrowserConfig], AbstractAsyncContextManager[Any]]
NAVIGATION_TIMEOUT_MS = 30_000


async def run_agent(
    task: AgentTask,
    llm: LLMClient,
    browser: BrowserConfig,
    sink: Sink | None = None,
    should_stop: ShouldStop | None = None,
    *,
    timeout: float | None = None,
    totp_provider: TotpProvider | None = None,
    launcher: Launcher | None = None,
    engine: str | Engine | None = None,
    secondary_llm: LLMClient | None = None,
    keep_page: bool = False,
) -> AgentResult:
    """Run `task` to an end and describe it; failures come back as a result, not an exception.

    `should_stop` (sync or async) is polled before each step and between actions: True cancels.
    `timeout` (seconds) ends the run as "timed_out" at the next such check. `launcher` replaces
    `agent.browser.open_browser` (tests use it to share one Chromium between runs). `engine` is a public
    engine name (agent.engines.engine_names()), or an engine object (agent.scripts.replay.ScriptEngine
    replays a script); `llm` carries that engine's model, base URL and key.
    `secondary_llm`, when given, answers the small helper calls (completion checks, summaries).
    `keep_page`: with no URL, start on the page the (shared) browser shows instead of choosing one.
    """
    freeze_startup_objects()
    if task.secrets:  # nothing the agent sends out may hold a secret value, only its placeholder
        llm, secondary_llm, sink = redacting(task.secrets, llm, secondary_llm, sink or NullSink())
    state = RunState(
        task=task,
        llm=llm,
        sink=sink or NullSink(),
        should_stop=should_stop,
        deadline=time.monotonic() + timeout if timeout else None,
        totp_provider=totp_provider,
        allow_hosts=list(browser.allow_private_hosts),
        work_dir=browser.run_dir,
        secondary_llm=secondary_llm,
    )
    try:
        chosen = engine if engine is not None and not isinstance(engine, str) else engine_for(engine)
    except ValueError as exc:
        return AgentResult(status="failed", failure_reason=str(exc))
    try:
        driver = _Run(state, browser, launcher or open_browser, chosen)
        driver.keep_page = keep_page
        return redact_result(await driver.run(), task.secrets)
    except Exception as exc:  # the host must always get a result it can store
        log.exception("agent run crashed")
        reason = redact_any(f"Internal error: {type(exc).__name__}: {exc}", task.secrets)
        return AgentResult(status="failed", failure_reason=reason)


def _preflight(state: RunState, engine: Engine) -> str | None:
    """Problems that make opening a browser pointless."""
    problem = engine.preflight(state)
    if problem:
        return problem
    try:
        schema_validator(state.task.data_extraction_schema)
    except SchemaError as exc:
        return f"data_extraction_schema is not a valid JSON schema: {exc.message}"
    return None


class _Run:
    """The generic driver every engine runs inside (agent.engines.base.Driver)."""

    def __init__(self, state: RunState, browser: BrowserConfig, launcher: Launcher, engine: Engine) -> None:
        self.state = state
        self.browser = browser
        self.launcher = launcher
        self.engine = engine
        self.steps: list[StepRecord] = []
        self.keep_page = False

    async def run(self) -> AgentResult:
        problem = _preflight(self.state, self.engine)
        if problem:
            return AgentResult(status="failed", failure_reason=problem)
        result = AgentResult(status="failed")
        async with contextlib.AsyncExitStack() as stack:
            try:
                session = await stack.enter_async_context(self.launcher(self.browser))
            except Exception as exc:
                log.exception("browser launch failed")
                return AgentResult(status="failed", failure_reason=f"Could not start the browser: {exc}")
            self.state.session = session
            await self.state.sink.browser_ready(session)
            self._start_live(stack, session)
            outcome = await self._open_start_page() or await self.engine.run(self)
            self._apply(outcome, result)
            await self._collect(session, result)
        # The video file is complete only once the browser context has closed.
        await self._recording(session, result)
        return result

    def _start_live(self, stack: contextlib.AsyncExitStack, session: Any) -> None:
        """Screencast to the sink while it has viewers, stopped before the browser closes (even on cancel).

        Hosts written before live_wanted/live_frame existed may lack them: they get no live view.
        """
        wanted = getattr(self.state.sink, "live_wanted", None)
        send = getattr(self.state.sink, "live_frame", None)
        if wanted is None or send is None:
            return
        live = Screencast(session, wanted=wanted, send=send)
        stack.push_async_callback(live.close)
        live.start()

    async def _open_start_page(self) -> StepOutcome | None:
        given = self.state.task.url
        url = given or await self._chosen_start_url()
        if not url:
            return None
        try:
            await self.state.session.goto(url, wait_until="domcontentloaded", timeout=NAVIGATION_TIMEOUT_MS)
        except NavigationBlocked as exc:
            problem = f"Could not open {url}: {exc}"
        except Exception as exc:
            problem = f"Could not open {url}: {first_line(exc)}"
        else:
            return None
        if given:
            return StepOutcome("fatal", problem)
        self.state.history.append(
            f"the chosen start page did not open ({problem}); started from a blank page"
        )
        return None

    async def _chosen_start_url(self) -> str | None:
        """No URL given: engines that talk to a chat model let it choose one; the host hears of it."""
        if (
            self.keep_page
            or not getattr(self.engine, "chooses_start_url", False)
            or self.browser.session_cdp_url
        ):
            return None  # a persistent session's run continues from the page it is on
        return await choose_start_url(self.state)

    async def stopped(self) -> StepOutcome | None:
        stop = await self.state.stop_reason()
        if stop is None:
            return None
        return StepOutcome(stop, "The run was canceled" if stop == "canceled" else "The run timed out")

    async def record_step(
        self,
        order: int,
        retry: int,
        body: StepBody,
        *,
        block_index: int | None = None,
        block_goal: str | None = None,
    ) -> StepOutcome:
        step = StepRecord(order=order, retry_index=retry, block_index=block_index, block_goal=block_goal)
        self.steps.append(step)
        await self.state.sink.step_started(step)
        outcome = await body(step)
        step.status = _step_status(outcome)
        step.finished_at = utcnow()
        if outcome.kind == "retry" and outcome.reason:
            step.output = {**(step.output or {}), "error": outcome.reason}
        await self.state.sink.step_finished(step)
        return outcome

    def _apply(self, outcome: StepOutcome, result: AgentResult) -> None:
        result.status = "failed" if outcome.kind in ("fatal", "retry", "continue") else outcome.kind
        result.output = outcome.output
        result.failure_reason = None if outcome.kind == "completed" else outcome.reason
        result.errors = list(outcome.errors)
        result.step_count = len(self.steps)
        charged = [*self.steps, *self.state.thoughts]
        result.input_tokens = sum(s.input_tokens for s in charged)
        result.output_tokens = sum(s.output_tokens for s in charged)
        result.total_cost = sum(s.cost for s in charged)

    async def _collect(self, session: Any, result: AgentResult) -> None:
        """Final screenshot and downloads, while the browser is still open."""
        sink = self.state.sink
        with contextlib.suppress(Exception):  # a crashed page has no final screenshot to give
            result.final_screenshot = await session.screenshot()
        if result.final_screenshot:
            await send_artifact(
                sink, None, "screenshot_final", result.final_screenshot, "final.png", "image/png"
            )
        result.downloaded_files = await session.wait_downloads()
        for path in result.downloaded_files:
            kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            await send_artifact(sink, None, "download", path.read_bytes(), path.name, kind)

    async def _recording(self, session: Any, result: AgentResult) -> None:
        path = getattr(session, "video_path", None)
        if path is None or not path.exists():
            return
        result.recording_path = path
        await send_artifact(self.state.sink, None, "recording", path.read_bytes(), path.name, "video/webm")


def _step_status(outcome: StepOutcome) -> str:
    if outcome.kind in ("retry", "fatal"):
        return "failed"
    if outcome.kind in ("canceled", "timed_out"):
        return "canceled"
    return "completed"
