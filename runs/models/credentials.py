"""Stored credentials (`cred_`) and pushed TOTP codes."""

from django.db import models
from django.db.models import Q

from runs import ids
from runs.choices import CredentialType
from runs.models.accounts import Organization


class Credential(models.Model):
    """A stored secret (`cred_…`). `secret_encrypted` is Fernet (SKYVERN_ENCRYPTION_KEYS) over a JSON object;
    `hint` holds only what may be shown (a username, a card's last digits, whether a TOTP secret is set)."""

    credential_id = models.CharField(
        max_length=40, unique=True, default=ids.new_credential_id, editable=False
    )
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="credentials")
    name = models.CharField(max_length=200)
    credential_type = models.CharField(max_length=20, choices=CredentialType.choices)
    secret_encrypted = models.TextField(editable=False)
    hint = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    modified_at = models.DateTimeField(auto_now=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(credential_type__in=CredentialType.values), name="credential_type_valid"
            ),
        ]
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.credential_id} ({self.name})"


class TotpCode(models.Model):
    """A 2FA code pushed to POST /v1/credentials/totp; a run waiting for one takes it once (`used_at`)."""

    totp_code_id = models.CharField(max_length=40, unique=True, default=ids.new_totp_code_id, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="totp_codes")
    # Normalised (lower case, trimmed) so lookups match case-insensitively.
    totp_identifier = models.CharField(max_length=500)
    content = models.TextField()
    code = models.CharField(max_length=64, blank=True)
    task_id = models.CharField(max_length=40, blank=True)
    workflow_id = models.CharField(max_length=40, blank=True)
    workflow_run_id = models.CharField(max_length=40, blank=True)
    source = models.CharField(max_length=200, blank=True)
    expired_at = models.DateTimeField(null=True, blank=True)
    used_at = models.DateTimeField(null=True, blank=True)
    used_by_run_id = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    modified_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["organization", "totp_identifier", "-created_at"], name="totp_org_ident_created"
            )
        ]
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.totp_code_id
