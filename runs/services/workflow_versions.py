"""A workflow's next version: updating a workflow and saving the mini-goals a published task ran both add one."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Max

from runs.exceptions import NotFound
from runs.models import Organization, Workflow


@transaction.atomic
def workflow_version_add(
    *, organization: Organization, workflow_permanent_id: str, **fields: Any
) -> Workflow:
    """Version n + 1 of the workflow; the earlier ones stay for the runs that used them. NotFound when the
    workflow has no version left (it was deleted)."""
    versions = Workflow.objects.select_for_update().filter(
        organization=organization, workflow_permanent_id=workflow_permanent_id, deleted_at__isnull=True
    )
    latest = versions.aggregate(latest=Max("version"))["latest"]
    if latest is None:
        raise NotFound("Workflow not found")
    return Workflow.objects.create(
        organization=organization, workflow_permanent_id=workflow_permanent_id, version=latest + 1, **fields
    )
