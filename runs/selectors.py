"""Reads. Each selector is keyword-only and scoped: a run of another organization is simply not found."""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import F, Q, QuerySet, Window
from django.db.models.functions import RowNumber

from runs.choices import ArtifactType
from runs.models import Action, Artifact, Organization, Step, TaskRun

# Public ids are a prefix and digits; anything else cannot exist, so it is not worth a query (and a NUL
# byte in an id would make PostgreSQL raise instead of answering "no rows").
PUBLIC_ID = re.compile(r"[a-z]{1,8}(_[a-z0-9]{1,8})?_[0-9]{1,25}")

SCREENSHOT_TYPES = (
    ArtifactType.SCREENSHOT_FINAL,
    ArtifactType.SCREENSHOT_ACTION,
    ArtifactType.SCREENSHOT_LLM,
    ArtifactType.SCREENSHOT,
)


def _is_public_id(value: str) -> bool:
    return bool(PUBLIC_ID.fullmatch(value))


def run_get_for_org(*, organization: Organization, run_id: str) -> TaskRun | None:
    if not _is_public_id(run_id):
        return None
    return (
        TaskRun.objects.select_related("organization")
        .filter(organization=organization, run_id=run_id)
        .first()
    )


def run_list_for_org(
    *,
    organization: Organization,
    statuses: Iterable[str] = (),
    search: str = "",
    order_by: str = "-created_at",
) -> QuerySet[TaskRun]:
    """The organization's runs, newest first unless told otherwise; `search` looks in title, prompt and url."""
    runs = TaskRun.objects.select_related("organization").filter(organization=organization)
    statuses = list(statuses)
    if statuses:
        runs = runs.filter(status__in=statuses)
    if search:
        runs = runs.filter(
            Q(title__icontains=search) | Q(prompt__icontains=search) | Q(url__icontains=search)
        )
    return runs.order_by(order_by, "-id" if order_by.startswith("-") else "id")


def page_of(queryset: QuerySet, *, page: int, page_size: int) -> list:
    start = (page - 1) * page_size
    return list(queryset[start : start + page_size])


def steps_for_run(*, run: TaskRun) -> QuerySet[Step]:
    return run.steps.order_by("order", "retry_index")


def actions_for_run(*, run: TaskRun) -> QuerySet[Action]:
    return (
        Action.objects.filter(step__run=run)
        .select_related("step", "screenshot")
        .order_by("step__order", "step__retry_index", "index", "id")
    )


def artifacts_for_run(*, run: TaskRun, artifact_types: Iterable[str] = ()) -> QuerySet[Artifact]:
    artifacts = run.artifacts.select_related("step").order_by("created_at", "id")
    artifact_types = list(artifact_types)
    if artifact_types:
        artifacts = artifacts.filter(artifact_type__in=artifact_types)
    return artifacts


def artifact_get_for_org(*, organization: Organization, artifact_id: str) -> Artifact | None:
    if not _is_public_id(artifact_id):
        return None
    return (
        Artifact.objects.select_related("run", "step", "run__organization")
        .filter(run__organization=organization, artifact_id=artifact_id)
        .first()
    )


def artifact_get(*, artifact_id: str) -> Artifact | None:
    """Unscoped: only for a request that carries a valid signed link for exactly this artifact."""
    if not _is_public_id(artifact_id):
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
