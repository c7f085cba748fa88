"""The queue as one organization sees it: workers online, its runs waiting and working."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Min, Q

from runs import dispatch
from runs.choices import RunStatus
from runs.models import Organization, TaskRun


@dataclass(frozen=True)
class QueueHealth:
    workers_online: int | None  # None: cannot tell (no broker answer, or runs execute inline)
    queued: int
    running: int
    oldest_queued_at: datetime | None


def queue_health_for_org(*, organization: Organization) -> QueueHealth:
    counts = TaskRun.objects.filter(
        organization=organization, status__in=[RunStatus.CREATED, RunStatus.QUEUED, RunStatus.RUNNING]
    ).aggregate(
        queued=Count("id", filter=Q(status__in=[RunStatus.CREATED, RunStatus.QUEUED])),
        running=Count("id", filter=Q(status=RunStatus.RUNNING)),
        oldest=Min("created_at", filter=Q(status__in=[RunStatus.CREATED, RunStatus.QUEUED])),
    )
    return QueueHealth(
        workers_online=dispatch.browser_workers_online(),
        queued=counts["queued"],
        running=counts["running"],
        oldest_queued_at=counts["oldest"],
    )
