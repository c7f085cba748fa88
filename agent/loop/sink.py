"""Where the loop reports what happens; the host persists and broadcasts, the agent does not care how."""

from __future__ import annotations

import logging
from typing import Any, Protocol

from agent.schemas import ActionRecord, StepRecord, ThoughtRecord

log = logging.getLogger(__name__)

# Skyvern's artifact_type values, as passed to Sink.artifact.
ARTIFACT_TYPES = (
    "screenshot_llm",
    "screenshot_action",
    "screenshot_final",
    "llm_prompt",
    "llm_request",
    "llm_response",
    "llm_response_parsed",
    "visible_elements_tree",
    "html_scrape",
    "recording",
    "download",
)


class Sink(Protocol):
    async def browser_ready(self, session: Any) -> None:
        """Once, after the browser opened. Kept for older hosts: live frames now come through
        `live_wanted` / `live_frame`, so a host need not touch the browser itself."""

    async def live_wanted(self) -> bool:
        """Polled about once a second for the whole run: is anybody watching right now? While True the
        agent screencasts its current page to `live_frame`. Keep it cheap; an error counts as False.
        A sink without live_wanted/live_frame (written before they existed) simply gets no live view."""

    async def live_frame(self, image: str) -> None:
        """A live picture of the page: base64 JPEG, at most a few a second, only while `live_wanted`."""

    async def step_started(self, step: StepRecord) -> None: ...

    async def action_recorded(self, step: StepRecord, action: ActionRecord, screenshot: bytes | None) -> None:
        """After each action ran; `screenshot` is the viewport just after it (also sent as a
        `screenshot_action` artifact, so store one of the two)."""

    async def step_finished(self, step: StepRecord) -> None: ...

    async def thought(self, thought: ThoughtRecord) -> None:
        """A planner, validator or summary call of an engine that reasons between steps (skyvern-2.0)."""

    async def start_url_chosen(self, url: str) -> None:
        """The task had no URL and the agent chose this one to start from."""

    async def artifact(
        self, step: StepRecord | None, artifact_type: str, data: bytes, filename: str, content_type: str
    ) -> None:
        """`step` is None for run-level artifacts (final screenshot, recording, downloads)."""


class NullSink:
    """Does nothing; hosts subclass it and override what they need."""

    async def browser_ready(self, session: Any) -> None:
        pass

    async def live_wanted(self) -> bool:
        return False

    async def live_frame(self, image: str) -> None:
        pass

    async def step_started(self, step: StepRecord) -> None:
        pass

    async def action_recorded(self, step: StepRecord, action: ActionRecord, screenshot: bytes | None) -> None:
        pass

    async def step_finished(self, step: StepRecord) -> None:
        pass

    async def thought(self, thought: ThoughtRecord) -> None:
        pass

    async def start_url_chosen(self, url: str) -> None:
        pass

    async def artifact(
        self, step: StepRecord | None, artifact_type: str, data: bytes, filename: str, content_type: str
    ) -> None:
        pass


async def send_artifact(
    sink: Sink,
    step: StepRecord | None,
    artifact_type: str,
    data: bytes | str,
    filename: str,
    content_type: str,
) -> None:
    """Hand an artifact to the sink; a failure to store one is logged, not fatal to the run."""
    payload = data.encode() if isinstance(data, str) else data
    try:
        await sink.artifact(step, artifact_type, payload, filename, content_type)
    except Exception:
        log.exception("sink failed to store artifact %s", filename)


async def send_thought(sink: Sink, thought: ThoughtRecord) -> None:
    """Hand a thought to the sink; hosts written before thoughts existed may not take them."""
    record = getattr(sink, "thought", None)
    if record is None:
        return
    try:
        await record(thought)
    except Exception:
        log.exception("sink failed to store thought %s", thought.order)
