"""One-time codes for two-factor log-ins, from a base32 secret the host supplies with the task."""

from __future__ import annotations

import pyotp


def current_code(secret: str) -> str | None:
    """The code valid now, or None when the secret is not valid base32."""
    try:
        return pyotp.TOTP(secret.replace(" ", "").upper()).now()
    except (ValueError, TypeError):  # binascii.Error is a ValueError
        return None
