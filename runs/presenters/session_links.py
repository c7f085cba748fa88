"""Links to a browser session's own files (its recordings): signed and expiring, like artifact links
(runs.presenters.links), served by runs.api.session_files at
`PUBLIC_BASE_URL/browser_sessions/<session_id>/files/<filename>?sig=<timestamp>:<signature>`."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from runs.presenters.links import link_signature, link_signature_is_valid  # the same stable, expiring links

SALT = "runs.session_files"


def _value(session_id: str, filename: str) -> str:
    return f"{session_id}/{filename}"


def session_file_url(session_id: str, filename: str) -> str:
    path = reverse("session-file", kwargs={"session_id": session_id, "filename": filename})
    signature = link_signature(_value(session_id, filename), salt=SALT)
    return f"{settings.PUBLIC_BASE_URL}{path}?sig={signature}"


def session_file_signature_is_valid(*, session_id: str, filename: str, sig: str) -> bool:
    return link_signature_is_valid(_value(session_id, filename), sig, salt=SALT)
