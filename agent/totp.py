"""One-time codes for two-factor log-ins, from a base32 secret the host supplies with the task."""

from __future__ import annotations

import re
from typing import Any

import pyotp


def current_code(secret: str) -> str | None:
    """The code valid now, or None when the secret is not valid base32."""
    try:
        return pyotp.TOTP(secret.replace(" ", "").upper()).now()
    except (ValueError, TypeError):  # binascii.Error is a ValueError
        return None


async def code_from_message(llm: Any, message: str) -> str | None:
    """The verification code in an email or SMS body, found by one LLM call (Prompt-Kind: totp_extract);
    None when the model finds none or answers with something unusable."""
    from agent.llm import extract_json
    from agent.prompts import fence_page, render

    messages = [
        {"role": "system", "content": render("totp_extract")},
        {"role": "user", "content": fence_page(message)},
    ]
    reply = await llm.complete(messages)
    try:
        answer = extract_json(reply.text)
    except ValueError:
        return None
    code = answer.get("code") if isinstance(answer, dict) else None
    code = re.sub(r"\s+", "", str(code)) if code not in (None, "") else ""
    return code[:64] or None
