"""Queue health in the product: workers online, this organization's runs waiting and working."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone

from runs import selectors
from runs.dashboard.access import member_required


@member_required
def queue_page(request: HttpRequest) -> HttpResponse:
    health = selectors.queue_health_for_org(organization=request.organization)
    return render(request, "runs/queue.html", {"health": health, "nav": "queue"})


@member_required
def queue_status(request: HttpRequest) -> JsonResponse:
    """What a queued run's page polls (static/js/run_live.js) to say whether any worker can take it."""
    health = selectors.queue_health_for_org(organization=request.organization)
    oldest = health.oldest_queued_at
    return JsonResponse(
        {
            "workers_online": health.workers_online,
            "queued": health.queued,
            "running": health.running,
            "oldest_queued_seconds": int((timezone.now() - oldest).total_seconds()) if oldest else None,
        }
    )
