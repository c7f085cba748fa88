"""What a run leaves in the database while it executes and when it ends (runs.services.steps)."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from agent import AgentResult
from runs.choices import RunStatus
from runs.models import TaskRun
from runs.services import (
    artifact_store,
    run_cancel,
    run_finish,
    run_heartbeat,
    run_progress,
    run_reap_stale,
    step_finish,
    step_record,
)
from tests.support.factories import run_in_status

pytestmark = pytest.mark.usefixtures("artifact_storage")


@pytest.fixture
def running_run(db) -> TaskRun:
    return run_in_status(RunStatus.RUNNING, webhook_url="")


def test_step_record_returns_the_same_row_for_the_same_attempt(running_run):
    first = step_record(run=running_run, order=0)
    assert step_record(run=running_run, order=0) == first
    assert step_record(run=running_run, order=0, retry_index=1) != first


def test_run_totals_follow_the_finished_steps(running_run):
    step_finish(
        step=step_record(run=running_run, order=0),
        status="completed",
        input_tokens=100,
        output_tokens=10,
        cost=0.5,
    )
    step_finish(
        step=step_record(run=running_run, order=1),
        status="completed",
        input_tokens=50,
        output_tokens=5,
        cost=0.25,
    )
    run_progress(run=running_run)

    stored = TaskRun.objects.get(pk=running_run.pk)
    assert (stored.step_count, stored.input_tokens, stored.output_tokens) == (2, 150, 15)
    assert stored.total_cost == pytest.approx(0.75)


def test_an_artifact_is_stored_under_the_artifacts_dir_with_size_and_checksum(running_run, artifact_storage):
    artifact = artifact_store(
        run=running_run, artifact_type="screenshot_llm", data=b"\x89PNG data", filename="a.png"
    )

    assert Path(artifact.file.path).is_relative_to(artifact_storage)
    assert Path(artifact.file.path).read_bytes() == b"\x89PNG data"
    assert artifact.size == 9
    assert artifact.checksum == hashlib.sha256(b"\x89PNG data").hexdigest()
    assert artifact.content_type == "image/png"


def test_finishing_a_completed_run_records_its_output_and_files(running_run, tmp_path):
    video = tmp_path / "run.webm"
    video.write_bytes(b"\x1a\x45\xdf\xa3 video")
    download = tmp_path / "report.pdf"
    download.write_bytes(b"%PDF")
    result = AgentResult(
        status="completed", output={"price": 3}, recording_path=video, downloaded_files=[download]
    )

    run = run_finish(run=running_run, result=result)

    assert run.status == RunStatus.COMPLETED and run.finished_at is not None
    assert run.output == {"price": 3} and run.failure_reason is None
    assert set(run.artifacts.values_list("artifact_type", flat=True)) == {"recording", "download"}
    assert run.downloaded_files[0]["filename"] == "report.pdf"


def test_finishing_keeps_the_agents_failure_reason_and_errors(running_run):
    result = AgentResult(
        status="terminated", failure_reason="No such product", errors=[{"error_code": "NOT_FOUND"}]
    )

    run = run_finish(run=running_run, result=result)

    assert run.status == RunStatus.TERMINATED
    assert run.failure_reason == "No such product"
    assert run.errors == [{"error_code": "NOT_FOUND"}]


def test_a_run_canceled_meanwhile_stays_canceled_but_gets_its_recording(running_run, tmp_path):
    run_cancel(run=TaskRun.objects.get(pk=running_run.pk))
    video = tmp_path / "run.webm"
    video.write_bytes(b"video")

    run = run_finish(run=running_run, result=AgentResult(status="canceled", recording_path=video))

    assert run.status == RunStatus.CANCELED
    assert run.artifacts.filter(artifact_type="recording").exists()


def test_files_the_sink_already_stored_are_not_stored_twice(running_run, tmp_path):
    video = tmp_path / "run.webm"
    video.write_bytes(b"video")
    artifact_store(run=running_run, artifact_type="recording", data=video, filename="run.webm")

    run = run_finish(run=running_run, result=AgentResult(status="completed", recording_path=video))

    assert run.artifacts.filter(artifact_type="recording").count() == 1


def test_the_reaper_fails_running_runs_whose_heartbeat_stopped(running_run, db):
    stale_before = timezone.now() - timedelta(seconds=120)
    TaskRun.objects.filter(pk=running_run.pk).update(heartbeat_at=stale_before)
    alive = run_in_status(RunStatus.RUNNING)
    old_queued = run_in_status(RunStatus.QUEUED)

    reaped = run_reap_stale(stale_after_seconds=90)

    assert [run.run_id for run in reaped] == [running_run.run_id]
    stored = TaskRun.objects.get(pk=running_run.pk)
    assert stored.status == RunStatus.FAILED
    assert "stopped responding" in stored.failure_reason
    assert TaskRun.objects.get(pk=alive.pk).status == RunStatus.RUNNING
    assert TaskRun.objects.get(pk=old_queued.pk).status == RunStatus.QUEUED


def test_a_heartbeat_keeps_a_run_alive_and_reports_a_cancel(running_run):
    TaskRun.objects.filter(pk=running_run.pk).update(heartbeat_at=timezone.now() - timedelta(seconds=120))

    assert run_heartbeat(run=running_run) == RunStatus.RUNNING
    assert run_reap_stale(stale_after_seconds=90) == []

    run_cancel(run=TaskRun.objects.get(pk=running_run.pk))
    assert run_heartbeat(run=running_run) == RunStatus.CANCELED
