"""Browser profiles (`bp_…`): a closed session's user-data dir, or a finished run's cookies and storage, kept to
start new sessions from.

A session's worker keeps its user-data dir in storage when the session closes (session_snapshot_name);
a profile is a copy of that archive, so deleting the session's files never breaks a profile. A run's
profile is a copy of the run's encrypted Playwright storage_state (runs.services.run_storage); a session
started from it gets those cookies and localStorage applied before it opens its page.
"""

from __future__ import annotations

from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage
from django.utils import timezone

from runs.choices import SESSION_OPEN_STATUSES, TERMINAL_STATUSES
from runs.exceptions import IllegalTransition, InvalidRunRequest, NotFound
from runs.models import BrowserProfile, BrowserSession, Organization
from runs.selectors.runs import run_get_for_org
from runs.services.run_storage import encrypted_state_of, state_decrypt

MAX_NAME_LENGTH = 200
RUN_STATE_FILENAME = "browser_state.enc"  # a profile made from a run: its encrypted storage_state


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
    if workflow_run_id and browser_session_id:
        raise InvalidRunRequest("Give browser_session_id or workflow_run_id, not both")
    if workflow_run_id:
        return _profile_from_run(organization, name, description, workflow_run_id)
    if not browser_session_id:
        raise InvalidRunRequest(
            "browser_session_id or workflow_run_id is required: the closed session or finished run to "
            "keep as a profile"
        )
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


def _profile_from_run(
    organization: Organization, name: str, description: str | None, run_id: str
) -> BrowserProfile:
    """A profile from a finished run's cookies and storage (kept encrypted by runs.services.run_storage)."""
    run = run_get_for_org(organization=organization, run_id=run_id)
    if run is None:
        raise NotFound(f"Run {run_id} not found")
    if run.status not in TERMINAL_STATUSES:
        raise IllegalTransition(
            f"Run {run_id} is still {run.status}: create the profile once it has finished"
        )
    state = encrypted_state_of(run)
    if state is None:
        raise IllegalTransition(f"Run {run_id} kept no browser state (its browser never opened or crashed)")
    profile = BrowserProfile(
        organization=organization, name=name, description=description or "", source_run_id=run.run_id
    )
    profile.file.save(RUN_STATE_FILENAME, ContentFile(state), save=False)
    profile.size = len(state)
    profile.save()
    return profile


def profile_state(profile: BrowserProfile) -> dict | None:
    """The cookies and storage of a profile made from a run; None for a session's user-data archive."""
    if not profile.file or not profile.file.name.endswith(RUN_STATE_FILENAME):
        return None
    with profile.file.open("rb") as handle:
        return state_decrypt(handle.read())


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
