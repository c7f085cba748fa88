"""API-key authentication, as Skyvern does it: `x-api-key: <key>` or `Authorization: Bearer <key>`.

A missing, wrong or revoked key is a 403 `{"detail": "Invalid credentials"}` (the handler is in
skyvern_site/api.py): Skyvern's clients expect 403, not 401. Every read and write is scoped to the key's
organization: `run_or_404` is the one way an operation finds a run.
"""

from django.http import HttpRequest
from ninja.security import APIKeyHeader, HttpBearer

from runs import selectors
from runs.exceptions import NotFound, Throttled
from runs.models import ApiKey, Organization, TaskRun
from runs.services import api_key_authenticate
from runs.throttle import API_KEY, request_client, throttle_check, throttle_failure

INVALID_CREDENTIALS = "Invalid credentials"
API_KEY_HEADER = "x-api-key"


def key_authenticate(request: HttpRequest, raw: str) -> ApiKey | None:
    """The key, counting a wrong one against the client; a client past its limit of wrong keys gets
    Throttled (429 with Retry-After) whatever it sends, until the window moves on."""
    if not raw:
        return None
    client = request_client(request.META)
    throttle_check(scope=API_KEY, client=client)
    key = api_key_authenticate(raw=raw)
    if key is None:
        throttle_failure(scope=API_KEY, client=client)
    return key


class ApiKeyHeaderAuth(APIKeyHeader):
    param_name = API_KEY_HEADER

    def authenticate(self, request: HttpRequest, key: str | None) -> ApiKey | None:
        return key_authenticate(request, key or "")


class BearerAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> ApiKey | None:
        return key_authenticate(request, token)


# Ninja tries each in turn; the first that returns a key wins and lands in request.auth.
api_key_auth = [ApiKeyHeaderAuth(), BearerAuth()]


def request_api_key(request: HttpRequest) -> ApiKey | None:
    """The key a plain Django view was called with (the artifact file view is not a ninja route)."""
    raw = request.headers.get(API_KEY_HEADER, "")
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if not raw and scheme.lower() == "bearer":
        raw = token
    try:
        return key_authenticate(request, raw)
    except Throttled:
        return None  # the file view answers 403; while throttled no key is even checked


def request_organization(request: HttpRequest) -> Organization:
    """The organization behind an authenticated API request: every read and write is scoped to it."""
    return request.auth.organization


def run_or_404(request: HttpRequest, run_id: str) -> TaskRun:
    run = selectors.run_get_for_org(organization=request_organization(request), run_id=run_id)
    if run is None:
        raise NotFound("Run not found")
    return run
