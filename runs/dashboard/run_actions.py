"""Buttons on the run page: cancel, run again, re-send the webhook. POST only, CSRF-checked."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from runs.choices import TERMINAL_STATUSES, RunType
from runs.dashboard.access import member_required, run_for_request
from runs.exceptions import InvalidRunRequest, NotFound
from runs.execution.webhooks import webhook_send
from runs.services import run_cancel, run_create
from runs.services.run_requests import normalise_run_request
from runs.services.workflows import workflow_run_retry


@require_POST
@member_required
def run_cancel_view(request: HttpRequest, run_id: str) -> HttpResponse:
    run = run_for_request(request, run_id)
    was_finished = run.status in TERMINAL_STATUSES
    run = run_cancel(run=run)
    if was_finished:
        messages.info(request, f"The run had already finished ({run.status}); nothing changed.")
    else:
        messages.success(request, "Run canceled.")
    return redirect("runs:detail", run_id=run.run_id)


@require_POST
@member_required
def run_rerun_view(request: HttpRequest, run_id: str) -> HttpResponse:
    """A new run with the same request, checked again against today's rules (allow-lists, step limits)."""
    run = run_for_request(request, run_id)
    if run.run_type == RunType.WORKFLOW_RUN:
        return _rerun_workflow(request, run)
    try:
        normalised = normalise_run_request(
            _request_again(request, run.request), organization=request.organization
        )
    except InvalidRunRequest as exc:
        messages.error(request, f"This run cannot be started again as it was: {exc}")
        return redirect("runs:detail", run_id=run.run_id)
    new_run = run_create(
        organization=request.organization, request=normalised, created_by=request.user, rerun_of=run
    )
    # base.html turns this message into a link back to the run it came from.
    messages.success(request, run.run_id, extra_tags="rerun-of")
    return redirect("runs:detail", run_id=new_run.run_id)


def _rerun_workflow(request: HttpRequest, run) -> HttpResponse:
    """The same workflow (its latest version) with the run's parameters and settings."""
    try:
        new_run = workflow_run_retry(run=run, created_by=request.user)
    except (InvalidRunRequest, NotFound) as exc:
        messages.error(request, f"This run cannot be started again as it was: {exc}")
        return redirect("runs:detail", run_id=run.run_id)
    messages.success(request, run.run_id, extra_tags="rerun-of")
    return redirect("runs:detail", run_id=new_run.run_id)


def _request_again(request: HttpRequest, original: dict) -> dict:
    """The run's request, with more steps when "Run again with more steps" asked for them."""
    again = dict(original)
    max_steps = request.POST.get("max_steps", "")
    if max_steps.isdigit():
        again["max_steps"] = int(max_steps)
    return again


@require_POST
@member_required
def run_webhook_view(request: HttpRequest, run_id: str) -> HttpResponse:
    run = run_for_request(request, run_id)
    if not run.webhook_url:
        messages.error(request, "This run has no webhook URL.")
    elif run.status not in TERMINAL_STATUSES:
        messages.error(request, "The webhook is sent when the run finishes.")
    else:
        result = webhook_send(run=run)
        if result.get("error"):
            messages.error(request, f"Webhook not delivered: {result['error']}")
        else:
            messages.success(
                request, f"Webhook delivered: HTTP {result['status_code']} in {result['latency_ms']} ms."
            )
    return redirect("runs:detail", run_id=run.run_id)
