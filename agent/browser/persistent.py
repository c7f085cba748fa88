"""A browser that outlives the process that asked for it: a persistent session (`pbs_…`).

`launch_persistent(spec)` starts `python -m agent.browser.persistent` in its own process group. That small
host process starts the egress proxy (its child, so it enforces the same policy as a run's context does),
then Chromium on the session's own user-data dir with a DevTools port, and waits. It exits, taking Chromium
and the proxy with it, on SIGTERM, when Chromium exits, or when the watched process (the worker that owns the
session) is gone, so a worker killed with SIGKILL leaves no browser behind.

The spec travels in an environment variable, never on the command line, where an upstream proxy's password
would show in `ps`. `session_cdp_url` in BrowserConfig is how a run then drives the browser
(agent.browser.session.open_browser).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from agent.browser.config import LAUNCH_ARGS, Viewport
from agent.browser.egress import PROJECT_ROOT, EgressPolicy, EgressProxy, chainable

log = logging.getLogger(__name__)
SPEC_ENV = "SKYVERN_PERSISTENT_BROWSER"
START_TIMEOUT_S = 30
PORT_FILE = "DevToolsActivePort"


class PersistentSpec(BaseModel):
    """How to start one persistent browser."""

    model_config = ConfigDict(extra="forbid")

    chromium_path: str = "/usr/bin/chromium"
    user_data_dir: Path
    headless: bool = True
    url: str | None = None
    viewport: Viewport = Field(default_factory=Viewport)
    allow_private_hosts: list[str] = Field(default_factory=list)
    proxy_url: str | None = None
    egress_proxy: bool = True
    extra_args: list[str] = Field(default_factory=list)
    # The address DevTools listens on; anything but loopback exposes full control of the browser.
    debug_address: str = "127.0.0.1"
    watch_pid: int | None = None
    # Where the session's page is recorded (agent.browser.recorder); None records nothing.
    recording_path: Path | None = None
    ffmpeg_path: str = "ffmpeg"


class PersistentBrowser(BaseModel):
    pid: int  # the host process: also the process group of Chromium and the proxy
    port: int  # the DevTools port, on spec.debug_address


def launch_persistent(spec: PersistentSpec) -> PersistentBrowser:
    """Start the host process and wait until Chromium's DevTools port is known."""
    spec.user_data_dir.mkdir(parents=True, exist_ok=True)
    port_file = spec.user_data_dir / PORT_FILE
    port_file.unlink(missing_ok=True)  # a copied profile may hold the port of the browser it came from
    process = subprocess.Popen(
        [sys.executable, "-m", "agent.browser.persistent"],
        env={**os.environ, SPEC_ENV: spec.model_dump_json()},
        cwd=PROJECT_ROOT,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        text = port_file.read_text() if port_file.exists() else ""
        if text.strip():
            return PersistentBrowser(pid=process.pid, port=int(text.split()[0]))
        if process.poll() is not None:
            raise RuntimeError(f"the browser exited while starting (exit code {process.returncode})")
        time.sleep(0.05)
    stop_persistent(process.pid)
    raise RuntimeError(f"the browser did not start within {START_TIMEOUT_S} s")


def process_alive(pid: int | None) -> bool:
    """True while `pid` runs (a zombie, dead but not yet reaped by its parent, counts as gone)."""
    if not pid:
        return False
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        try:
            os.kill(pid, 0)
        except (ProcessLookupError, PermissionError):
            return False
        return True
    return stat.rsplit(")", 1)[-1].split()[0] not in ("Z", "X")


def stop_persistent(pid: int | None, timeout: float = 10, cdp_url: str | None = None) -> bool:
    """Close the browser through DevTools at `cdp_url` (Chromium then writes its cookies and storage to
    disk; a signal does not make it flush them), then SIGTERM the host's process group and SIGKILL what is
    left after `timeout`. True when nothing of it runs any more."""
    if not pid:
        return True
    if cdp_url and process_alive(pid):
        try:
            asyncio.run(_close_over_cdp(cdp_url))
        except Exception as exc:  # noqa: BLE001 - the signals below still stop it
            log.info("closing the browser at %s over DevTools failed: %s", cdp_url, exc)
        _wait_gone(pid, timeout)
    for sig, wait in ((signal.SIGTERM, timeout), (signal.SIGKILL, 5)):
        try:
            os.killpg(pid, sig)
        except ProcessLookupError:
            return True
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            _reap(pid)
            if not process_alive(pid):
                return True
            time.sleep(0.1)
    return not process_alive(pid)


async def _close_over_cdp(cdp_url: str) -> None:
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.connect_over_cdp(cdp_url, timeout=5_000)
        session = await browser.new_browser_cdp_session()
        with contextlib.suppress(Exception):  # the connection drops as the browser goes
            await session.send("Browser.close")


def _wait_gone(pid: int, timeout: float) -> None:
    """Wait for Chromium to exit: the host process leaves right after it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process_alive(pid):
        _reap(pid)
        time.sleep(0.1)


def _reap(pid: int) -> None:
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass


def chromium_args(spec: PersistentSpec, proxy: str | None) -> list[str]:
    args = [spec.chromium_path, *LAUNCH_ARGS, *spec.extra_args, f"--user-data-dir={spec.user_data_dir}"]
    args += ["--remote-debugging-port=0", f"--window-size={spec.viewport.width},{spec.viewport.height}"]
    if spec.debug_address not in ("127.0.0.1", "localhost"):
        args.append(f"--remote-debugging-address={spec.debug_address}")
    if spec.headless:
        args.append("--headless=new")
    if proxy:
        # Chromium sends loopback straight out unless told otherwise: everything goes through the proxy.
        args += [f"--proxy-server={proxy}", "--proxy-bypass-list=<-loopback>"]
    return [*args, spec.url or "about:blank"]


def _proxy_for(spec: PersistentSpec) -> tuple[EgressProxy | None, str | None]:
    if spec.egress_proxy and (not spec.proxy_url or chainable(spec.proxy_url)):
        proxy = EgressProxy(EgressPolicy.for_browser(spec.allow_private_hosts, spec.proxy_url)).start()
        return proxy, proxy.url
    return None, spec.proxy_url


def main() -> None:
    spec = PersistentSpec.model_validate(json.loads(os.environ[SPEC_ENV]))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    proxy, proxy_arg = _proxy_for(spec)
    chromium = subprocess.Popen(
        chromium_args(spec, proxy_arg), stdin=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    recorder = None
    try:
        while chromium.poll() is None and (spec.watch_pid is None or process_alive(spec.watch_pid)):
            if recorder is None and spec.recording_path is not None:
                recorder = _start_recorder(spec)
            time.sleep(1)
    finally:
        if recorder is not None:
            recorder.stop()  # before Chromium goes: the last frames are in, ffmpeg finishes the file
        if chromium.poll() is None:
            chromium.terminate()
            try:
                chromium.wait(10)
            except subprocess.TimeoutExpired:
                chromium.kill()
        if proxy is not None:
            proxy.stop()


def _start_recorder(spec: PersistentSpec):
    from agent.browser.recorder import SessionRecorder

    port_file = spec.user_data_dir / PORT_FILE
    text = port_file.read_text() if port_file.exists() else ""
    if not text.strip():
        return None
    return SessionRecorder(int(text.split()[0]), spec.recording_path, spec.ffmpeg_path).start()


if __name__ == "__main__":
    main()


def page_screenshot(cdp_url: str, timeout: float = 5) -> bytes:
    """A JPEG of the browser's current page, straight over DevTools (cheap enough for a live view)."""
    import base64

    import httpx
    from websockets.sync.client import connect

    targets = httpx.get(cdp_url.rstrip("/") + "/json/list", timeout=timeout, trust_env=False).json()
    pages = [t for t in targets if t.get("type") == "page" and t.get("webSocketDebuggerUrl")]
    if not pages:
        raise RuntimeError("the browser has no open page")
    with connect(pages[0]["webSocketDebuggerUrl"], open_timeout=timeout, max_size=32 * 1024 * 1024) as socket:
        request = {"id": 1, "method": "Page.captureScreenshot", "params": {"format": "jpeg", "quality": 60}}
        socket.send(json.dumps(request))
        while True:
            answer = json.loads(socket.recv(timeout=timeout))
            if answer.get("id") == 1:
                break
    if "error" in answer:
        raise RuntimeError(answer["error"].get("message", "screenshot failed"))
    return base64.b64decode(answer["result"]["data"])
