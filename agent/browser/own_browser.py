"""The server's own CDP browser (Skyvern's BROWSER_TYPE=cdp-connect): attach to it, starting it first when the
host says which executable to start.

Unlike a request's `browser_address`, the address here is the operator's setting, so it is trusted (it is
usually 127.0.0.1, which runs may not reach). Chrome refuses remote debugging on its default profile
directory, so the first start copies the user's profile to a folder of the server's own (`profile_dir`)
and later starts reuse that copy. The started browser keeps running between runs, like a browser of the
user's; each run still gets a fresh context in it.
"""

from __future__ import annotations

import asyncio
import fcntl
import logging
import os
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

from playwright.async_api import Browser, Playwright

from agent.browser.config import OwnBrowser

log = logging.getLogger(__name__)
START_TIMEOUT_S = 30
# Files Chrome keeps only while it runs (or rebuilds by itself): copying them would confuse the copy.
PROFILE_SKIP = (
    "Singleton*",
    "lockfile",
    "*.lock",
    "Crashpad",
    "Cache",
    "Code Cache",
    "GPUCache",
    "ShaderCache",
)


def cdp_answers(cdp_url: str, timeout: float = 1.0) -> bool:
    """True when a DevTools endpoint answers at `cdp_url` (an http:// address)."""
    try:
        with urllib.request.urlopen(cdp_url.rstrip("/") + "/json/version", timeout=timeout) as answer:
            return answer.status == 200
    except (OSError, ValueError):
        return False


def copy_profile(source: Path | None, target: Path) -> bool:
    """Copy `source` to `target` unless `target` exists already; True when this call made the copy."""
    if target.exists():
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    if source is not None and source.is_dir():
        log.info("copying the browser profile %s to %s (first use)", source, target)
        shutil.copytree(source, target, symlinks=True, ignore=shutil.ignore_patterns(*PROFILE_SKIP))
    else:
        target.mkdir()
    return True


def launch_args(own: OwnBrowser) -> list[str]:
    port = urlsplit(own.cdp_url).port or 9222
    args = [
        str(own.executable),
        f"--remote-debugging-port={port}",
        "--remote-debugging-address=127.0.0.1",
        f"--user-data-dir={own.profile_dir.resolve()}",
        "--no-first-run",
        "--no-default-browser-check",
    ]
    if os.geteuid() == 0:  # Chrome's sandbox refuses to run as root
        args.append("--no-sandbox")
    if own.headless:
        args += ["--headless=new", "--disable-gpu"]
    return args


def start_browser(own: OwnBrowser) -> subprocess.Popen[bytes]:
    """Start the browser on (a copy of) the profile and wait until its DevTools endpoint answers."""
    host = urlsplit(own.cdp_url).hostname
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise RuntimeError(f"can only start a browser on this machine, not at {own.cdp_url}")
    copy_profile(own.profile_source, own.profile_dir)
    process = subprocess.Popen(
        launch_args(own), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    deadline = time.monotonic() + START_TIMEOUT_S
    while not cdp_answers(own.cdp_url):
        if process.poll() is not None:
            raise RuntimeError(f"{own.executable} exited with status {process.returncode} before answering")
        if time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"{own.executable} did not answer on {own.cdp_url} within {START_TIMEOUT_S} s")
        time.sleep(0.2)
    log.info("started %s (pid %d) for cdp-connect on %s", own.executable, process.pid, own.cdp_url)
    return process


def ensure_started(own: OwnBrowser) -> subprocess.Popen[bytes] | None:
    """Start the browser unless it answers already (one starter at a time, across processes)."""
    if cdp_answers(own.cdp_url) or not own.executable:
        return None
    own.profile_dir.parent.mkdir(parents=True, exist_ok=True)
    with open(own.profile_dir.parent / f".{own.profile_dir.name}.start-lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if cdp_answers(own.cdp_url):  # another run started it while we waited
            return None
        return start_browser(own)


async def connect_own_browser(pw: Playwright, own: OwnBrowser) -> Browser:
    await asyncio.to_thread(ensure_started, own)
    try:
        return await pw.chromium.connect_over_cdp(own.cdp_url, timeout=START_TIMEOUT_S * 1000)
    except Exception as exc:
        hint = "" if own.executable else " (set CHROME_EXECUTABLE_PATH to have the server start it)"
        raise RuntimeError(f"no browser answers on {own.cdp_url}{hint}: {str(exc).splitlines()[0]}") from None
