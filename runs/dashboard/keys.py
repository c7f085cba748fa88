"""The organization's API keys, for every member: create one with a name (shown once), see when each was
last used, revoke one. Staff keep Django admin; members need it no longer."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from runs import selectors
from runs.dashboard.access import member_required
from runs.services import api_key_create, api_key_revoke


@member_required
def api_keys(request: HttpRequest) -> HttpResponse:
    """The list; a POST creates a key and shows its raw value on this response only (never stored)."""
    raw = None
    if request.method == "POST":
        name = request.POST.get("name", "").strip()[:100]
        _, raw = api_key_create(organization=request.organization, name=name)
    return render(request, "runs/api_keys.html", _context(request, raw=raw))


@require_POST
@member_required
def api_key_revoke_view(request: HttpRequest, key_id: str) -> HttpResponse:
    key = selectors.api_key_get_for_org(organization=request.organization, key_id=key_id)
    if key is None:
        raise Http404("No such key")
    api_key_revoke(api_key=key)
    messages.success(request, f"Revoked {key.prefix}… ({key.name or 'unnamed'}). Requests with it now fail.")
    return redirect("runs:api_keys")


def _context(request: HttpRequest, *, raw: str | None) -> dict:
    return {
        "keys": selectors.api_keys_for_org(organization=request.organization),
        "new_key": raw,
        "nav": "keys",
    }
