"""Discover: describe a task in plain language and start a run."""

import json

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from runs import selectors
from runs.dashboard.access import member_required
from runs.dashboard.examples import example_tasks
from runs.dashboard.forms import DiscoverForm, initial_from_request
from runs.dashboard.llm_status import llm_status_context
from runs.models import TaskRun
from runs.services import run_create


@member_required
def discover(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = DiscoverForm(request.POST, organization=request.organization)
        if form.is_valid():
            run = run_create(
                organization=request.organization, request=form.normalised, created_by=request.user
            )
            return redirect("runs:detail", run_id=run.run_id)
    else:
        form = DiscoverForm(initial=_initial_from_query(request), organization=request.organization)
    return render(
        request,
        "runs/discover.html",
        {
            "form": form,
            "advanced_fields": [form[name] for name in DiscoverForm.ADVANCED],
            "advanced_open": _has_advanced_values(form),
            "examples": [{**e, "json": json.dumps(e["values"])} for e in example_tasks(request)],
            "llm_configured": bool(settings.SKYVERN_LLM_MODEL),
            "models": selectors.models_offered(),
            **llm_status_context(),
            "nav": "discover",
        },
    )


def _initial_from_query(request: HttpRequest) -> dict:
    """`?from=<run_id>` prefills the form with that run's request (the Edit and run again link)."""
    run_id = request.GET.get("from")
    if not run_id:
        return {}
    run = TaskRun.objects.filter(run_id=run_id, organization=request.organization).first()
    return initial_from_request(run.request) if run is not None else {}


def _has_advanced_values(form: DiscoverForm) -> bool:
    """Keep Advanced settings open when they hold values or errors, so nothing the user typed is hidden."""
    for name in DiscoverForm.ADVANCED:
        bound = form[name]
        if bound.errors or (form.is_bound and bound.value() not in (None, "", False)):
            return True
        if not form.is_bound and form.initial.get(name) not in (None, "", False):
            return True
    return False
