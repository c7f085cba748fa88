"""Requests the server sends on a run's behalf (webhooks, TOTP look-ups) are signed as Skyvern signs them:
`x-skyvern-signature` = hex HMAC-SHA256(key=raw API key that created the run, msg=exact body bytes); or,
when the organization has its own webhook secret, with that secret instead."""

import hashlib
import hmac
import time

from runs.models import ApiKey, TaskRun
from runs.services import api_key_raw
from runs.services.keys import secret_decrypt

SIGNATURE_HEADER = "x-skyvern-signature"
TIMESTAMP_HEADER = "x-skyvern-timestamp"


def webhook_sign(body: bytes, key: str) -> str:
    return hmac.new(key.encode(), body, hashlib.sha256).hexdigest()


def signing_key_for(run: TaskRun) -> str | None:
    """The organization's webhook secret when it has one; else the raw key that created the run; for
    dashboard runs, the organization's newest active key."""
    organization_secret = secret_decrypt(run.organization.webhook_secret_encrypted)
    if organization_secret:
        return organization_secret
    key = run.api_key
    if key is None:
        key = (
            ApiKey.objects.filter(organization_id=run.organization_id, revoked_at__isnull=True)
            .order_by("-created_at")
            .first()
        )
    return api_key_raw(api_key=key) if key is not None else None


def signed_headers(body: bytes, key: str | None) -> dict[str, str]:
    """JSON content type, the send time, and the signature when the run has a key to sign with."""
    headers = {"content-type": "application/json", TIMESTAMP_HEADER: str(int(time.time()))}
    if key:
        headers[SIGNATURE_HEADER] = webhook_sign(body, key)
    return headers
