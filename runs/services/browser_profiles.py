"""Browser profiles (`bp_…`): a closed session's user-data dir (cookies, storage) kept to start new sessions from.

A session's worker keeps its user-data dir in storage when the session closes (session_snapshot_name);
a profile is a copy of that archive, so deleting the session's files never breaks a profile.
"""

from __future__ import annotations

from django.core.files.base import File
from django.core.files.storage import default_storage
from django.utils import timezone

from runs.choices import SESSION_OPEN_STATUSES
from runs.exceptions import IllegalTransition, InvalidRunRequest, NotFound
from runs.models import BrowserProfile, BrowserSession, Organization

MAX_NAME_LENGTH = 200


def session_snapshot_name(session: BrowserSession) -> str:
    """Where a closed session's user-data dir is kept in storage."""
    return f"{session.organization.organization_id}/sessions/{session.session_id}/profile.tar.gz"


def browser_profile_create(
    *,
    organization: Organization,
    name: str,
    description: str | None = None,
    browser_session_id: str | None = None,
    workflow_run_id: str | None = None,
) -> BrowserProfile:
    """A profile from a closed session of the organization (unknown → 404, still open → 409)."""
    name = (name or "").strip()
    if not name or len(name) > MAX_NAME_LENGTH:
        raise InvalidRunRequest(f"name must be 1 to {MAX_NAME_LENGTH} characters")
    if workflow_run_id and not browser_session_id:
        raise InvalidRunRequest(
            "Profiles from workflow runs are not supported by this server; run the work in a browser "
            "session (browser_session_id) and create the profile from that session"
        )
    if not browser_session_id:
        raise InvalidRunRequest("browser_session_id is required: the closed session to keep as a profile")
    session = _closed_session(organization, browser_session_id)
    profile = BrowserProfile(
        organization=organization,
        name=name,
        description=description or "",
        source_session_id=session.session_id,
    )
    with default_storage.open(session_snapshot_name(session), "rb") as snapshot:
        profile.file.save("profile.tar.gz", File(snapshot), save=False)
    profile.size = profile.file.size
    profile.save()
    return profile


def _closed_session(organization: Organization, session_id: str) -> BrowserSession:
    session = BrowserSession.objects.filter(organization=organization, session_id=session_id).first()
    if session is None:
        raise NotFound(f"Browser session {session_id} not found")
    if session.status in SESSION_OPEN_STATUSES:
        raise IllegalTransition(
            f"Browser session {session_id} is still {session.status}: close it first, so its browser writes "
            "its cookies and storage to disk"
        )
    if not default_storage.exists(session_snapshot_name(session)):
        if session.pid:
            raise IllegalTransition(
                f"Browser session {session_id} is still closing; try again in a few seconds"
            )
        raise IllegalTransition(
            f"Browser session {session_id} kept no profile (its browser never started or crashed)"
        )
    return session


def browser_profile_delete(*, profile: BrowserProfile) -> None:
    if profile.file:
        profile.file.delete(save=False)
    BrowserProfile.objects.filter(pk=profile.pk).update(deleted_at=timezone.now(), file="")
