"""The artifact file view: a signed link or the owning organization's API key opens one file.

A plain Django view (not a ninja route): browsers open these links directly, and videos seek with Range.
"""

import re

from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.utils.http import content_disposition_header
from django.views.decorators.csrf import csrf_exempt

from runs import selectors
from runs.api.auth import INVALID_CREDENTIALS, request_api_key
from runs.models import Artifact
from runs.presenters.links import signature_is_valid

# Types a browser may render inline. Anything else (HTML captured from a site, logs) is sent as a
# download, and every answer carries a sandbox CSP, so captured pages never run script in our origin.
INLINE_TYPES = re.compile(r"(image|video|audio)/[\w.+-]+|text/plain|application/json")
RANGE = re.compile(r"bytes=(\d*)-(\d*)")
# Players ask for "bytes=0-" and accept a shorter answer; this keeps one request's memory bounded.
MAX_RANGE_BYTES = 8 * 1024 * 1024
CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f]")


def not_get(request: HttpRequest) -> JsonResponse | None:
    """The 405 for anything but GET (these views only read), else None."""
    if request.method == "GET":
        return None
    detail = f"Method {request.method} is not allowed here; use GET"
    return JsonResponse({"detail": detail}, status=405, headers={"Allow": "GET"})


def forbidden(request: HttpRequest) -> JsonResponse:
    """The 403 for a file asked for with a bad link or without a key."""
    detail = "Invalid or expired link" if request.GET.get("sig") else INVALID_CREDENTIALS
    return JsonResponse({"detail": detail}, status=403)


def sandboxed(response: HttpResponse, filename: str, *, as_attachment: bool) -> HttpResponse:
    """A stored file's answer: never run as a page of ours (sandbox CSP, no sniffing), named `filename`."""
    response["Content-Security-Policy"] = "sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = content_disposition_header(as_attachment, filename)
    return response


def _authorised_artifact(request: HttpRequest, artifact_id: str) -> tuple[Artifact | None, int]:
    """(artifact, 200), or (None, 403) without credentials, or (None, 404) when it is not theirs."""
    if signature_is_valid(artifact_id=artifact_id, sig=request.GET.get("sig", "")):
        artifact = selectors.artifact_get(artifact_id=artifact_id)
        return artifact, 200 if artifact else 404
    api_key = request_api_key(request)
    if api_key is None:
        return None, 403
    artifact = selectors.artifact_get_for_org(organization=api_key.organization, artifact_id=artifact_id)
    return artifact, 200 if artifact else 404


@csrf_exempt  # read-only; API clients send no CSRF token, and a wrong method must reach the 405 below
def artifact_content(request: HttpRequest, artifact_id: str) -> HttpResponse:
    """The file, at /artifacts/<id>/content (signed links) and /v1/artifacts/<id>/content (the SDK's call)."""
    if (refused := not_get(request)) is not None:
        return refused
    artifact, status = _authorised_artifact(request, artifact_id)
    if status == 403:
        return forbidden(request)
    if artifact is None:
        return JsonResponse({"detail": "Artifact not found"}, status=404)
    try:
        handle = artifact.file.open("rb")
    except (FileNotFoundError, ValueError):  # ValueError: the row has no file attached
        return JsonResponse({"detail": "Artifact file is missing"}, status=404)
    return _file_response(request, artifact, handle)


def _file_response(request: HttpRequest, artifact: Artifact, handle) -> HttpResponse:
    content_type = artifact.content_type or "application/octet-stream"
    size = artifact.file.size
    if _unsatisfiable(request.headers.get("Range", ""), size):
        handle.close()
        headers = {"Content-Range": f"bytes */{size}"}
        return JsonResponse({"detail": "Range not satisfiable"}, status=416, headers=headers)
    byte_range = _parse_range(request.headers.get("Range", ""), size)
    if byte_range is None:
        response = FileResponse(handle, content_type=content_type)
    else:
        start, end = byte_range
        handle.seek(start)
        response = HttpResponse(handle.read(end - start + 1), content_type=content_type, status=206)
        handle.close()
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
    response["Accept-Ranges"] = "bytes"
    filename = CONTROL_CHARS.sub("", artifact.filename) or artifact.artifact_id
    return sandboxed(response, filename, as_attachment=not INLINE_TYPES.fullmatch(content_type))


def _unsatisfiable(header: str, size: int) -> bool:
    """A well-formed range that starts past the end of the file (RFC 9110: 416)."""
    match = RANGE.fullmatch(header.strip())
    return bool(match and match.group(1) and int(match.group(1)) >= size)


def _parse_range(header: str, size: int) -> tuple[int, int] | None:
    """One `bytes=a-b` range (what video players send to seek), clipped to the file; else None."""
    match = RANGE.fullmatch(header.strip())
    if not match or size == 0 or match.groups() == ("", ""):
        return None
    first, last = match.groups()
    if first == "":  # a suffix: the last N bytes
        start, end = max(size - int(last), 0), size - 1
    else:
        start, end = int(first), min(int(last), size - 1) if last else size - 1
    if start > end or start >= size:
        return None
    return start, min(end, start + MAX_RANGE_BYTES - 1)
