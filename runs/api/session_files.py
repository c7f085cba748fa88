"""A browser session's own files (its recordings): a signed link or the owning organization's API key.

A plain Django view like the artifact file view (runs.api.files): browsers and players open these links
directly. The files live in storage where the session's worker kept them (runs.execution.session_recording).
"""

from __future__ import annotations

import mimetypes

from django.core.files.storage import default_storage
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from runs.api.auth import request_api_key
from runs.api.files import forbidden, not_get, sandboxed
from runs.models import BrowserSession
from runs.presenters.session_links import session_file_signature_is_valid


@csrf_exempt  # read-only; a wrong method must reach the 405 below
def session_file(request: HttpRequest, session_id: str, filename: str) -> HttpResponse:
    if (refused := not_get(request)) is not None:
        return refused
    found = BrowserSession.objects.filter(session_id=session_id)
    sig = request.GET.get("sig", "")
    if not session_file_signature_is_valid(session_id=session_id, filename=filename, sig=sig):
        api_key = request_api_key(request)
        if api_key is None:
            return forbidden(request)
        found = found.filter(organization=api_key.organization)
    session = found.first()
    entry = next((e for e in (session.recordings if session else []) if e.get("filename") == filename), None)
    if entry is None or not default_storage.exists(entry.get("storage_name", "")):
        return JsonResponse({"detail": "File not found"}, status=404)
    content_type = mimetypes.guess_type(filename)[0] or "application/octet-stream"
    response = FileResponse(default_storage.open(entry["storage_name"], "rb"), content_type=content_type)
    return sandboxed(response, filename, as_attachment=False)
