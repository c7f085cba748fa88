"""run_workflow: the blocks of a definition in order, with one browser for the whole run.

1. The browser opens when the first block that needs it starts, and closes when the run ends; every
   browser block runs `run_agent` on that same session (its launcher yields the open session).
2. Each block's settings are rendered against the parameters, the earlier blocks' outputs and, in a
   loop, the current value; what actually ran is the block's `inputs`.
3. A block that does not complete ends the run with its status, unless it says `continue_on_failure`
   (or, in a loop, `next_loop_on_failure`: the loop goes on with its next value).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from contextlib import asynccontextmanager
from typing import Any

from agent.browser import open_browser
from agent.llm import LLMError, LLMReply
from agent.loop.memory import freeze_startup_objects
from agent.loop.sink import send_artifact, send_thought
from agent.schemas import ThoughtRecord
from agent.workflow import calls
from agent.workflow.agent_blocks import run_browser_block
from agent.workflow.calls import BlockFailed
from agent.workflow.definition import BROWSER_BLOCKS
from agent.workflow.host import BlockRun, WorkflowHost, WorkflowOptions, WorkflowResult
from agent.workflow.templating import TemplateProblem, evaluate, render

log = logging.getLogger(__name__)
NOT_RENDERED = frozenset({"loop_blocks", "data_schema", "json_schema", "loop_variable_reference", "label"})


async def run_workflow(
    definition: dict[str, Any], parameters: dict[str, Any], options: WorkflowOptions, host: WorkflowHost
) -> WorkflowResult:
    """Run every block; failures come back as a result, not an exception."""
    freeze_startup_objects()
    runner = _WorkflowRun(definition, parameters, options, host)
    try:
        return await runner.run()
    except Exception as exc:  # the host must always get a result it can store
        log.exception("workflow run crashed")
        return WorkflowResult(status="failed", failure_reason=f"Internal error: {type(exc).__name__}: {exc}")


class _WorkflowRun:
    def __init__(
        self,
        definition: dict[str, Any],
        parameters: dict[str, Any],
        options: WorkflowOptions,
        host: WorkflowHost,
    ) -> None:
        self.definition = definition
        self.options = options
        self.host = host
        self.context: dict[str, Any] = {
            **parameters,
            "workflow_run_id": options.workflow_run_id,
            "workflow_title": options.title,
        }
        self.deadline = time.monotonic() + options.timeout if options.timeout else None
        self.session: Any = None
        self.stack = contextlib.AsyncExitStack()
        self.order = 0
        self.totals = WorkflowResult(status="completed")

    async def run(self) -> WorkflowResult:
        result = self.totals
        outputs: dict[str, Any] = {}
        async with self.stack:
            status, reason = await self._blocks(self.definition["blocks"], None, outputs)
        await self._recording()
        result.status, result.failure_reason, result.output = status, reason, outputs
        return result

    # --- the browser, shared ------------------------------------------------------------------------

    async def open_session(self) -> Any:
        if self.session is None:
            launcher = self.options.launcher or open_browser
            self.session = await self.stack.enter_async_context(launcher(self.options.browser))
        return self.session

    @asynccontextmanager
    async def shared(self, _config: Any):
        yield self.session

    async def _recording(self) -> None:
        path = getattr(self.session, "video_path", None)
        if path is not None and path.exists():
            sink = self.host.run_sink()
            await send_artifact(sink, None, "recording", path.read_bytes(), path.name, "video/webm")

    def remaining(self) -> float | None:
        return max(1.0, self.deadline - time.monotonic()) if self.deadline else None

    async def stop_reason(self) -> str | None:
        if self.deadline and time.monotonic() > self.deadline:
            return "timed_out"
        check = self.options.should_stop
        if check is not None:
            answer = check()
            if asyncio.iscoroutine(answer):
                answer = await answer
            if answer:
                return "canceled"
        return None

    # --- blocks ---------------------------------------------------------------------------------------

    async def _blocks(
        self, blocks: list[dict[str, Any]], parent: BlockRun | None, outputs: dict[str, Any], loop: Any = None
    ) -> tuple[str, str | None]:
        """Run `blocks` in order; (status, reason) of the sequence. `loop` is (index, value) inside a loop."""
        for block in blocks:
            stop = await self.stop_reason()
            if stop:
                return stop, "The run was canceled" if stop == "canceled" else "The run timed out"
            run = await self._block(block, parent, loop)
            outputs[run.label] = run.output
            self.context[run.label] = {"output": run.output, "status": run.status}
            self.context[f"{run.label}_output"] = run.output
            if run.status == "completed" or block.get("continue_on_failure"):
                continue
            if loop is not None and block.get("next_loop_on_failure"):
                return "next_loop", run.failure_reason
            return run.status, f"Block {run.label!r}: {run.failure_reason or run.status}"
        return "completed", None

    async def _block(self, block: dict[str, Any], parent: BlockRun | None, loop: Any) -> BlockRun:
        run = BlockRun(label=block["label"], block_type=block["block_type"], order=self.order, parent=parent)
        self.order += 1
        if loop is not None:
            run.loop_index, run.loop_value = loop
        try:
            run.inputs = {k: render(v, self.context) for k, v in block.items() if k not in NOT_RENDERED}
        except TemplateProblem as exc:
            run.inputs = {}
            await self.host.block_started(run)
            return await self._finish(run, "failed", None, str(exc))
        await self.host.block_started(run)
        try:
            status, output, reason = await self._execute(block, run)
        except BlockFailed as exc:
            status, output, reason = exc.status, None, exc.reason
        except (LLMError, TemplateProblem) as exc:
            status, output, reason = "failed", None, str(exc)
        return await self._finish(run, status, output, reason)

    async def _finish(self, run: BlockRun, status: str, output: Any, reason: str | None) -> BlockRun:
        run.status, run.output, run.failure_reason = status, output, reason
        self.totals.input_tokens += run.input_tokens
        self.totals.output_tokens += run.output_tokens
        self.totals.total_cost += run.cost
        await self.host.block_finished(run)
        return run

    async def charge(self, run: BlockRun, reply: LLMReply, asked: str, output: Any) -> None:
        """Count a block's own LLM call and hand it to the host as a thought of that block."""
        run.input_tokens += reply.input_tokens
        run.output_tokens += reply.output_tokens
        run.cost += reply.cost
        thought = ThoughtRecord(
            order=0,
            thought_type="internal_plan",
            user_input=asked[:4000],
            answer=reply.text[:4000],
            output=output if isinstance(output, dict) else {"value": output},
        )
        thought.charge(reply)
        await send_thought(self.host.block_sink(run), thought)

    async def _execute(self, block: dict[str, Any], run: BlockRun) -> tuple[str, Any, str | None]:
        kind, inputs = run.block_type, run.inputs or {}
        if kind == "for_loop":
            return await self._loop(block, run)
        if kind == "wait":
            return await self._wait(int(inputs.get("wait_sec") or 0))
        if kind == "text_prompt":
            output, reply = await calls.text_prompt(
                self.options.llm, inputs["prompt"], block.get("json_schema")
            )
            await self.charge(run, reply, inputs["prompt"], output)
            return "completed", output, None
        if kind == "validation":
            return await self._validation(run, inputs)
        if kind == "http_request":
            output = await calls.http_request(
                method=inputs.get("method") or "GET",
                url=inputs["url"],
                headers=inputs.get("headers"),
                body=inputs.get("body"),
                timeout=float(inputs.get("timeout") or 30),
                follow_redirects=bool(inputs.get("follow_redirects", True)),
                allow=list(self.options.browser.allow_private_hosts),
            )
            return "completed", output, None
        if kind in BROWSER_BLOCKS:
            await self.open_session()
            return await run_browser_block(self, block, run)
        raise BlockFailed(f"block_type {kind!r} cannot run here")

    async def _wait(self, seconds: int) -> tuple[str, Any, str | None]:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            stop = await self.stop_reason()
            if stop:
                return stop, None, "The run was canceled" if stop == "canceled" else "The run timed out"
            await asyncio.sleep(min(0.5, max(0.0, end - time.monotonic())))
        return "completed", None, None

    async def _validation(self, run: BlockRun, inputs: dict[str, Any]) -> tuple[str, Any, str | None]:
        from agent.loop.observe import observe

        page = (await observe(self.session, with_html=False)).view if self.session is not None else None
        outputs = {k[: -len("_output")]: v for k, v in self.context.items() if k.endswith("_output")}
        verdict, reply = await calls.validation(
            self.options.llm,
            complete=inputs.get("complete_criterion"),
            terminate=inputs.get("terminate_criterion"),
            page=page,
            outputs=outputs,
        )
        await self.charge(
            run, reply, str(inputs.get("complete_criterion") or inputs.get("terminate_criterion")), verdict
        )
        if verdict["valid"]:
            return "completed", verdict, None
        return "terminated", verdict, f"Validation did not pass: {verdict['reasoning']}"

    async def _loop(self, block: dict[str, Any], run: BlockRun) -> tuple[str, Any, str | None]:
        values = self._loop_values(block)
        names = ("current_value", "current_item", "current_index")
        outer = {name: self.context[name] for name in names if name in self.context}  # a loop in a loop
        results: list[dict[str, Any]] = []
        try:
            for index, value in enumerate(values):
                self.context.update(current_value=value, current_item=value, current_index=index)
                iteration: dict[str, Any] = {}
                status, reason = await self._blocks(block["loop_blocks"], run, iteration, loop=(index, value))
                results.append(iteration)
                if status not in ("completed", "next_loop"):
                    return status, results, reason
        finally:
            for name in names:
                self.context.pop(name, None)
            self.context.update(outer)
        return "completed", results, None

    def _loop_values(self, block: dict[str, Any]) -> list[Any]:
        key = block.get("loop_over_parameter_key")
        value = (
            self.context.get(key) if key else evaluate(str(block["loop_variable_reference"]), self.context)
        )
        if isinstance(value, dict):  # an extraction's object with one list in it: loop over that list
            lists = [item for item in value.values() if isinstance(item, list)]
            value = lists[0] if len(lists) == 1 else value
        if not isinstance(value, list):
            raise BlockFailed(f"The loop's value is not a list: {str(value)[:200]}")
        return value
