"""The database host of a workflow run: a WorkflowRunBlock row per block (loop iterations as children),
and a DbSink per block whose steps and thoughts belong to that block.

Every block's agent run numbers its steps from 0; the run's steps are unique by (order, retry), so each
block's steps continue the run's numbering (its `order_base`), and its thoughts likewise.
"""

from __future__ import annotations

from typing import Any

from asgiref.sync import sync_to_async
from django.db.models import Max
from django.utils import timezone

from agent import AgentResult, AgentTask, StepRecord, ThoughtRecord
from agent.workflow import BlockRun, WorkflowHost
from runs import presenters, services
from runs.choices import ArtifactType
from runs.execution.db import db_retry
from runs.execution.scripting import payload_values, script_after_task, script_engine_for_task
from runs.execution.sink import DbSink
from runs.live import events
from runs.models import Step, TaskRun, Thought, WorkflowRunBlock
from runs.presenters.workflows import block_to_response
from runs.selectors.steps import actions_for_block
from runs.services.scripts import action_as_record

BLOCK_STATUSES = {"completed", "failed", "terminated", "canceled", "timed_out", "skipped", "running"}


class BlockSink(DbSink):
    """DbSink whose rows hang off one block and continue the run's step and thought numbering."""

    def __init__(self, run: TaskRun, block: WorkflowRunBlock, stored_downloads: set[str]) -> None:
        super().__init__(run)
        self.block = block
        self.stored_downloads = stored_downloads
        self.step_base: int | None = None
        self.thought_base: int | None = None

    def _step_row(self, step: StepRecord) -> Step:
        key = (step.order, step.retry_index)
        if key not in self._steps:
            if self.step_base is None:
                top = Step.objects.filter(run=self.run).aggregate(top=Max("order"))["top"]
                self.step_base = 0 if top is None else top + 1
            row = services.step_record(
                run=self.run,
                order=self.step_base + step.order,
                retry_index=step.retry_index,
                block_index=step.block_index,
                block_goal=step.block_goal or "",
            )
            Step.objects.filter(pk=row.pk).update(workflow_block=self.block)
            row.workflow_block = self.block
            self._steps[key] = row
        return self._steps[key]

    def _thought_row(self, thought: ThoughtRecord) -> dict[str, Any]:
        if self.thought_base is None:
            top = Thought.objects.filter(run=self.run).aggregate(top=Max("order"))["top"]
            self.thought_base = 0 if top is None else top + 1
        moved = thought.model_copy(update={"order": self.thought_base + thought.order})
        row = services.thought_record(run=self.run, thought=moved)
        Thought.objects.filter(pk=row.pk).update(workflow_block=self.block)
        return presenters.thought_to_response(row)

    async def thought(self, thought: ThoughtRecord) -> None:
        payload = await self._db(self._thought_row, thought)
        await events.apublish(self.run_id, "thought", payload)

    async def artifact(self, step, artifact_type: str, data: bytes, filename: str, content_type: str):
        # Each block's agent run hands over every download of the shared browser so far: keep the new ones.
        if artifact_type == ArtifactType.DOWNLOAD:
            if filename in self.stored_downloads:
                return None
            self.stored_downloads.add(filename)
        return await super().artifact(step, artifact_type, data, filename, content_type)


class DbWorkflowHost(WorkflowHost):
    def __init__(self, run: TaskRun, credential_lookup=None) -> None:
        self.run = run
        self.run_id = run.run_id
        self.sinks: dict[int, BlockSink] = {}
        self.stored_downloads: set[str] = set()
        self.credential_lookup = credential_lookup
        self.write_error: Exception | None = None
        self.scripts: dict[int, Any] = {}

    def _create(self, block: BlockRun) -> WorkflowRunBlock:
        return WorkflowRunBlock.objects.create(
            run=self.run,
            parent=block.parent.ref if block.parent is not None else None,
            order=block.order,
            label=block.label,
            block_type=block.block_type,
            status="running",
            loop_index=block.loop_index,
            loop_value=block.loop_value,
            inputs=_redacted(block.inputs),
            started_at=timezone.now(),
        )

    async def block_started(self, block: BlockRun) -> None:
        block.ref = await sync_to_async(db_retry)(self._create, block)
        await self._publish("block.started", block.ref)

    def _finish(self, block: BlockRun) -> WorkflowRunBlock:
        row: WorkflowRunBlock = block.ref
        row.status = block.status if block.status in BLOCK_STATUSES else "failed"
        row.output = block.output
        row.failure_reason = block.failure_reason
        row.input_tokens, row.output_tokens = block.input_tokens, block.output_tokens
        row.finished_at = timezone.now()
        row.save()
        services.run_progress(run=self.run)
        return row

    async def block_finished(self, block: BlockRun) -> None:
        row = await sync_to_async(db_retry)(self._finish, block)
        await self._publish("block.finished", row)

    async def _publish(self, kind: str, row: WorkflowRunBlock) -> None:
        payload = await sync_to_async(block_to_response)(row, self.run)
        await events.apublish(self.run_id, kind, payload)

    def block_sink(self, block: BlockRun) -> BlockSink:
        if id(block) not in self.sinks:
            self.sinks[id(block)] = BlockSink(self.run, block.ref, self.stored_downloads)
        return self.sinks[id(block)]

    def run_sink(self) -> DbSink:
        return DbSink(self.run)

    def _workflow_id(self) -> str:
        return self.run.workflow.workflow_permanent_id if self.run.workflow else ""

    def _run_with(self) -> tuple[str | None, bool]:
        request = self.run.request or {}
        settings = (self.run.workflow.settings if self.run.workflow else None) or {}
        fallback = request.get("ai_fallback")
        if fallback is None:
            fallback = settings.get("ai_fallback")
        return request.get("run_with") or settings.get("run_with"), fallback is not False

    def _replay(self, block: BlockRun, task: AgentTask) -> Any:
        run_with, ai_fallback = self._run_with()
        if run_with != "code":
            return None
        engine, script = script_engine_for_task(
            organization=self.run.organization,
            url=task.url or "",
            prompt=task.prompt,
            parameters=payload_values(task.navigation_payload),
            ai_fallback=ai_fallback,
            workflow_permanent_id=self._workflow_id(),
            block_label=block.label,
        )
        self.scripts[id(block)] = script
        return engine

    async def block_engine(self, block: BlockRun, task: AgentTask) -> Any:
        """With run_with "code" (the run's or the workflow's), the block replays its latest script."""
        return await sync_to_async(self._replay)(block, task)

    def _keep_script(self, block: BlockRun, task: AgentTask, result: AgentResult, engine: Any) -> None:
        script_after_task(
            run=self.run,
            actions=[action_as_record(row) for row in actions_for_block(block=block.ref)],
            prompt=task.prompt,
            output=result.output,
            status=result.status,
            engine=engine,
            script=self.scripts.pop(id(block), None),
            url=task.url or "",
            workflow_permanent_id=self._workflow_id(),
            block_label=block.label,
        )

    async def block_ran(self, block: BlockRun, task: AgentTask, result: AgentResult, engine: Any) -> None:
        """A completed block leaves a script revision (a replay only when an AI fallback changed a step)."""
        await sync_to_async(self._keep_script)(block, task, result, engine)

    async def login(self, block: BlockRun, inputs: dict[str, Any]) -> dict[str, Any] | None:
        if self.credential_lookup is None:
            return None
        return await sync_to_async(self.credential_lookup)(self.run, inputs)

    @property
    def sink_write_error(self) -> Exception | None:
        return next((s.write_error for s in self.sinks.values() if s.write_error is not None), None)


def _redacted(inputs: dict[str, Any] | None) -> dict[str, Any] | None:
    """A block's inputs without header values (they may carry tokens); what ran, safe to show."""
    if not inputs:
        return inputs
    shown = dict(inputs)
    if isinstance(shown.get("headers"), dict):
        shown["headers"] = {name: "…" for name in shown["headers"]}
    return shown
