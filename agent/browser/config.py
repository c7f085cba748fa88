"""What a browser session is launched with."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from pydantic import BaseModel, ConfigDict, Field

LAUNCH_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    # WebRTC would send UDP straight to any address, around the egress proxy: proxied TCP only.
    "--force-webrtc-ip-handling-policy=disable_non_proxied_udp",
    "--webrtc-ip-handling-policy=disable_non_proxied_udp",
)


class Viewport(BaseModel):
    model_config = ConfigDict(extra="forbid")

    width: int = 1280
    height: int = 720


class OwnBrowser(BaseModel):
    """The server's own CDP browser (BROWSER_TYPE=cdp-connect): where it answers, and how to start it when
    it does not (agent.browser.own_browser). An operator's setting, so unlike browser_address it is trusted."""

    model_config = ConfigDict(extra="forbid")

    cdp_url: str = "http://127.0.0.1:9222"
    executable: str | None = None  # None: attach only; someone else starts the browser
    profile_source: Path | None = None  # the user's profile directory, copied on first start
    profile_dir: Path = Path("var/chrome-profile")
    headless: bool = True


class BrowserConfig(BaseModel):
    """Everything the host decides about a run's browser; the agent never reads env vars."""

    model_config = ConfigDict(extra="forbid")

    chromium_path: str = "/usr/bin/chromium"
    headless: bool = True
    viewport: Viewport = Field(default_factory=Viewport)
    user_agent: str | None = None
    extra_http_headers: dict[str, str] = Field(default_factory=dict)
    proxy_url: str | None = None
    timezone_id: str | None = None
    locale: str | None = None
    # CDP endpoint ("http://127.0.0.1:9222" or a ws:// URL) of a browser someone else owns.
    browser_address: str | None = None
    # The server's own CDP browser, used when the request names no browser_address.
    own_browser: OwnBrowser | None = None
    # A persistent session's browser (agent.browser.persistent), the host's own so trusted: the run drives
    # its existing default context and current page, and leaves both open at the end.
    session_cdp_url: str | None = None
    record_video: bool = False
    run_dir: Path = Path("var/runs/default")
    allow_private_hosts: list[str] = Field(default_factory=list)
    # Every connection goes through the policy-enforcing egress proxy (agent.browser.egress).
    egress_proxy: bool = True
    default_timeout_ms: float = 15_000
    extra_args: list[str] = Field(default_factory=list)

    @property
    def video_dir(self) -> Path:
        return self.run_dir / "video"

    @property
    def downloads_dir(self) -> Path:
        return self.run_dir / "downloads"


def proxy_settings(proxy_url: str | None) -> dict[str, str] | None:
    """Turn "scheme://user:pass@host:port" into Playwright's proxy dict (credentials kept apart)."""
    if not proxy_url:
        return None
    parts = urlsplit(proxy_url if "://" in proxy_url else f"http://{proxy_url}")
    if not parts.hostname:
        raise ValueError(f"proxy_url has no host: {proxy_url!r}")
    server = f"{parts.scheme}://{parts.hostname}" + (f":{parts.port}" if parts.port else "")
    proxy: dict[str, str] = {"server": server}
    if parts.username:
        proxy["username"] = unquote(parts.username)
    if parts.password:
        proxy["password"] = unquote(parts.password)
    return proxy


def context_options(config: BrowserConfig, egress_url: str | None = None) -> dict[str, Any]:
    """Keyword arguments for `browser.new_context` (only the ones that are set).

    With an egress proxy (`egress_url`) the context uses it, and it chains to `config.proxy_url`; Playwright
    sends loopback through a context's proxy too, so nothing bypasses it.
    """
    options: dict[str, Any] = {
        "viewport": config.viewport.model_dump(),
        "accept_downloads": True,
        # Service workers fetch outside the context's routes, which would bypass the network guard.
        "service_workers": "block",
    }
    optional = {
        "user_agent": config.user_agent,
        "extra_http_headers": config.extra_http_headers or None,
        "proxy": {"server": egress_url} if egress_url else proxy_settings(config.proxy_url),
        "timezone_id": config.timezone_id,
        "locale": config.locale,
    }
    options.update({key: value for key, value in optional.items() if value is not None})
    if config.record_video:
        options["record_video_dir"] = str(config.video_dir)
        options["record_video_size"] = config.viewport.model_dump()
    return options
