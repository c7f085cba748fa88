"""Files an organization uploads (`POST /v1/upload_file`) for its runs to use: a task's payload or a workflow's
file_url parameter names the link the upload answered with. Kept in the artifact storage under
`uploads/<organization_id>/<token>/<filename>`; nothing else records them."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage
from django.utils.text import get_valid_filename

from runs.models import Organization

FALLBACK_NAME = "upload.txt"  # the SDK sends the file's content as a plain form field, which has no name
NAME_MAX = 120


@dataclass(frozen=True)
class StoredUpload:
    organization_id: str
    token: str
    filename: str

    @property
    def storage_name(self) -> str:
        return upload_storage_name(self.organization_id, self.token, self.filename)


def upload_storage_name(organization_id: str, token: str, filename: str) -> str:
    return f"uploads/{organization_id}/{token}/{filename}"


def upload_filename(name: str | None) -> str:
    """A safe file name from the client's (no directories, no odd characters), or FALLBACK_NAME."""
    base = PurePosixPath((name or "").replace("\\", "/")).name
    try:
        safe = get_valid_filename(base)
    except Exception:  # Django refuses names that sanitise to nothing ("..", "")
        return FALLBACK_NAME
    stem, dot, suffix = safe.rpartition(".")
    if len(safe) > NAME_MAX:
        safe = (stem[: NAME_MAX - len(suffix) - 1] + dot + suffix) if dot else safe[:NAME_MAX]
    return safe


def upload_store(*, organization: Organization, name: str | None, content: File | bytes) -> StoredUpload:
    upload = StoredUpload(organization.organization_id, secrets.token_urlsafe(12), upload_filename(name))
    data = ContentFile(content) if isinstance(content, bytes) else content
    saved = default_storage.save(upload.storage_name, data)
    if saved != upload.storage_name:  # the storage renamed it: the token is random, so this is unexpected
        default_storage.delete(saved)
        raise RuntimeError(f"storage changed the upload's name to {saved}")
    return upload
