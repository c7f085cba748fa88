"""Credentials and pushed 2FA codes → their wire bodies (CredentialResponse, TOTPCode). Never a secret:
a credential shows only its hint (username, masked password, card's last four, whether TOTP is set)."""

from __future__ import annotations

from typing import Any

from runs.choices import CredentialType
from runs.models import Credential, TotpCode

MASK = "********"


def credential_to_response(credential: Credential) -> dict[str, Any]:
    hint = credential.hint or {}
    if credential.credential_type == CredentialType.PASSWORD:
        body = {
            "username": hint.get("username", ""),
            "password": MASK,
            "totp_type": hint.get("totp_type", "none"),
            "totp_identifier": hint.get("totp_identifier"),
            "totp_configured": bool(hint.get("totp_configured")),
        }
    elif credential.credential_type == CredentialType.CREDIT_CARD:
        body = {"last_four": hint.get("last_four", ""), "brand": hint.get("brand", "")}
    else:
        body = {"secret_label": hint.get("secret_label")}
    return {
        "credential_id": credential.credential_id,
        "credential": body,
        "credential_type": credential.credential_type,
        "name": credential.name,
        "created_at": credential.created_at,
        "modified_at": credential.modified_at,
    }


def totp_code_to_response(code: TotpCode) -> dict[str, Any]:
    return {
        "totp_code_id": code.totp_code_id,
        "totp_identifier": code.totp_identifier,
        "task_id": code.task_id or None,
        "workflow_id": code.workflow_id or None,
        "workflow_run_id": code.workflow_run_id or None,
        "source": code.source or None,
        "content": code.content,
        "code": code.code,
        "expired_at": code.expired_at,
        "organization_id": code.organization.organization_id,
        "created_at": code.created_at,
        "modified_at": code.modified_at,
        "otp_type": "totp",
    }
