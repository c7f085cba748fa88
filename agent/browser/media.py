"""Point Playwright's video recorder at the system ffmpeg (Playwright cannot download its own here)."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import playwright

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_BROWSERS_PATH = REPO_ROOT / "var" / "pw-browsers"
BROWSERS_JSON = Path(playwright.__file__).parent / "driver" / "package" / "browsers.json"


def ffmpeg_revision(browsers_json: Path = BROWSERS_JSON) -> str:
    """The ffmpeg build revision the installed Playwright driver looks for."""
    data = json.loads(browsers_json.read_text())
    for browser in data["browsers"]:
        if browser["name"] == "ffmpeg":
            return str(browser["revision"])
    raise RuntimeError(f"no ffmpeg entry in {browsers_json}")


def ensure_ffmpeg(system_ffmpeg: str | None = None) -> Path:
    """Link `$PLAYWRIGHT_BROWSERS_PATH/ffmpeg-<rev>/ffmpeg-linux` to the system ffmpeg; idempotent.

    Sets PLAYWRIGHT_BROWSERS_PATH (default <repo>/var/pw-browsers) when unset; it must be set
    before the Playwright driver starts, because the driver reads it once.
    """
    target = system_ffmpeg or shutil.which("ffmpeg") or "/usr/bin/ffmpeg"
    root = Path(os.environ.setdefault("PLAYWRIGHT_BROWSERS_PATH", str(DEFAULT_BROWSERS_PATH)))
    link = root / f"ffmpeg-{ffmpeg_revision()}" / "ffmpeg-linux"
    if link.is_symlink() and os.readlink(link) == target:
        return link
    link.parent.mkdir(parents=True, exist_ok=True)
    if link.is_symlink() or link.exists():
        link.unlink()
    link.symlink_to(target)
    return link
