"""Organizations, their members and their API keys."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from runs import ids
from runs.choices import MemberRole


class Organization(models.Model):
    organization_id = models.CharField(max_length=32, unique=True, default=ids.new_org_id, editable=False)
    name = models.CharField(max_length=200, unique=True)
    max_steps_per_run = models.PositiveIntegerField(
        null=True, blank=True, help_text="Default max steps; empty = server default"
    )
    default_model = models.CharField(
        max_length=200,
        blank=True,
        help_text="Model for runs that name none (a name from GET /api/v1/models); empty = server default",
    )
    # Fernet-encrypted (SKYVERN_ENCRYPTION_KEYS); when set, webhooks and TOTP requests are signed with it
    # instead of the API key that made the run (manage.py set_webhook_secret, or the admin's action).
    webhook_secret_encrypted = models.TextField(blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    modified_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """Each dashboard user belongs to exactly one organization."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=MemberRole.choices, default=MemberRole.MEMBER)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(role__in=MemberRole.values), name="membership_role_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organization}"

    @property
    def is_admin(self) -> bool:
        return self.role == MemberRole.ADMIN


class ApiKey(models.Model):
    """Found by its hash. An encrypted copy (Fernet, SKYVERN_ENCRYPTION_KEYS) is kept too, because Skyvern
    signs webhooks with the raw key that created the run; whoever holds both the database and the encryption
    key can read every key (README "Security")."""

    key_id = models.CharField(max_length=32, unique=True, default=ids.new_key_id, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=100, blank=True)
    prefix = models.CharField(max_length=16, help_text="The first characters, shown to recognise the key")
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    key_encrypted = models.TextField(editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "API key"

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name or 'unnamed'})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
