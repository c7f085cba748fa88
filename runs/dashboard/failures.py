"""Failure reasons in words people can act on: what went wrong and the setting to check. The raw text
stays on the page (Diagnostics) for whoever needs it."""

import re
from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class FailureHelp:
    sentence: str
    setting: str = ""  # the env var (or form field) to look at
    more_steps: bool = False  # offer "Run again with more steps"


# Engines number steps from 0 in their messages ("Step 0 failed 3 times"); people count from 1.
_STEP_FAILED = re.compile(r"\bStep (\d+) failed (\d+) times")
_MAX_STEPS = re.compile(r"Reached the maximum steps \((\d+)\)|no browser steps left", re.IGNORECASE)
_DNS = re.compile(r"ERR_NAME_NOT_RESOLVED|Name or service not known|nodename nor servname|getaddrinfo", re.I)
_LLM_UNREACHABLE = re.compile(
    r"APIConnectionError|Connection ?error|Connection refused|ECONNREFUSED|Failed to establish a new connection",
    re.IGNORECASE,
)
_REFUSED_SITE = re.compile(r"ERR_CONNECTION_REFUSED|ERR_CONNECTION_TIMED_OUT|ERR_ADDRESS_UNREACHABLE")
_TIMEOUT = re.compile(r"time limit|timed out|TimeoutError", re.IGNORECASE)


def renumber_steps(text: str) -> str:
    """'Step 0 failed 3 times' -> 'Step 1 failed after 3 attempts' (the page's numbering)."""
    return _STEP_FAILED.sub(lambda m: f"Step {int(m[1]) + 1} failed after {m[2]} attempts", text)


def failure_help(reason: str | None) -> FailureHelp | None:
    """The known failure behind `reason`, in one sentence; None when it is not one we know."""
    if not reason:
        return None
    if _MAX_STEPS.search(reason):
        return FailureHelp(
            "The run used every step it was allowed before reaching the goal.",
            setting="Max steps (SKYVERN_MAX_STEPS_LIMIT caps it)",
            more_steps=True,
        )
    if _DNS.search(reason):
        return FailureHelp(
            "The site's name does not resolve: check the start URL for a typo, or the worker's DNS and proxy.",
            setting="Start URL",
        )
    if _REFUSED_SITE.search(reason):
        return FailureHelp("The site refused the connection or did not answer.", setting="Start URL")
    if _LLM_UNREACHABLE.search(reason):
        base = getattr(settings, "SKYVERN_LLM_API_BASE", "") or "the provider's default"
        return FailureHelp(
            f"The model endpoint could not be reached (base URL: {base}).",
            setting="SKYVERN_LLM_API_BASE",
        )
    if _TIMEOUT.search(reason):
        return FailureHelp("The run took longer than it was allowed.", setting="the worker's task time limit")
    return None


def more_steps(max_steps: int) -> int:
    """What 'Run again with more steps' asks for: double, within the server's limit."""
    limit = int(getattr(settings, "SKYVERN_MAX_STEPS_LIMIT", 75) or 75)
    return max(1, min(max_steps * 2, limit))
