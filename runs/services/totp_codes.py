"""2FA codes pushed to POST /v1/credentials/totp, and a waiting run taking one (once).

A code is matched by its organization and normalised identifier, must be younger than CODE_MAX_AGE and not
expired, and is taken with a conditional UPDATE (`used_at IS NULL`), so two runs never type the same code.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from runs.exceptions import InvalidRunRequest
from runs.live import events
from runs.models import Organization, TaskRun, TotpCode
from runs.services.steps import run_warn

CODE_MAX_AGE = timedelta(minutes=10)
WAITING_CODE = "WAITING_FOR_2FA_CODE"
PHONE = re.compile(r"^\+?[\d\s().\-]{6,}$")


def totp_identifier_normalise(identifier: str | None) -> str:
    """Lower case and trimmed; an email loses a display name and `mailto:`; a phone number keeps only + and
    digits. "Ada <ADA@Example.com>" and "ada@example.com" are the same identifier."""
    text = (identifier or "").strip()
    bracketed = re.search(r"<([^<>@\s]+@[^<>\s]+)>", text)
    if bracketed:
        text = bracketed.group(1)
    text = re.sub(r"^mailto:", "", text, flags=re.IGNORECASE).strip().lower()
    if PHONE.match(text) and "@" not in text:
        text = ("+" if text.startswith("+") else "") + re.sub(r"\D", "", text)
    return text[:500]


def totp_code_create(
    *,
    organization: Organization,
    totp_identifier: str,
    content: str,
    code: str,
    task_id: str | None = None,
    workflow_id: str | None = None,
    workflow_run_id: str | None = None,
    source: str | None = None,
    expired_at: datetime | None = None,
) -> TotpCode:
    identifier = totp_identifier_normalise(totp_identifier)
    if not identifier:
        raise InvalidRunRequest("totp_identifier must not be empty")
    if not code:
        raise InvalidRunRequest("No verification code found in content")
    return TotpCode.objects.create(
        organization=organization,
        totp_identifier=identifier,
        content=content,
        code=code[:64],
        task_id=task_id or "",
        workflow_id=workflow_id or "",
        workflow_run_id=workflow_run_id or "",
        source=(source or "")[:200],
        expired_at=expired_at,
    )


def totp_code_take(*, run: TaskRun, identifier: str | None) -> str | None:
    """The newest usable code for the run, marked used by it; None when there is none right now.

    Usable: same organization and identifier, younger than CODE_MAX_AGE, not expired, not used, and either
    addressed to no run or to this one."""
    now = timezone.now()
    candidates = (
        TotpCode.objects.filter(
            organization_id=run.organization_id,
            totp_identifier=totp_identifier_normalise(identifier),
            used_at__isnull=True,
            created_at__gte=now - CODE_MAX_AGE,
        )
        .filter(Q(expired_at__isnull=True) | Q(expired_at__gt=now))
        .filter(Q(task_id="") | Q(task_id=run.run_id))
        .exclude(code="")
        .order_by("-created_at", "-id")
    )
    for code in candidates[:5]:
        taken = TotpCode.objects.filter(pk=code.pk, used_at__isnull=True).update(
            used_at=now, used_by_run_id=run.run_id, modified_at=now
        )
        if taken == 1:
            return code.code
    return None


def run_totp_waiting(*, run: TaskRun, waiting: bool, identifier: str | None = None) -> None:
    """Show (or stop showing) on the run that it waits for a pushed 2FA code."""
    if waiting:
        message = (
            f"Waiting for a 2FA code for {totp_identifier_normalise(identifier)} (POST /v1/credentials/totp)"
        )
        run_warn(run=run, code=WAITING_CODE, message=message)
        return
    run.refresh_from_db(fields=["errors"])
    kept = [error for error in run.errors or [] if error.get("error_code") != WAITING_CODE]
    if len(kept) != len(run.errors or []):
        TaskRun.objects.filter(pk=run.pk).update(errors=kept, modified_at=timezone.now())
        run.errors = kept
        events.run_updated(run.pk)


def run_totp_is_waiting(run: TaskRun) -> bool:
    return any(error.get("error_code") == WAITING_CODE for error in run.errors or [])
