"""The run request behind POST /v1/run/tasks/login: a login task with the credential's placeholders."""

from __future__ import annotations

from typing import Any

from runs.choices import CredentialType, RunEngine
from runs.exceptions import InvalidRunRequest
from runs.models import Credential

DEFAULT_LOGIN_PROMPT = (
    "Log in to this website with the stored credential. Type its username into the username or email field "
    "and its password into the password field, then submit the form. If the site asks for a verification "
    "or two-factor code, enter it and submit. The goal is achieved when the page shows you are logged in "
    "(the login form is gone, or an account or dashboard page is shown). If the site says the username or "
    "password is wrong, stop: do not try other values."
)
PASSED_ON = (
    "url", "webhook_url", "proxy_location", "totp_url", "browser_session_id", "browser_profile_id",
    "browser_address", "extra_http_headers",
)  # fmt: skip


def login_run_request(body: dict[str, Any], *, credential: Credential) -> dict[str, Any]:
    """A TaskRunRequest dict for the login: the default prompt unless one is given, the credential named,
    the credential's totp_identifier when the request has none (so pushed codes reach this run)."""
    if credential.credential_type != CredentialType.PASSWORD:
        raise InvalidRunRequest("A login needs a password credential")
    data = {name: body[name] for name in PASSED_ON if body.get(name) is not None}
    if body.get("max_screenshot_scrolling_times") is not None:
        data["max_screenshot_scrolls"] = body["max_screenshot_scrolling_times"]
    headers = data.get("extra_http_headers")
    if headers:
        data["extra_http_headers"] = {key: value for key, value in headers.items() if value is not None}
    hint = credential.hint or {}
    identifier = body.get("totp_identifier") or (
        hint.get("totp_identifier") if hint.get("totp_type") in ("email", "text") else None
    )
    return {
        **data,
        "prompt": (body.get("prompt") or "").strip() or DEFAULT_LOGIN_PROMPT,
        "title": f"Log in with {credential.name}"[:500],
        "engine": RunEngine.SKYVERN_V1,
        "credential_ids": [credential.credential_id],
        "totp_identifier": identifier,
    }
