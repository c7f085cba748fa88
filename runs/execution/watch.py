"""The worker's eye on a running run: cancellation and heartbeats, read from the database."""

from __future__ import annotations

import asyncio
import logging
import time

from asgiref.sync import sync_to_async
from django.conf import settings

from runs import selectors, services
from runs.choices import RunStatus
from runs.execution.db import db_retry
from runs.models import TaskRun

log = logging.getLogger(__name__)

STATUS_POLL_SECONDS = 0.5


def grace_seconds() -> int:
    """How long past RUN_SOFT_TIME_LIMIT a run (task or workflow) may take to close its browser and finish its
    video before its driver gives up waiting."""
    return max(5, (settings.RUN_HARD_TIME_LIMIT - settings.RUN_SOFT_TIME_LIMIT) // 4)


class RunWatch:
    """Reads the run's status from the database every STATUS_POLL_SECONDS and sends heartbeats.

    The agent calls `stop_requested()` before each step and between actions: one small query, so a cancel
    committed before an action is seen by that action (fast actions can run several to a poll interval).
    `should_stop()` answers from the last read without touching the database.
    """

    def __init__(self, run: TaskRun) -> None:
        self.run = run
        self.status = RunStatus.RUNNING
        self._last_heartbeat = time.monotonic()

    def should_stop(self) -> bool:
        return self.status != RunStatus.RUNNING

    async def stop_requested(self) -> bool:
        try:
            status = await sync_to_async(selectors.run_status)(run_pk=self.run.pk)
        except Exception:  # a database hiccup: the last polled answer will do until the next poll
            return self.should_stop()
        self.status = status or RunStatus.CANCELED
        return self.should_stop()

    def _tick(self) -> str | None:
        if time.monotonic() - self._last_heartbeat >= settings.RUN_HEARTBEAT_SECONDS:
            self._last_heartbeat = time.monotonic()
            return services.run_heartbeat(run=self.run)
        return selectors.run_status(run_pk=self.run.pk)

    async def watch(self) -> None:
        while True:
            await asyncio.sleep(STATUS_POLL_SECONDS)
            try:
                # A dropped connection is reopened (within a few seconds), so heartbeats go on after it.
                self.status = await sync_to_async(db_retry)(self._tick, seconds=5) or RunStatus.CANCELED
            except Exception:  # a database hiccup must not stop the run; try again next tick
                log.warning("status check failed for %s", self.run.run_id, exc_info=True)
