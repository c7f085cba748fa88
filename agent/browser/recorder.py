"""A persistent session's recording: its current page screencast over DevTools into a small webm.

`SessionRecorder` runs in the persistent browser's host process (agent.browser.persistent) on a thread. It
attaches to the browser's current page (the first page DevTools lists, so a newly opened tab is followed
within a second), asks for a JPEG screencast at a reduced size, and writes the latest frame to ffmpeg at a
constant FPS frames a second (the screencast only sends frames when the page changes). `stop()` closes
ffmpeg's input: ffmpeg finishes the file. A recording is a webm (VP8), like a run's Playwright video.
"""

from __future__ import annotations

import base64
import contextlib
import json
import logging
import subprocess
import threading
import time
from pathlib import Path

log = logging.getLogger(__name__)
FPS = 2
WIDTH, HEIGHT = 800, 450  # even sizes (the encoder needs them); frames are scaled and padded to fit
TARGET_CHECK_SECONDS = 1.0
FINISH_TIMEOUT_S = 8


def ffmpeg_command(ffmpeg: str, path: Path, fps: int = FPS) -> list[str]:
    fit = (
        f"scale={WIDTH}:{HEIGHT}:force_original_aspect_ratio=decrease,"
        f"pad={WIDTH}:{HEIGHT}:(ow-iw)/2:(oh-ih)/2,format=yuv420p"
    )
    return [
        ffmpeg, "-hide_banner", "-loglevel", "error", "-y",
        "-f", "image2pipe", "-c:v", "mjpeg", "-framerate", str(fps), "-i", "pipe:0",
        "-vf", fit, "-c:v", "libvpx", "-deadline", "realtime", "-cpu-used", "8", "-b:v", "400k",
        "-f", "webm", str(path),
    ]  # fmt: skip


class SessionRecorder:
    """Record the page of the browser whose DevTools listen on `port` into `path`."""

    def __init__(self, port: int, path: Path, ffmpeg: str = "ffmpeg", fps: int = FPS) -> None:
        self.port, self.path, self.ffmpeg, self.fps = port, path, ffmpeg, fps
        self._stop = threading.Event()
        self._frame: bytes | None = None
        self._process: subprocess.Popen | None = None
        self._thread = threading.Thread(target=self._run, name="session-recorder", daemon=True)

    def start(self) -> SessionRecorder:
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop recording and let ffmpeg finish the file (empty recordings are removed)."""
        self._stop.set()
        self._thread.join(FINISH_TIMEOUT_S)
        process = self._process
        if process is not None:
            with contextlib.suppress(OSError):
                process.stdin.close()
            try:
                process.wait(FINISH_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                process.kill()
        if self.path.exists() and self.path.stat().st_size == 0:
            self.path.unlink()

    def _run(self) -> None:
        next_frame = time.monotonic()
        while not self._stop.is_set():
            target = self._current_page()
            if target is None:
                self._stop.wait(TARGET_CHECK_SECONDS)
                continue
            try:
                next_frame = self._follow(target, next_frame)
            except Exception as exc:  # noqa: BLE001 - the page went away: attach to the next one
                log.debug("screencast of %s ended: %s", target.get("id"), exc)
                self._stop.wait(0.2)

    def _current_page(self) -> dict | None:
        import httpx

        try:
            targets = httpx.get(f"http://127.0.0.1:{self.port}/json/list", timeout=3, trust_env=False).json()
        except Exception:  # noqa: BLE001 - the browser is starting or stopping
            return None
        pages = [t for t in targets if t.get("type") == "page" and t.get("webSocketDebuggerUrl")]
        return pages[0] if pages else None

    def _follow(self, target: dict, next_frame: float) -> float:
        """Screencast `target` until it stops being the current page; returns when the next frame is due."""
        from websockets.sync.client import connect

        with connect(target["webSocketDebuggerUrl"], open_timeout=3, max_size=16 * 1024 * 1024) as socket:
            params = {"format": "jpeg", "quality": 60, "maxWidth": WIDTH, "maxHeight": HEIGHT}
            socket.send(json.dumps({"id": 1, "method": "Page.startScreencast", "params": params}))
            checked = time.monotonic()
            while not self._stop.is_set():
                with contextlib.suppress(TimeoutError):
                    self._receive(socket, json.loads(socket.recv(timeout=0.1)))
                now = time.monotonic()
                while self._frame is not None and now >= next_frame:
                    self._write(self._frame)
                    next_frame += 1 / self.fps
                if self._frame is None:
                    next_frame = now
                if now - checked >= TARGET_CHECK_SECONDS:
                    checked = now
                    current = self._current_page()
                    if current is not None and current.get("id") != target.get("id"):
                        return next_frame
        return next_frame

    def _receive(self, socket, message: dict) -> None:
        if message.get("method") != "Page.screencastFrame":
            return
        params = message["params"]
        self._frame = base64.b64decode(params["data"])
        ack = {"id": 2, "method": "Page.screencastFrameAck", "params": {"sessionId": params["sessionId"]}}
        socket.send(json.dumps(ack))

    def _write(self, frame: bytes) -> None:
        if self._process is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._process = subprocess.Popen(
                ffmpeg_command(self.ffmpeg, self.path, self.fps),
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        try:
            self._process.stdin.write(frame)
        except (BrokenPipeError, ValueError):  # ffmpeg stopped: nothing more can be recorded
            log.warning("the session recording stopped: ffmpeg exited")
            self._stop.set()
