"""The one NinjaAPI: Skyvern-compatible routes, API-key auth, and the one error shape `{"detail": ...}`.

Status codes follow Skyvern: 403 for missing or bad credentials, 404 for anything outside the caller's
organization, 422 for a body or parameter of the wrong shape (detail is a list of {loc, msg, type}),
400 for a well-formed request this server will not run. Nothing a client sends should produce a 500.
"""

import logging

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Router
from ninja.errors import AuthenticationError, HttpError, ValidationError

from runs.api import ROUTERS
from runs.api.auth import INVALID_CREDENTIALS, api_key_auth
from runs.api.spec_routes import unserved_reason
from runs.exceptions import DomainError, IllegalTransition, InvalidRunRequest, NotFound, Throttled
from skyvern_site.security import StrictJsonParser

logger = logging.getLogger(__name__)

api = NinjaAPI(
    title="Skyvern-compatible API",
    version="1.0.0",
    description="Browser automation runs, compatible with Skyvern's API and official SDKs. "
    "Authenticate with the x-api-key header (or Authorization: Bearer).",
    docs_url="/api/docs",
    openapi_url="/api/openapi.json",
    auth=api_key_auth,
    parser=StrictJsonParser(),  # lone surrogates and NUL characters are a 400 (skyvern_site/security.py)
)

for prefix, router in ROUTERS:
    api.add_router(prefix, router)


def _field_error(error: dict) -> dict:
    """Ninja puts the body parameter's name after "body"; Skyvern's (FastAPI's) path has only the field."""
    loc = list(error.get("loc", ()))
    if loc[:1] == ["body"] and len(loc) > 1 and loc[1] == "payload":
        loc = ["body", *loc[2:]]
    return {"loc": loc, "msg": error.get("msg", "Invalid value"), "type": error.get("type", "value_error")}


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return api.create_response(request, {"detail": [_field_error(e) for e in exc.errors]}, status=422)


@api.exception_handler(AuthenticationError)
def invalid_credentials(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(request, {"detail": INVALID_CREDENTIALS}, status=403)


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return api.create_response(request, {"detail": exc.message}, status=exc.status_code)


# Each domain exception's status code, set once here; the message is the detail.
DOMAIN_STATUS = ((NotFound, 404), (IllegalTransition, 409), (InvalidRunRequest, 400))


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    status = next((code for kind, code in DOMAIN_STATUS if isinstance(exc, kind)), 400)
    return api.create_response(request, {"detail": exc.message}, status=status)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"detail": "Not Found"}, status=404)


@api.exception_handler(Exception)
def server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("Unhandled error in %s %s", request.method, request.path)
    return api.create_response(request, {"detail": "Internal server error"}, status=500)


# Paths no route serves, under the API prefixes: a route of Skyvern's specs that this server does not serve is
# a 501 that says why (runs.api.spec_routes); anything else is a 404 in the API's shape, not Django's HTML page.
# Added last, so every real route matches first. A served path asked with another method is a 405, which
# skyvern_site.errors answers the same way.
unknown_paths = Router()
ANY_METHOD = ["GET", "POST", "PUT", "PATCH", "DELETE"]


@unknown_paths.api_operation(ANY_METHOD, "/v1/{path:rest}", auth=None, include_in_schema=False)
@unknown_paths.api_operation(ANY_METHOD, "/api/{path:rest}", auth=None, include_in_schema=False)
def unknown_path(request: HttpRequest, rest: str) -> HttpResponse:
    reason = unserved_reason(request.method or "", request.path)
    if reason is not None:
        raise HttpError(501, reason)
    raise HttpError(404, "Not Found")


api.add_router("", unknown_paths)


# Security (README "Security"): a body over SKYVERN_MAX_BODY_BYTES, and a client throttled for wrong keys.
@api.exception_handler(RequestDataTooBig)
def body_too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    detail = f"The request body is larger than {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes"
    return api.create_response(request, {"detail": detail}, status=413)


@api.exception_handler(Throttled)
def throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
    response = api.create_response(request, {"detail": exc.message}, status=429)
    response["Retry-After"] = str(exc.retry_after)
    return response
