"""Browser sessions and profiles → the spec's BrowserSessionResponse and BrowserProfile bodies."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from runs.models import Artifact, BrowserProfile, BrowserSession
from runs.presenters.links import artifact_url
from runs.presenters.runs import iso
from runs.presenters.session_links import session_file_url


def session_app_url(session: BrowserSession) -> str:
    return f"{settings.PUBLIC_BASE_URL}/sessions/{session.session_id}"


def _files(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Stored {artifact_id, filename, checksum} entries → FileInfo with a signed link."""
    by_id = {
        a.artifact_id: a
        for a in Artifact.objects.filter(artifact_id__in=[e.get("artifact_id") for e in entries])
    }
    files = []
    for entry in entries:
        artifact = by_id.get(entry.get("artifact_id"))
        if artifact is not None:
            files.append(
                {
                    "url": artifact_url(artifact),
                    "checksum": artifact.checksum,
                    "filename": artifact.filename,
                    "modified_at": iso(artifact.created_at),
                }
            )
    return files


def _session_files(session: BrowserSession, entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The session's own kept files ({storage_name, filename, checksum, modified_at}) → FileInfo."""
    return [
        {
            "url": session_file_url(session.session_id, entry["filename"]),
            "checksum": entry.get("checksum"),
            "filename": entry["filename"],
            "modified_at": entry.get("modified_at"),
        }
        for entry in entries
        if entry.get("filename") and entry.get("storage_name")
    ]


def session_to_response(session: BrowserSession) -> dict[str, Any]:
    return {
        "browser_session_id": session.session_id,
        "organization_id": session.organization.organization_id,
        "status": session.status,
        "runnable_type": session.runnable_type or None,
        "runnable_id": session.runnable_id or None,
        "timeout": session.timeout_minutes,
        "browser_address": session.browser_address or None,
        "app_url": session_app_url(session),
        "browser_profile_id": session.browser_profile.profile_id if session.browser_profile_id else None,
        "vnc_streaming_supported": False,
        "download_path": None,
        "downloaded_files": _files(session.downloaded_files or []),
        "recordings": _session_files(session, session.recordings or []),
        "started_at": iso(session.started_at),
        "completed_at": iso(session.completed_at),
        "expires_at": iso(session.expires_at),
        "close_reason": session.close_reason or None,
        "created_at": iso(session.created_at),
        "modified_at": iso(session.modified_at),
        "deleted_at": iso(session.deleted_at),
    }


def profile_to_response(profile: BrowserProfile) -> dict[str, Any]:
    return {
        "browser_profile_id": profile.profile_id,
        "organization_id": profile.organization.organization_id,
        "name": profile.name,
        "description": profile.description or None,
        "source_browser_type": "chromium",
        "source_browser_session_id": profile.source_session_id or None,
        "source_run_id": profile.source_run_id or None,
        "size": profile.size,
        "is_managed": False,
        "created_at": iso(profile.created_at),
        "modified_at": iso(profile.modified_at),
        "deleted_at": iso(profile.deleted_at),
    }
