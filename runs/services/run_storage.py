"""A finished run's browser state (cookies, localStorage): kept encrypted for browser profiles.

The agent writes Playwright's storage_state into the run's working folder as the browser closes
(agent.browser.session.STORAGE_STATE_FILE); the runners keep it here before that folder is removed. It holds
session cookies, so it is stored encrypted (SKYVERN_ENCRYPTION_KEYS, runs.services.keys) under a private
storage name that is no artifact: no API lists it, no model sees it, nothing logs it.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from agent.browser.session import STORAGE_STATE_FILE
from runs.models import TaskRun
from runs.services.keys import secret_decrypt, secret_encrypt

log = logging.getLogger(__name__)


def run_storage_name(run: TaskRun) -> str:
    return f"{run.organization.organization_id}/runs/{run.run_id}/browser_state.enc"


def run_storage_keep(*, run: TaskRun, run_dir: Path) -> bool:
    """Encrypt and keep the state the run's browser left in `run_dir`; True when there was one."""
    path = run_dir / STORAGE_STATE_FILE
    if not path.is_file():
        return False
    try:
        token = secret_encrypt(path.read_text())
        name = run_storage_name(run)
        if default_storage.exists(name):
            default_storage.delete(name)
        default_storage.save(name, ContentFile(token.encode()))
    except Exception as exc:  # noqa: BLE001 - the run's outcome matters more than its profile
        log.warning("run %s: its browser state could not be kept (%s)", run.run_id, type(exc).__name__)
        return False
    finally:
        path.unlink(missing_ok=True)
    return True


def encrypted_state_of(run: TaskRun) -> bytes | None:
    """The run's kept state, still encrypted (what a profile stores), or None."""
    name = run_storage_name(run)
    if not default_storage.exists(name):
        return None
    with default_storage.open(name, "rb") as handle:
        return handle.read()


def state_decrypt(token: bytes) -> dict | None:
    """Playwright storage_state ({cookies, origins}) from an encrypted copy; None when no key opens it."""
    raw = secret_decrypt(token.decode())
    return json.loads(raw) if raw else None
