"""Reads of browser sessions and profiles, scoped to an organization (another's is simply not found)."""

from __future__ import annotations

from django.db.models import QuerySet

from runs.choices import SESSION_OPEN_STATUSES
from runs.exceptions import NotFound
from runs.models import BrowserProfile, BrowserSession, Organization


def browser_session_get(*, organization: Organization, session_id: str) -> BrowserSession:
    session = BrowserSession.objects.filter(
        organization=organization, session_id=session_id, deleted_at__isnull=True
    ).first()
    if session is None:
        raise NotFound(f"Browser session {session_id} not found")
    return session


def browser_sessions_open(*, organization: Organization) -> QuerySet[BrowserSession]:
    """The organization's sessions that are starting or running, newest first."""
    return BrowserSession.objects.filter(
        organization=organization, status__in=SESSION_OPEN_STATUSES, deleted_at__isnull=True
    ).select_related("browser_profile")


def browser_profile_get(*, organization: Organization, profile_id: str) -> BrowserProfile:
    profile = BrowserProfile.objects.filter(
        organization=organization, profile_id=profile_id, deleted_at__isnull=True
    ).first()
    if profile is None:
        raise NotFound(f"Browser profile {profile_id} not found")
    return profile


def browser_profiles_list(
    *, organization: Organization, search: str | None = None, include_deleted: bool = False
) -> QuerySet[BrowserProfile]:
    profiles = BrowserProfile.objects.filter(organization=organization)
    if not include_deleted:
        profiles = profiles.filter(deleted_at__isnull=True)
    if search:
        profiles = profiles.filter(name__icontains=search)
    return profiles
