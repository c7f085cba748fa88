"""The code in a pushed 2FA message: short content is the code; a longer one (an email or SMS body) is read
by one LLM call (Prompt-Kind: totp_extract), with a digits pattern when no model is configured or it fails."""

from __future__ import annotations

import asyncio
import logging
import re

from agent import LLMClient
from agent.llm import LLMError
from agent.totp import code_from_message
from runs import selectors
from runs.execution.vision import llm_config_for
from runs.models import Organization

log = logging.getLogger(__name__)

SHORT_CODE_CHARS = 10
DIGITS = re.compile(r"(?<![\d-])\d{4,8}(?![\d-])")


def code_from_content(*, content: str, organization: Organization) -> str | None:
    text = (content or "").strip()
    if len(text) <= SHORT_CODE_CHARS:
        return re.sub(r"\s+", "", text) or None
    llm = LLMClient(llm_config_for(selectors.model_resolve(name=None, organization=organization)))
    if llm.configured:
        try:
            return asyncio.run(code_from_message(llm, text))
        except LLMError as exc:
            log.warning("totp_extract call failed: %s", exc)
    found = DIGITS.search(text)
    return found.group(0) if found else None
