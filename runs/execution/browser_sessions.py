"""A persistent session's browser on the worker that holds it: start, stop, keep, watch.

The browser is a Chromium in its own process group (agent.browser.persistent), so it outlives the Celery
task that started it; it watches the worker's main process and leaves with it. Its user-data dir is
RUNS_WORK_DIR/sessions/<id>/profile. On close the browser is stopped (Chromium writes its cookies), the
user-data dir is kept in storage as `<org>/sessions/<id>/profile.tar.gz` (what POST /v1/browser_profiles
copies), the downloads of the session's runs are listed on it, and the folder is removed.
"""

from __future__ import annotations

import logging
import os
import shutil
import tarfile
import tempfile
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.utils import timezone

from agent.browser.persistent import PersistentSpec, launch_persistent, process_alive, stop_persistent
from agent.browser.persistent_state import apply_storage_state
from runs import dispatch
from runs.choices import SESSION_OPEN_STATUSES, BrowserSessionStatus
from runs.execution.session_recording import ffmpeg_path, keep_recording, recording_path
from runs.models import Artifact, BrowserSession
from runs.services import browser_sessions as sessions
from runs.services.browser_profiles import profile_state, session_snapshot_name
from runs.services.egress import allowed_private_hosts
from runs.services.proxies import proxy_url_for

log = logging.getLogger(__name__)
WORKER_PID_ENV = "SKYVERN_WORKER_PID"  # set by the worker's main process before its pool forks
# Chromium rebuilds these by itself; they only make a profile archive large.
PROFILE_SKIP = {
    "Cache",
    "Code Cache",
    "GPUCache",
    "ShaderCache",
    "GrShaderCache",
    "Crashpad",
    "component_crx_cache",
}
PROFILE_SKIP_PREFIX = ("Singleton", "DevToolsActivePort")


def session_dir(session_id: str) -> Path:
    return settings.RUNS_WORK_DIR / "sessions" / session_id


def local_cdp_url(browser_address: str) -> str:
    """The session's DevTools endpoint as this machine reaches it (loopback: the browser runs here)."""
    return f"http://127.0.0.1:{urlsplit(browser_address).port}"


def session_start(*, session_id: str, hostname: str) -> None:
    """Start the session's browser here and pin the session to this worker's own queue."""
    session = BrowserSession.objects.select_related("organization", "browser_profile").get(
        session_id=session_id
    )
    if session.status != BrowserSessionStatus.CREATED:
        return
    folder = session_dir(session_id) / "profile"
    browser = None
    try:
        state = profile_state(session.browser_profile) if session.browser_profile is not None else None
        if state is None and session.browser_profile is not None and session.browser_profile.file:
            unpack(session.browser_profile.file, folder)
        spec = spec_for(session, folder)
        if state is not None:  # a run's cookies and storage: in before the first page opens
            spec.url = None
        browser = launch_persistent(spec)
        if state is not None:
            apply_storage_state(f"http://127.0.0.1:{browser.port}", state, session.url or None)
    except Exception as exc:  # noqa: BLE001 - any failure ends the session with its reason
        if browser is not None:
            stop_persistent(browser.pid)
        log.exception("browser session %s did not start", session_id)
        sessions.browser_session_end(
            session_id=session_id,
            status=BrowserSessionStatus.FAILED,
            reason=f"The browser did not start: {exc}",
        )
        shutil.rmtree(session_dir(session_id), ignore_errors=True)
        return
    started = sessions.browser_session_started(
        session_id=session_id,
        pid=browser.pid,
        browser_address=f"http://{settings.BROWSER_SESSION_HOST}:{browser.port}",
        worker_queue=dispatch.worker_queue_name(hostname),
        worker_hostname=hostname,
        user_data_dir=str(folder),
    )
    if not started:  # closed while it started
        stop_persistent(browser.pid)
        shutil.rmtree(session_dir(session_id), ignore_errors=True)


def spec_for(session: BrowserSession, folder: Path) -> PersistentSpec:
    watch = os.environ.get(WORKER_PID_ENV)
    return PersistentSpec(
        chromium_path=settings.CHROMIUM_PATH,
        user_data_dir=folder,
        headless=settings.BROWSER_HEADLESS,
        url=session.url or None,
        allow_private_hosts=allowed_private_hosts(),
        proxy_url=proxy_url_for(session.proxy_location or None),
        egress_proxy=settings.SKYVERN_EGRESS_PROXY,
        debug_address=settings.BROWSER_SESSION_BIND,
        watch_pid=int(watch) if watch else os.getpid(),
        recording_path=recording_path(folder.parent),
        ffmpeg_path=ffmpeg_path(),
    )


def session_cleanup(*, session_id: str) -> None:
    """Stop the session's browser, keep its user-data dir and downloads list, remove its folder.
    Idempotent: the close task, the heartbeat and the worker's shutdown may all call it."""
    session = BrowserSession.objects.select_related("organization").filter(session_id=session_id).first()
    if session is None:
        return
    if session.pid:
        cdp = local_cdp_url(session.browser_address) if session.browser_address else None
        stop_persistent(session.pid, cdp_url=cdp)
    folder = Path(session.user_data_dir) if session.user_data_dir else None
    if folder is not None and folder.is_dir():
        try:
            keep_profile(folder, session_snapshot_name(session))
        except Exception:  # noqa: BLE001 - the session still closes; its profile is lost
            log.exception("could not keep the profile of %s", session_id)
    try:
        recordings = keep_recording(session, session_dir(session_id))
    except Exception:  # noqa: BLE001 - the session still closes; its recording is lost
        log.exception("could not keep the recording of %s", session_id)
        recordings = session.recordings or []
    shutil.rmtree(session_dir(session_id), ignore_errors=True)
    BrowserSession.objects.filter(pk=session.pk).update(
        pid=None, downloaded_files=downloads_of(session), recordings=recordings
    )
    if session.status in SESSION_OPEN_STATUSES:
        sessions.browser_session_end(
            session_id=session_id,
            status=BrowserSessionStatus.COMPLETED,
            reason="The worker holding this browser stopped",
        )


def downloads_of(session: BrowserSession) -> list[dict]:
    files = Artifact.objects.filter(run__browser_session_id=session.session_id, artifact_type="download")
    return [{"artifact_id": a.artifact_id, "filename": a.filename, "checksum": a.checksum} for a in files]


def _skip(path: str) -> bool:
    name = Path(path).name
    return name in PROFILE_SKIP or name.startswith(PROFILE_SKIP_PREFIX)


def keep_profile(folder: Path, name: str) -> None:
    """Archive `folder` (without caches and lock files) into storage under `name`."""
    with tempfile.NamedTemporaryFile(suffix=".tar.gz") as handle:
        with tarfile.open(fileobj=handle, mode="w:gz") as archive:
            archive.add(folder, arcname=".", filter=lambda info: None if _skip(info.name) else info)
        handle.flush()
        handle.seek(0)
        if default_storage.exists(name):
            default_storage.delete(name)
        default_storage.save(name, File(handle))


def unpack(stored, folder: Path) -> None:
    """Unpack a profile archive (a storage file) into `folder`, refusing members that leave it."""
    folder.mkdir(parents=True, exist_ok=True)
    with stored.open("rb") as handle, tarfile.open(fileobj=handle, mode="r:gz") as archive:
        archive.extractall(folder, filter="data")


def sessions_watch(*, hostname: str) -> None:
    """The worker's heartbeat (its main process, every BROWSER_SESSION_HEARTBEAT_SECONDS): refresh its
    sessions, fail those whose browser is gone, stop the browsers of sessions closed elsewhere."""
    queue = dispatch.worker_queue_name(hostname)
    for session in sessions.browser_sessions_heartbeat(worker_queue=queue):
        if not process_alive(session.pid):
            reason = "The browser crashed (its process exited)"
            if sessions.browser_session_end(
                session_id=session.session_id, status=BrowserSessionStatus.FAILED, reason=reason
            ):
                log.warning("browser session %s: %s", session.session_id, reason)
            session_cleanup(session_id=session.session_id)
    # Closed a while ago and still running here: the close message was lost (the close task is quicker).
    leftover = BrowserSession.objects.filter(
        worker_queue=queue, pid__isnull=False, completed_at__lt=timezone.now() - timedelta(seconds=30)
    ).exclude(status__in=SESSION_OPEN_STATUSES)
    for session in leftover:
        session_cleanup(session_id=session.session_id)


def sessions_shutdown(*, hostname: str) -> None:
    """The worker stops: close every session it holds (their browsers would go with it anyway)."""
    queue = dispatch.worker_queue_name(hostname)
    for session in BrowserSession.objects.filter(worker_queue=queue, status__in=SESSION_OPEN_STATUSES):
        sessions.browser_session_end(
            session_id=session.session_id,
            status=BrowserSessionStatus.COMPLETED,
            reason="The worker holding this browser stopped",
        )
        session_cleanup(session_id=session.session_id)
