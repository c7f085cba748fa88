"""The agent's sink for a run: every step, action and artifact is committed, then published.

All database work goes through `sync_to_async` (one thread, so one connection) and `db_retry`, so a dropped
connection is reopened instead of failing the rest of the run; a write that still fails is remembered in
`write_error` (the runner reports it as the run's failure reason). Events are published with `await` from
the worker's event loop, after the write has committed (autocommit: each call commits).
Live browser frames come from the agent's screencast, which asks `live_wanted` (is a run page open?)
and hands each frame to `live_frame`; the host only publishes them.
"""

from __future__ import annotations

import logging
from typing import Any

from asgiref.sync import sync_to_async
from django.db import DatabaseError, InterfaceError

from agent import ActionRecord, NullSink, StepRecord, ThoughtRecord
from runs import presenters, services
from runs.choices import ArtifactType
from runs.execution.db import db_retry
from runs.live import events, viewers
from runs.models import Artifact, Step, TaskRun

log = logging.getLogger(__name__)

# The agent sends each action's screenshot twice (as an artifact and with the action); we keep the
# copy that comes with the action, so it can be linked to its Action row.
SKIPPED_ARTIFACTS = frozenset({ArtifactType.SCREENSHOT_ACTION})


def _action_result(action: ActionRecord) -> dict[str, Any]:
    return {
        "success": action.status == "completed",
        "error_type": action.error_type,
        "error_message": action.error_message,
        "data": action.data,
        "download_triggered": action.download_triggered,
        # What a script needs to replay the action (agent.scripts): the element and the page it was on.
        "locator": action.locator,
        "page": action.page,
    }


class DbSink(NullSink):
    def __init__(self, run: TaskRun) -> None:
        self.run = run
        self.run_id = run.run_id
        self._steps: dict[tuple[int, int], Step] = {}
        self.frames_sent = 0
        self._watched = False
        self.write_error: Exception | None = None

    async def _db(self, fn, *args):
        """Run a database call in the sink's thread, reconnecting on a dropped connection."""
        try:
            return await sync_to_async(db_retry)(fn, *args)
        except (DatabaseError, InterfaceError) as exc:
            self.write_error = self.write_error or exc
            raise

    async def live_wanted(self) -> bool:
        watched = await viewers.aviewer_count(self.run_id) > 0
        if watched != self._watched:
            self._watched = watched
            if watched:
                log.info("screencast of %s started for its viewers", self.run_id)
            else:
                log.info("screencast of %s stopped: no viewers", self.run_id)
        return watched

    async def live_frame(self, image: str) -> None:
        self.frames_sent += 1
        await events.apublish_frame(self.run_id, image)

    # --- steps ------------------------------------------------------------------------------------

    def _step_row(self, step: StepRecord) -> Step:
        key = (step.order, step.retry_index)
        if key not in self._steps:
            self._steps[key] = services.step_record(
                run=self.run,
                order=step.order,
                retry_index=step.retry_index,
                block_index=step.block_index,
                block_goal=step.block_goal or "",
            )
        return self._steps[key]

    async def step_started(self, step: StepRecord) -> None:
        row = await self._db(self._step_row, step)
        await events.apublish(self.run_id, "step.started", presenters.step_summary(row, finished=False))

    def _finish(self, step: StepRecord) -> Step:
        row = services.step_finish(
            step=self._step_row(step),
            status=step.status,
            input_tokens=step.input_tokens,
            output_tokens=step.output_tokens,
            reasoning_tokens=step.reasoning_tokens,
            cached_tokens=step.cached_tokens,
            cost=step.cost,
            llm_model=step.llm_model or "",
            output=step.output,
            screenshots_sent=step.screenshots_sent,
            screenshot_note=step.screenshot_note or "",
        )
        services.run_progress(run=self.run)
        return row

    async def step_finished(self, step: StepRecord) -> None:
        row = await self._db(self._finish, step)
        await events.apublish(self.run_id, "step.finished", presenters.step_summary(row, finished=True))

    async def start_url_chosen(self, url: str) -> None:
        await self._db(lambda: services.run_start_url(run=self.run, url=url))

    async def thought(self, thought: ThoughtRecord) -> None:
        payload = await self._db(
            lambda: presenters.thought_to_response(services.thought_record(run=self.run, thought=thought))
        )
        await events.apublish(self.run_id, "thought", payload)

    # --- actions and artifacts --------------------------------------------------------------------

    def _record_action(
        self, step: StepRecord, action: ActionRecord, screenshot: bytes | None
    ) -> dict[str, Any]:
        """Store the action (and its screenshot); returns its event payload."""
        row = self._step_row(step)
        shot = None
        if screenshot:
            shot = services.artifact_store(
                run=self.run,
                step=row,
                artifact_type=ArtifactType.SCREENSHOT_ACTION,
                data=screenshot,
                filename=f"step{step.order}_{step.retry_index}_action{action.index}.png",
                content_type="image/png",
            )
        record = services.action_record(
            step=row,
            index=action.index,
            action_type=action.action_type,
            status=action.status,
            element_id=action.element_id,
            reasoning=action.reasoning,
            text=action.text,
            option=action.option,
            file_url=action.file_url,
            result=_action_result(action),
            screenshot=shot,
            x=action.x,
            y=action.y,
            raw=action.raw,
        )
        return presenters.action_to_response(record, run=self.run)

    async def action_recorded(self, step: StepRecord, action: ActionRecord, screenshot: bytes | None) -> None:
        payload = await self._db(self._record_action, step, action, screenshot)
        await events.apublish(self.run_id, "action", payload)

    def _store(
        self, step: StepRecord | None, artifact_type: str, data: bytes, filename: str, content_type: str
    ):
        return services.artifact_store(
            run=self.run,
            step=self._step_row(step) if step is not None else None,
            artifact_type=artifact_type,
            data=data,
            filename=filename,
            content_type=content_type,
        )

    async def artifact(
        self, step: StepRecord | None, artifact_type: str, data: bytes, filename: str, content_type: str
    ) -> Artifact | None:
        if artifact_type in SKIPPED_ARTIFACTS:
            return None
        if artifact_type not in ArtifactType.values:
            log.warning("ignoring an artifact of unknown type %r", artifact_type)
            return None
        return await self._db(self._store, step, artifact_type, data, filename, content_type)
