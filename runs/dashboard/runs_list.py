"""Runs: the organization's runs with filters, search and pages; rows refresh live over ws/runs/."""

from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from runs import selectors
from runs.choices import RunEngine, RunStatus
from runs.dashboard.access import member_required, run_for_request

PAGE_SIZE = 25


def _filters(request: HttpRequest) -> dict[str, str]:
    """The page's filters as it shows them (one status, one engine, a search, the days from and to in the
    reader's time zone, which static/js/app.js puts in `tz`; UTC without it)."""
    status = request.GET.get("status", "")
    engine = request.GET.get("engine", "")
    return {
        "status": status if status in RunStatus.values else "",
        "engine": engine if engine in RunEngine.values else "",
        "search": request.GET.get("q", "").strip()[:200],
        "from": _day(request.GET.get("from", "")),
        "to": _day(request.GET.get("to", "")),
        "tz": _zone_name(request.GET.get("tz", "")),
    }


def _day(value: str) -> str:
    try:
        return date.fromisoformat(value.strip()).isoformat()
    except ValueError:
        return ""


def _zone_name(value: str) -> str:
    try:
        return str(ZoneInfo(value)) if value and len(value) <= 64 else ""
    except (ZoneInfoNotFoundError, ValueError):
        return ""


def _start_of(day: str, zone: str, *, days_after: int = 0) -> datetime | None:
    if not day:
        return None
    start = datetime.combine(date.fromisoformat(day) + timedelta(days=days_after), time.min)
    return start.replace(tzinfo=ZoneInfo(zone or "UTC"))


def _selection(filters: dict[str, str]) -> dict:
    return {
        "statuses": [filters["status"]],
        "engine": filters["engine"],
        "search": filters["search"],
        "created_from": _start_of(filters["from"], filters["tz"]),
        # "To" a day includes that whole day.
        "created_before": _start_of(filters["to"], filters["tz"], days_after=1),
    }


@member_required
def runs_list(request: HttpRequest) -> HttpResponse:
    filters = _filters(request)
    runs = selectors.run_list_for_org(organization=request.organization, **_selection(filters))
    page = Paginator(runs, PAGE_SIZE).get_page(request.GET.get("page"))
    shown = {"status": filters["status"], "engine": filters["engine"], "q": filters["search"]}
    shown |= {"from": filters["from"], "to": filters["to"]}
    if filters["from"] or filters["to"]:
        shown["tz"] = filters["tz"]
    query = {k: v for k, v in shown.items() if v}
    return render(
        request,
        "runs/runs_list.html",
        {
            "page": page,
            "filters": filters,
            "filter_query": urlencode(query),
            "statuses": RunStatus.choices,
            "engines": RunEngine.choices,
            "nav": "runs",
        },
    )


@member_required
def run_row(request: HttpRequest, run_id: str) -> HttpResponse:
    """One table row, for the live list; 204 when the run no longer matches the list's filters."""
    run = run_for_request(request, run_id)
    if not selectors.run_matches_filters(run=run, **_selection(_filters(request))):
        return HttpResponse(status=204)
    return render(request, "runs/_run_row.html", {"run": run})
