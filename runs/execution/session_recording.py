"""A persistent session's recording on the worker that holds it: where the browser's host writes it
(agent.browser.recorder), and keeping it in storage when the session closes (BrowserSession.recordings)."""

from __future__ import annotations

import hashlib
import logging
import shutil
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.utils import timezone

from runs.models import BrowserSession

log = logging.getLogger(__name__)
FILENAME = "recording.webm"


def recording_path(folder: Path) -> Path | None:
    """Where the session in `folder` (RUNS_WORK_DIR/sessions/<id>) is recorded; None when recording is off."""
    return folder / FILENAME if settings.BROWSER_RECORD_VIDEO else None


def ffmpeg_path() -> str:
    return shutil.which("ffmpeg") or "/usr/bin/ffmpeg"


def recording_storage_name(session: BrowserSession) -> str:
    return f"{session.organization.organization_id}/sessions/{session.session_id}/{FILENAME}"


def keep_recording(session: BrowserSession, folder: Path) -> list[dict]:
    """Store the finished recording in `folder` (if any) and return the session's recordings entries."""
    path = folder / FILENAME
    if not path.is_file() or path.stat().st_size == 0:
        return list(session.recordings or [])
    name = recording_storage_name(session)
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
        handle.seek(0)
        if default_storage.exists(name):
            default_storage.delete(name)
        stored = default_storage.save(name, File(handle))
    entry = {
        "storage_name": stored,
        "filename": FILENAME,
        "checksum": digest.hexdigest(),
        "size": path.stat().st_size,
        "modified_at": timezone.now().isoformat().replace("+00:00", "Z"),
    }
    return [e for e in session.recordings or [] if e.get("filename") != FILENAME] + [entry]
