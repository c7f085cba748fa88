"""Runs of an organization: one by id, a filtered list, and a run's current status."""

from collections.abc import Iterable
from datetime import datetime

from django.db.models import Q, QuerySet

from runs.ids import is_public_id
from runs.models import Organization, TaskRun


def run_get_for_org(*, organization: Organization, run_id: str) -> TaskRun | None:
    """The run if it belongs to `organization`; None for a missing or foreign id alike."""
    if not is_public_id(run_id):
        return None
    return (
        TaskRun.objects.select_related("organization")
        .filter(organization=organization, run_id=run_id)
        .first()
    )


def run_reruns(*, run: TaskRun) -> list[str]:
    """The public ids of the runs started again from `run`, oldest first (same organization only)."""
    return list(
        TaskRun.objects.filter(rerun_of=run, organization_id=run.organization_id)
        .order_by("created_at", "id")
        .values_list("run_id", flat=True)
    )


def run_rerun_source(*, run: TaskRun) -> str | None:
    """The public id of the run `run` was started again from, if it still exists in the same organization."""
    if run.rerun_of_id is None:
        return None
    return (
        TaskRun.objects.filter(pk=run.rerun_of_id, organization_id=run.organization_id)
        .values_list("run_id", flat=True)
        .first()
    )


def runs_get_for_org(*, organization: Organization, run_ids: Iterable[str]) -> dict[str, TaskRun]:
    """The runs among `run_ids` that belong to `organization`, by run_id (missing and foreign ids are absent)."""
    wanted = [run_id for run_id in run_ids if is_public_id(run_id)]
    runs = TaskRun.objects.select_related("organization").filter(organization=organization, run_id__in=wanted)
    return {run.run_id: run for run in runs}


def run_list_for_org(
    *,
    organization: Organization,
    statuses: Iterable[str] = (),
    run_types: Iterable[str] = (),
    engine: str = "",
    search: str = "",
    created_from: datetime | None = None,
    created_before: datetime | None = None,
    order_by: str = "-created_at",
) -> QuerySet[TaskRun]:
    """The organization's runs, newest first unless told otherwise; `search` looks in title, prompt and url, or matches a run id."""
    runs = TaskRun.objects.select_related("organization").filter(organization=organization)
    statuses = [status for status in statuses if status]
    if statuses:
        runs = runs.filter(status__in=statuses)
    run_types = [run_type for run_type in run_types if run_type]
    if run_types:
        runs = runs.filter(run_type__in=run_types)
    if engine:
        runs = runs.filter(engine=engine)
    if created_from is not None:
        runs = runs.filter(created_at__gte=created_from)
    if created_before is not None:
        runs = runs.filter(created_at__lt=created_before)
    if search:
        runs = runs.filter(
            Q(title__icontains=search)
            | Q(prompt__icontains=search)
            | Q(url__icontains=search)
            | Q(run_id=search)  # a pasted run id (unique index)
        )
    return runs.order_by(order_by, "-id" if order_by.startswith("-") else "id")


def run_matches_filters(
    *,
    run: TaskRun,
    statuses: Iterable[str] = (),
    engine: str = "",
    search: str = "",
    created_from: datetime | None = None,
    created_before: datetime | None = None,
) -> bool:
    runs = run_list_for_org(
        organization=run.organization,
        statuses=statuses,
        engine=engine,
        search=search,
        created_from=created_from,
        created_before=created_before,
    )
    return runs.filter(pk=run.pk).exists()


def page_of(queryset: QuerySet, *, page: int, page_size: int) -> list:
    start = (page - 1) * page_size
    return list(queryset[start : start + page_size])


def run_status(*, run_pk: int) -> str | None:
    """The run's status as stored now (None when the row is gone): what a worker polls for a cancel."""
    return TaskRun.objects.filter(pk=run_pk).values_list("status", flat=True).first()
