"""Links to uploaded files (runs.services.uploads): `s3_uri` is the plain URL (it opens the file for the owning
organization's API key), `presigned_url` the same URL signed and expiring like artifact links, for a browser or
a run to fetch with no credentials. Served by runs.api.upload_files."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from runs.presenters.links import link_signature, link_signature_is_valid  # the same stable, expiring links

SALT = "runs.uploads"


def _value(organization_id: str, token: str, filename: str) -> str:
    return f"{organization_id}/{token}/{filename}"


def upload_uri(organization_id: str, token: str, filename: str) -> str:
    kwargs = {"organization_id": organization_id, "token": token, "filename": filename}
    return settings.PUBLIC_BASE_URL + reverse("upload-file", kwargs=kwargs)


def upload_url(organization_id: str, token: str, filename: str) -> str:
    signature = link_signature(_value(organization_id, token, filename), salt=SALT)
    return f"{upload_uri(organization_id, token, filename)}?sig={signature}"


def upload_signature_is_valid(*, organization_id: str, token: str, filename: str, sig: str) -> bool:
    return link_signature_is_valid(_value(organization_id, token, filename), sig, salt=SALT)
