"""Workflow reads, organization-scoped: the latest version of each, one by permanent id, its versions, runs
and a run's blocks."""

from __future__ import annotations

from django.db.models import Max, Q, QuerySet

from runs.choices import RunType
from runs.models import Organization, TaskRun, Workflow, WorkflowRunBlock


def workflow_list_for_org(
    *,
    organization: Organization,
    search: str = "",
    only_saved_tasks: bool = False,
    only_workflows: bool = False,
    statuses: list[str] | None = None,
) -> QuerySet[Workflow]:
    """The latest version of each workflow not deleted, newest first; `search` looks in title, description
    and parameter keys."""
    live = Workflow.objects.filter(organization=organization, deleted_at__isnull=True)
    latest = live.values("workflow_permanent_id").annotate(latest=Max("id")).values("latest")
    workflows = live.filter(id__in=latest).select_related("organization")
    if only_saved_tasks:
        workflows = workflows.filter(is_saved_task=True)
    elif only_workflows:
        workflows = workflows.filter(is_saved_task=False)
    if statuses:
        workflows = workflows.filter(status__in=statuses)
    if search:
        workflows = workflows.filter(
            Q(title__icontains=search)
            | Q(description__icontains=search)
            | Q(source_text__icontains=search)
            | Q(workflow_permanent_id=search)
        )
    return workflows.order_by("-created_at", "-id")


def workflow_get_for_org(
    *, organization: Organization, workflow_permanent_id: str, version: int | None = None
) -> Workflow | None:
    """The latest version (or `version`) of a workflow not deleted; a `w_…` version id works too."""
    versions = Workflow.objects.select_related("organization").filter(
        organization=organization, deleted_at__isnull=True
    )
    if workflow_permanent_id.startswith("w_"):
        return versions.filter(workflow_id=workflow_permanent_id).first()
    versions = versions.filter(workflow_permanent_id=workflow_permanent_id)
    if version is not None:
        versions = versions.filter(version=version)
    return versions.order_by("-version").first()


def workflow_versions(*, organization: Organization, workflow_permanent_id: str) -> list[Workflow]:
    return list(
        Workflow.objects.select_related("organization")
        .filter(
            organization=organization, workflow_permanent_id=workflow_permanent_id, deleted_at__isnull=True
        )
        .order_by("version")
    )


def workflow_runs_for_org(
    *,
    organization: Organization,
    workflow_permanent_id: str | None = None,
    statuses: list[str] | None = None,
    search: str = "",
) -> QuerySet[TaskRun]:
    runs = TaskRun.objects.select_related("organization", "workflow").filter(
        organization=organization, run_type=RunType.WORKFLOW_RUN
    )
    if workflow_permanent_id:
        runs = runs.filter(workflow__workflow_permanent_id=workflow_permanent_id)
    if statuses:
        runs = runs.filter(status__in=statuses)
    if search:
        runs = runs.filter(Q(run_id=search) | Q(title__icontains=search) | Q(request__icontains=search))
    return runs.order_by("-created_at", "-id")


def blocks_for_run(*, run: TaskRun) -> list[WorkflowRunBlock]:
    return list(WorkflowRunBlock.objects.filter(run=run).order_by("order", "id"))
