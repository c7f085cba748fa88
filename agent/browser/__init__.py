"""Playwright launch/connect, contexts, video, downloads, live screencast and the private-network guard."""

from agent.browser.config import BrowserConfig, OwnBrowser, Viewport, proxy_settings
from agent.browser.guard import NavigationBlocked, NetworkGuard
from agent.browser.locations import timezone_for_location
from agent.browser.media import ensure_ffmpeg
from agent.browser.screencast import Screencast
from agent.browser.session import BrowserSession, new_session, open_browser

__all__ = [
    "BrowserConfig",
    "BrowserSession",
    "NavigationBlocked",
    "NetworkGuard",
    "OwnBrowser",
    "Screencast",
    "Viewport",
    "ensure_ffmpeg",
    "new_session",
    "open_browser",
    "proxy_settings",
    "timezone_for_location",
]
