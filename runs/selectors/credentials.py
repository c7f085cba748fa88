"""Reads of credentials and pushed 2FA codes, scoped to an organization."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from runs.exceptions import NotFound
from runs.models import Credential, Organization


def credential_list_for_org(
    *, organization: Organization, credential_type: str | None = None, search: str = ""
) -> QuerySet[Credential]:
    rows = Credential.objects.filter(organization=organization, deleted_at__isnull=True)
    if credential_type:
        rows = rows.filter(credential_type=credential_type.lower())
    if search:
        rows = rows.filter(
            Q(name__icontains=search)
            | Q(hint__username__icontains=search)
            | Q(hint__secret_label__icontains=search)
            | Q(hint__last_four__icontains=search)
        )
    return rows


def credential_get_for_org(*, organization: Organization, credential_id: str) -> Credential:
    """The organization's live credential; NotFound for an unknown, deleted or foreign one."""
    credential = Credential.objects.filter(
        organization=organization, credential_id=credential_id, deleted_at__isnull=True
    ).first()
    if credential is None:
        raise NotFound("Credential not found")
    return credential
