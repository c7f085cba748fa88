"""POST /v1/upload_file (the SDK's `upload_file`) and the legacy POST /api/v1/upload_file: store a file for runs
to use and answer `{"s3_uri", "presigned_url"}` (links, runs.presenters.upload_links); and the view that serves
an uploaded file to a signed link or to the owning organization's API key.

The multipart field `file` is a file part (the legacy spec's form) or a plain text field holding the content
(what the SDK's generated client sends); either is stored as it came.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from ninja import Router
from ninja.errors import HttpError, ValidationError

from runs.api.auth import request_api_key, request_organization
from runs.api.files import forbidden, not_get, sandboxed
from runs.api.routing import route
from runs.presenters.upload_links import upload_signature_is_valid, upload_uri, upload_url
from runs.services.uploads import upload_storage_name, upload_store

router = Router(tags=["Files"])
legacy_router = Router(tags=["Files"])
MISSING = [{"loc": ["body", "file"], "msg": "Field required", "type": "missing"}]


def upload_file(request: HttpRequest) -> dict[str, Any]:
    """Store the multipart field `file`; answer where it is."""
    if not (request.content_type or "").startswith("multipart/form-data"):
        raise HttpError(415, "Send the file as multipart/form-data, in a field named file")
    part = request.FILES.get("file")
    text = request.POST.get("file")
    if part is None and not text:
        raise ValidationError(MISSING)
    if part is not None and part.size > settings.SKYVERN_MAX_UPLOAD_BYTES:
        raise HttpError(413, f"The file is larger than {settings.SKYVERN_MAX_UPLOAD_BYTES} bytes")
    organization = request_organization(request)
    if part is not None:
        stored = upload_store(organization=organization, name=part.name, content=part)
    else:
        stored = upload_store(organization=organization, name=None, content=text.encode())
    where = (stored.organization_id, stored.token, stored.filename)
    return {"s3_uri": upload_uri(*where), "presigned_url": upload_url(*where)}


route(
    router, "POST", "/upload_file", response=dict[str, Any], operation_id="upload_file_v1_upload_file_post"
)(upload_file)
route(
    legacy_router,
    "POST",
    "/upload_file",
    response=dict[str, Any],
    operation_id="upload_file_api_v1_upload_file_post",
)(upload_file)


@csrf_exempt  # read-only; a wrong method must reach the 405 below
def upload_content(request: HttpRequest, organization_id: str, token: str, filename: str) -> HttpResponse:
    if (refused := not_get(request)) is not None:
        return refused
    where = {"organization_id": organization_id, "token": token, "filename": filename}
    if not upload_signature_is_valid(**where, sig=request.GET.get("sig", "")):
        api_key = request_api_key(request)
        if api_key is None:
            return forbidden(request)
        if api_key.organization.organization_id != organization_id:
            return JsonResponse({"detail": "File not found"}, status=404)
    name = upload_storage_name(organization_id, token, filename)
    if "/" in token or "/" in filename or not default_storage.exists(name):
        return JsonResponse({"detail": "File not found"}, status=404)
    response = FileResponse(default_storage.open(name, "rb"), content_type="application/octet-stream")
    return sandboxed(response, filename, as_attachment=True)
