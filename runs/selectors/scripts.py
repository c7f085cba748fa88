"""Scripts: the latest revision of each, one script, the script of a task (its url and prompt), revisions."""

from django.db.models import F, OuterRef, QuerySet, Subquery

from runs.models import Organization, Script, TaskRun


def _latest_version():
    return Subquery(
        Script.objects.filter(script_id=OuterRef("script_id")).order_by("-version").values("version")[:1]
    )


def scripts_for_org(*, organization: Organization) -> QuerySet[Script]:
    """The latest revision of each of the organization's scripts, newest first."""
    return (
        Script.objects.filter(organization=organization, deleted_at__isnull=True)
        .annotate(latest=_latest_version())
        .filter(version=F("latest"))
        .select_related("run", "organization")
        .order_by("-created_at", "-id")
    )


def script_get(*, organization: Organization, script_id: str) -> Script | None:
    """The latest revision of the script `script_id` (s_…), or None (another organization's too)."""
    return (
        Script.objects.filter(organization=organization, script_id=script_id, deleted_at__isnull=True)
        .select_related("run", "organization")
        .order_by("-version")
        .first()
    )


def script_revisions(*, organization: Organization, script_id: str) -> QuerySet[Script]:
    return Script.objects.filter(organization=organization, script_id=script_id).order_by("version")


def script_for_task(*, organization: Organization, url: str, prompt: str) -> Script | None:
    """The latest revision of the newest script made from a run of this task (same start url and prompt)."""
    return _newest(organization, Script.objects.filter(run__url=url or "", run__prompt=prompt))


def script_for_block(
    *, organization: Organization, workflow_permanent_id: str, block_label: str
) -> Script | None:
    """The latest revision of the script a workflow's task block left (by the workflow and the block's label)."""
    return _newest(
        organization,
        Script.objects.filter(workflow_permanent_id=workflow_permanent_id, block_label=block_label),
    )


def _newest(organization: Organization, scripts: QuerySet[Script]) -> Script | None:
    """The latest revision of the newest of `scripts` that is the organization's and not deleted."""
    newest = (
        scripts.filter(organization=organization, deleted_at__isnull=True)
        .order_by("-created_at", "-id")
        .values_list("script_id", flat=True)
        .first()
    )
    return script_get(organization=organization, script_id=newest) if newest else None


def scripts_from_run(*, run: TaskRun) -> QuerySet[Script]:
    """The revisions a run produced (usually one), newest first."""
    return Script.objects.filter(run=run).order_by("-version")
