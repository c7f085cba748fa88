"""Browser sessions (`pbs_`) and the profiles (`bp_`) saved from them or from runs."""

from django.db import models
from django.db.models import Q

from runs import ids
from runs.choices import BrowserSessionStatus
from runs.models.accounts import Organization


class BrowserSession(models.Model):
    """A persistent Chromium (`pbs_…`) that lives on the worker that launched it until closed or timed out.

    Runs with browser_session_id reach that worker through its own queue (`worker_queue`); while a run drives
    it, `runnable_id` names the run.
    """

    session_id = models.CharField(
        max_length=40, unique=True, default=ids.new_browser_session_id, editable=False
    )
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="browser_sessions")
    status = models.CharField(
        max_length=20, choices=BrowserSessionStatus.choices, default=BrowserSessionStatus.CREATED
    )
    url = models.TextField(blank=True)
    timeout_minutes = models.PositiveIntegerField(default=60)
    proxy_location = models.CharField(max_length=40, blank=True)
    browser_profile = models.ForeignKey(
        "BrowserProfile", null=True, blank=True, on_delete=models.SET_NULL, related_name="sessions"
    )
    worker_queue = models.CharField(max_length=200, blank=True)
    worker_hostname = models.CharField(max_length=200, blank=True)
    browser_address = models.CharField(max_length=500, blank=True)
    pid = models.PositiveIntegerField(null=True, blank=True)
    user_data_dir = models.TextField(blank=True)
    runnable_type = models.CharField(max_length=30, blank=True)
    runnable_id = models.CharField(max_length=40, blank=True)
    close_reason = models.TextField(blank=True)
    recordings = models.JSONField(default=list, blank=True)
    downloaded_files = models.JSONField(default=list, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    modified_at = models.DateTimeField(auto_now=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=BrowserSessionStatus.values), name="browsersession_status_valid"
            ),
        ]
        indexes = [models.Index(fields=["organization", "status"], name="browsersession_org_status")]
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.session_id


def profile_path(instance: "BrowserProfile", filename: str) -> str:
    return f"{instance.organization.organization_id}/profiles/{instance.profile_id}_{filename}"


class BrowserProfile(models.Model):
    """A saved browser user-data snapshot (`bp_…`: cookies and storage) a session or run can start from."""

    profile_id = models.CharField(
        max_length=40, unique=True, default=ids.new_browser_profile_id, editable=False
    )
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="browser_profiles")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    source_session_id = models.CharField(max_length=40, blank=True)
    source_run_id = models.CharField(max_length=40, blank=True)
    file = models.FileField(upload_to=profile_path, max_length=500, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    modified_at = models.DateTimeField(auto_now=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.profile_id
