"""Writes made while a run executes: steps, actions, progress, heartbeats and the final outcome."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from django.db.models import Count, Sum
from django.utils import timezone

from runs import selectors
from runs.choices import ActionStatus, ArtifactType, RunStatus, StepStatus
from runs.exceptions import IllegalTransition
from runs.live import events
from runs.models import Action, Artifact, Step, TaskRun, Thought
from runs.services.artifacts import artifact_store
from runs.services.published_tasks import task_publish_goals
from runs.services.runs import run_transition

# What the agent may report as a run's end; anything else is a bug and ends the run as failed.
AGENT_STATUSES = {
    RunStatus.COMPLETED,
    RunStatus.FAILED,
    RunStatus.TERMINATED,
    RunStatus.CANCELED,
    RunStatus.TIMED_OUT,
}


def step_record(
    *, run: TaskRun, order: int, retry_index: int = 0, block_index: int | None = None, block_goal: str = ""
) -> Step:
    """The row for a step that has just started (idempotent: a repeated call returns the same row)."""
    step, _ = Step.objects.get_or_create(
        run=run,
        order=order,
        retry_index=retry_index,
        defaults={"status": StepStatus.RUNNING, "block_index": block_index, "block_goal": block_goal or ""},
    )
    return step


def step_finish(
    *,
    step: Step,
    status: str,
    input_tokens: int = 0,
    output_tokens: int = 0,
    reasoning_tokens: int = 0,
    cached_tokens: int = 0,
    cost: float = 0.0,
    llm_model: str = "",
    output: Any = None,
    is_last: bool = False,
    screenshots_sent: int | None = None,
    screenshot_note: str = "",
) -> Step:
    step.status = status
    step.input_token_count = input_tokens
    step.output_token_count = output_tokens
    step.reasoning_token_count = reasoning_tokens
    step.cached_token_count = cached_tokens
    step.step_cost = cost
    step.llm_model = llm_model or ""
    step.output = output
    step.is_last = is_last
    step.screenshots_sent = screenshots_sent
    step.screenshot_note = screenshot_note or ""
    step.save()
    return step


def action_record(
    *,
    step: Step,
    index: int,
    action_type: str,
    status: str = ActionStatus.COMPLETED,
    element_id: str | None = None,
    reasoning: str | None = None,
    text: str | None = None,
    option: dict[str, Any] | None = None,
    file_url: str | None = None,
    result: dict[str, Any] | None = None,
    screenshot: Artifact | None = None,
    x: float | None = None,
    y: float | None = None,
    raw: dict[str, Any] | None = None,
) -> Action:
    return Action.objects.create(
        x=x,
        y=y,
        raw=raw,
        step=step,
        index=index,
        action_type=action_type,
        status=status,
        element_id=element_id or "",
        reasoning=reasoning or "",
        text=text,
        option=option,
        file_url=file_url,
        result=result,
        screenshot=screenshot,
    )


def thought_record(*, run: TaskRun, thought: Any) -> Thought:
    """Store one reasoning call (an agent.ThoughtRecord) and count its tokens into the run."""
    row, _ = Thought.objects.update_or_create(
        run=run,
        order=thought.order,
        defaults={
            "thought_type": thought.thought_type,
            "thought_scenario": thought.thought_scenario or "",
            "block_index": thought.block_index,
            "user_input": thought.user_input or "",
            "observation": thought.observation or "",
            "thought": thought.thought or "",
            "answer": thought.answer or "",
            "output": thought.output,
            "input_token_count": thought.input_tokens,
            "output_token_count": thought.output_tokens,
            "reasoning_token_count": thought.reasoning_tokens,
            "cached_token_count": thought.cached_tokens,
            "thought_cost": thought.cost,
            "llm_model": thought.llm_model or "",
        },
    )
    run_progress(run=run)
    return row


def run_progress(*, run: TaskRun) -> TaskRun:
    """Keep step_count, tokens and cost equal to the sum over the run's steps and thoughts."""
    steps = Step.objects.filter(run=run).aggregate(
        steps=Count("id"),
        input_tokens=Sum("input_token_count"),
        output_tokens=Sum("output_token_count"),
        cost=Sum("step_cost"),
    )
    thoughts = Thought.objects.filter(run=run).aggregate(
        input_tokens=Sum("input_token_count"),
        output_tokens=Sum("output_token_count"),
        cost=Sum("thought_cost"),
    )
    values = {
        "step_count": steps["steps"] or 0,
        "input_tokens": (steps["input_tokens"] or 0) + (thoughts["input_tokens"] or 0),
        "output_tokens": (steps["output_tokens"] or 0) + (thoughts["output_tokens"] or 0),
        "total_cost": (steps["cost"] or 0.0) + (thoughts["cost"] or 0.0),
    }
    TaskRun.objects.filter(pk=run.pk).update(modified_at=timezone.now(), **values)
    for name, value in values.items():
        setattr(run, name, value)
    return run


def run_start_url(*, run: TaskRun, url: str) -> TaskRun:
    """The task had no URL and the agent chose `url`: the run shows it from now on."""
    if run.url:
        return run
    TaskRun.objects.filter(pk=run.pk, url="").update(url=url[:2083], modified_at=timezone.now())
    run.url = url[:2083]
    events.run_updated(run.pk)
    return run


def run_warn(*, run: TaskRun, code: str, message: str) -> TaskRun:
    """Add a warning to the run's errors (it stays there when the run finishes): something the user asked
    for that the run does without, such as a proxy this server does not have."""
    warnings = run.warnings
    if any(w.get("error_code") == code for w in warnings):
        return run
    errors = [*(run.errors or []), {"error_code": code, "reasoning": message, "warning": True}]
    TaskRun.objects.filter(pk=run.pk).update(errors=errors, modified_at=timezone.now())
    run.errors = errors
    events.run_updated(run.pk)
    return run


def run_heartbeat(*, run: TaskRun) -> str | None:
    """Mark the run alive; returns its current status (None when it no longer exists)."""
    TaskRun.objects.filter(pk=run.pk, status=RunStatus.RUNNING).update(heartbeat_at=timezone.now())
    return selectors.run_status(run_pk=run.pk)


def _store_outputs(run: TaskRun, result) -> None:
    """Store the recording, final screenshot and downloads unless the agent's sink already did."""
    stored = set(run.artifacts.values_list("artifact_type", flat=True).distinct())
    recording = getattr(result, "recording_path", None)
    if ArtifactType.RECORDING not in stored and recording and Path(recording).is_file():
        artifact_store(
            run=run, artifact_type=ArtifactType.RECORDING, data=Path(recording), filename=Path(recording).name
        )
    shot = getattr(result, "final_screenshot", None)
    if ArtifactType.SCREENSHOT_FINAL not in stored and shot:
        artifact_store(
            run=run,
            artifact_type=ArtifactType.SCREENSHOT_FINAL,
            data=shot,
            filename="final.png",
            content_type="image/png",
        )
    if ArtifactType.DOWNLOAD not in stored:
        for path in map(Path, getattr(result, "downloaded_files", None) or []):
            if path.is_file():
                artifact_store(run=run, artifact_type=ArtifactType.DOWNLOAD, data=path, filename=path.name)


def _file_entries(run: TaskRun) -> list[dict[str, Any]]:
    downloads = run.artifacts.filter(artifact_type=ArtifactType.DOWNLOAD).order_by("created_at", "id")
    return [
        {"artifact_id": a.artifact_id, "filename": a.filename, "checksum": a.checksum, "size": a.size}
        for a in downloads
    ]


def run_finish(*, run: TaskRun, result) -> TaskRun:
    """Record the agent's outcome (an agent.AgentResult or the same shape).

    Artifacts are stored before the status moves, so the status event and the webhook already carry the
    screenshot, recording and file links. A run canceled meanwhile stays canceled and still gets its files.
    """
    run.refresh_from_db()
    _store_outputs(run, result)
    files = _file_entries(run)
    run_progress(run=run)
    status = result.status if result.status in AGENT_STATUSES else RunStatus.FAILED
    fields = {
        "output": result.output,
        "failure_reason": result.failure_reason if status != RunStatus.COMPLETED else None,
        "errors": run.warnings + list(result.errors or []),
        "downloaded_files": files,
    }
    if run.status == RunStatus.RUNNING:
        try:
            finished = run_transition(run=run, to=status, **fields)
        except IllegalTransition:
            pass  # canceled (or reaped) while we were storing files: keep that status
        else:
            if status == RunStatus.COMPLETED:
                task_publish_goals(run=finished)
            return finished
    TaskRun.objects.filter(pk=run.pk).update(
        errors=fields["errors"], downloaded_files=files, modified_at=timezone.now()
    )
    run.refresh_from_db()
    events.run_updated(run.pk)
    return run


def run_reap_stale(*, stale_after_seconds: int) -> list[TaskRun]:
    """Fail running runs whose worker stopped sending heartbeats; returns the runs it failed."""
    cutoff = timezone.now() - timedelta(seconds=stale_after_seconds)
    reason = (
        f"The worker running this task stopped responding (no heartbeat for over {stale_after_seconds} s);"
        " it was probably killed or ran out of memory. The run was marked failed."
    )
    stale = TaskRun.objects.filter(status=RunStatus.RUNNING, heartbeat_at__lt=cutoff)
    reaped = []
    for run in stale:
        try:
            reaped.append(run_transition(run=run, to=RunStatus.FAILED, failure_reason=reason))
        except IllegalTransition:
            continue  # it finished (or sent a heartbeat and finished) since we read it
    return reaped
