"""The API's error shape, `{"detail": ...}`, for the errors that happen outside the NinjaAPI's handlers.

- handler404 / handler500: Django's own 404s (a path no pattern matches) and 500s (an error in a plain view)
  answer JSON on API paths and keep the HTML pages everywhere else.
- api_method_errors (middleware): ninja and plain views answer a wrong method with a text 405. On an API path
  it becomes `405 {"detail": ...}` with its Allow header, or a 501 saying why when Skyvern's specs define
  that method and path and this server does not serve it (runs.api.spec_routes).
"""

from asyncio import iscoroutinefunction

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.decorators import sync_and_async_middleware
from django.views import defaults

from runs.api.spec_routes import unserved_reason

API_PREFIXES = ("/v1", "/api")


def is_api_path(path: str) -> bool:
    return any(path == prefix or path.startswith(prefix + "/") for prefix in API_PREFIXES)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api_path(request.path):
        return JsonResponse({"detail": "Not Found"}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    if is_api_path(request.path):
        return JsonResponse({"detail": "Internal server error"}, status=500)
    return defaults.server_error(request)


def _method_error(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    if response.status_code != 405 or not is_api_path(request.path):
        return response
    if response.get("Content-Type", "").startswith("application/json"):
        return response
    reason = unserved_reason(request.method or "", request.path)
    if reason is not None:
        return JsonResponse({"detail": reason}, status=501)
    allowed = response.get("Allow", "")
    detail = f"Method {request.method} is not allowed here" + (f"; use {allowed}" if allowed else "")
    return JsonResponse({"detail": detail}, status=405, headers={"Allow": allowed} if allowed else None)


@sync_and_async_middleware
def api_method_errors(get_response):
    if iscoroutinefunction(get_response):

        async def middleware(request: HttpRequest) -> HttpResponse:
            return _method_error(request, await get_response(request))

    else:

        def middleware(request: HttpRequest) -> HttpResponse:
            return _method_error(request, get_response(request))

    return middleware
