"""Artifacts: one by id (scoped, or by a signed link), a run's files, and what a run body links to."""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import F, QuerySet, Window
from django.db.models.functions import RowNumber

from runs.choices import ArtifactType
from runs.ids import is_public_id
from runs.models import Artifact, Organization, Step, TaskRun

SCREENSHOT_TYPES = (
    ArtifactType.SCREENSHOT_FINAL,
    ArtifactType.SCREENSHOT_ACTION,
    ArtifactType.SCREENSHOT_LLM,
    ArtifactType.SCREENSHOT,
)


def artifacts_for_run(
    *, run: TaskRun, artifact_types: Iterable[str] = (), step: Step | None = None
) -> QuerySet[Artifact]:
    """The run's artifacts (only `step`'s when given), oldest first."""
    artifacts = run.artifacts.select_related("step").order_by("created_at", "id")
    if step is not None:
        artifacts = artifacts.filter(step=step)
    artifact_types = list(artifact_types)
    if artifact_types:
        artifacts = artifacts.filter(artifact_type__in=artifact_types)
    return artifacts


def artifact_get_for_org(*, organization: Organization, artifact_id: str) -> Artifact | None:
    if not is_public_id(artifact_id):
        return None
    return (
        Artifact.objects.select_related("run", "step", "run__organization")
        .filter(run__organization=organization, artifact_id=artifact_id)
        .first()
    )


def artifact_get(*, artifact_id: str) -> Artifact | None:
    """Unscoped: only for a request that carries a valid signed link for exactly this artifact."""
    if not is_public_id(artifact_id):
        return None
    return Artifact.objects.select_related("run").filter(artifact_id=artifact_id).first()


@dataclass
class RunMedia:
    """What a run body links to: its latest screenshots (newest first), latest recording and downloads."""

    screenshots: list[Artifact] = field(default_factory=list)
    recording: Artifact | None = None
    downloads: list[Artifact] = field(default_factory=list)


def media_for_runs(*, run_pks: list[int], screenshots: int) -> dict[int, RunMedia]:
    """RunMedia for many runs in two queries, so a page of runs costs the same as one run."""
    media = {pk: RunMedia() for pk in run_pks}
    newest_first = [F("created_at").desc(), F("id").desc()]
    latest_shots = (
        Artifact.objects.filter(run_id__in=run_pks, artifact_type__in=SCREENSHOT_TYPES)
        .annotate(rank=Window(RowNumber(), partition_by=[F("run_id")], order_by=newest_first))
        .filter(rank__lte=screenshots)
        .order_by("run_id", "rank")
    )
    for shot in latest_shots:
        media[shot.run_id].screenshots.append(shot)
    others = Artifact.objects.filter(
        run_id__in=run_pks, artifact_type__in=(ArtifactType.RECORDING, ArtifactType.DOWNLOAD)
    ).order_by("created_at", "id")
    for artifact in others:
        if artifact.artifact_type == ArtifactType.DOWNLOAD:
            media[artifact.run_id].downloads.append(artifact)
        else:  # ascending order: the last recording seen is the latest
            media[artifact.run_id].recording = artifact
    return media


def artifact_latest(*, run: TaskRun, artifact_type: str) -> Artifact | None:
    return run.artifacts.filter(artifact_type=artifact_type).order_by("-created_at", "-id").first()
