"""MiniWoB++ tasks served over local HTTP for bench_oracle.py, each episode seeded and its reward recorded.

The `miniwob` package (1.1.0, PyPI) ships the tasks as static HTML under miniwob/html; install it into the
virtualenv for the bench only (`.venv/bin/uv pip install miniwob==1.1.0 --no-deps`: its gymnasium and
selenium dependencies are not needed, the agent drives Chromium itself).

The gym environment starts an episode by running, in the loaded task page, `Math.seedrandom(seed)`,
`core.setDataMode(mode)` and `core.startEpisodeReal()`, and reads `WOB_RAW_REWARD_GLOBAL` /
`WOB_DONE_GLOBAL` afterwards (miniwob/selenium_instance.py). Here the agent owns the browser, so this server
appends a small script to each task page that does the same on load and reports the episode's first reward
back with a synchronous request: `/miniwob/<task>.html?seed=3&episode=abc`. The episode's time limit
(10 s in core.js) is raised to 10 minutes, since a real model takes seconds per answer; the reward used is the
raw one, not scaled by time.
"""

from __future__ import annotations

import importlib.util
import json
import threading
from http.server import SimpleHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.support.http import LocalServer, QuietHandler

EPISODE_MS = 600_000

START_SCRIPT = """
<script>
window.addEventListener('load', function () {
  var query = new URLSearchParams(location.search);
  var episode = query.get('episode');
  if (!episode) return;
  var endEpisode = core.endEpisode, reported = false;
  core.endEpisode = function (reward, timeProportional, reason) {
    if (!reported && core.EP_TIMER !== null) {
      reported = true;
      var xhr = new XMLHttpRequest();
      xhr.open('POST', '/reward?episode=' + encodeURIComponent(episode), false);
      xhr.send(JSON.stringify({reward: reward, reason: reason === undefined ? null : String(reason)}));
    }
    return endEpisode.apply(core, arguments);
  };
  core.EPISODE_MAX_TIME = EPISODE_MS;
  Math.seedrandom(query.get('seed'));
  core.setDataMode('train');
  core.startEpisodeReal();
});
</script>
""".replace("EPISODE_MS", str(EPISODE_MS))


def html_dir() -> Path:
    # Found, not imported: importing miniwob registers gymnasium environments, which are not installed.
    spec = importlib.util.find_spec("miniwob")
    if spec is None or spec.origin is None:  # the bench's own dependency, not the product's
        raise SystemExit("bench_oracle needs MiniWoB++: .venv/bin/uv pip install miniwob==1.1.0 --no-deps")
    return Path(spec.origin).parent / "html"


class MiniWobSite(LocalServer):
    """Serves miniwob/html; `rewards[episode]` is {"reward": float, "reason": str | None} once it ended."""

    def __init__(self) -> None:
        self.root = html_dir()
        self.rewards: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()
        super().__init__(_handler(self), name="miniwob")

    def episode_url(self, task: str, seed: int, episode: str) -> str:
        return f"{self.url}/miniwob/{task}.html?seed={seed}&episode={episode}"

    def record(self, episode: str, body: dict[str, Any]) -> None:
        with self._lock:
            self.rewards.setdefault(episode, body)


def _handler(site: MiniWobSite) -> type[SimpleHTTPRequestHandler]:
    class Handler(QuietHandler, SimpleHTTPRequestHandler):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, directory=str(site.root), **kwargs)

        def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
            parts = urlsplit(self.path)
            episode = parse_qs(parts.query).get("episode", [""])[0]
            if parts.path == "/reward" and episode:
                site.record(episode, json.loads(self.read_body() or b"{}"))
            self.send_body(204)

        def do_GET(self) -> None:  # noqa: N802
            path = urlsplit(self.path).path
            if path.startswith("/miniwob/") and path.endswith(".html"):
                file = site.root / path.lstrip("/")
                if file.is_file():
                    html = file.read_text(encoding="utf-8").replace("</body>", START_SCRIPT + "</body>", 1)
                    self.send_body(200, html.encode(), "text/html; charset=utf-8")
                    return
            super().do_GET()

    return Handler
