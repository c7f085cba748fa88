"""Who may see what: every dashboard page belongs to the signed-in user's one organization."""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from runs import selectors
from runs.models import TaskRun


def member_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Login first; then a user without an organization gets a page that says so instead of empty lists."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        organization = selectors.organization_for_user(user=request.user)
        if organization is None:
            return render(request, "runs/no_organization.html", status=403)
        request.organization = organization
        return view(request, *args, **kwargs)

    return wrapper


def run_for_request(request: HttpRequest, run_id: str) -> TaskRun:
    """The run if it belongs to the user's organization; 404 otherwise, so foreign ids are not confirmed."""
    run = selectors.run_get_for_org(organization=request.organization, run_id=run_id)
    if run is None:
        raise Http404("No such run")
    return run
