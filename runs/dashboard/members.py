"""An organization's members, for its admins: add someone (a password shown once), remove someone.
Site staff keep Django admin for everything else."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from runs import selectors
from runs.dashboard.access import member_required
from runs.services import MemberChangeRefused, member_add, member_remove


def _is_admin(request: HttpRequest) -> bool:
    membership = selectors.membership_for_user(user=request.user)
    return membership is not None and membership.is_admin


def _not_admin(request: HttpRequest) -> HttpResponse:
    return render(request, "runs/members_admins_only.html", {"nav": "members"}, status=403)


@member_required
def members(request: HttpRequest) -> HttpResponse:
    """The list; a POST adds a member and shows their one-time password on this response only."""
    if not _is_admin(request):
        return _not_admin(request)
    added, password, error = None, None, None
    if request.method == "POST":
        try:
            added, password = member_add(
                organization=request.organization,
                username=request.POST.get("username", ""),
                admin=request.POST.get("role") == "admin",
            )
        except MemberChangeRefused as exc:
            error = exc.message
    context = {
        "members": selectors.members_for_org(organization=request.organization),
        "added": added,
        "password": password,
        "error": error,
        "username": request.POST.get("username", "") if error else "",
        "nav": "members",
    }
    return render(request, "runs/members.html", context, status=400 if error else 200)


@require_POST
@member_required
def member_remove_view(request: HttpRequest, membership_id: int) -> HttpResponse:
    if not _is_admin(request):
        return _not_admin(request)
    membership = selectors.membership_get_for_org(
        organization=request.organization, membership_id=membership_id
    )
    if membership is None:
        raise Http404("No such member")
    try:
        member_remove(membership=membership, removed_by=request.user)
    except MemberChangeRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, f"Removed {membership.user.get_username()} from {request.organization.name}."
        )
    return redirect("runs:members")
