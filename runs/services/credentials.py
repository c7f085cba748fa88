"""Stored credentials (`cred_…`): created encrypted, never shown again, decrypted only for a run's agent.

The secret object is Fernet-encrypted with SKYVERN_ENCRYPTION_KEYS (the API keys' helper, rotatable by
`rotate_encryption_key`); `hint` keeps only what may be shown: a username, a card's last four digits and
brand, a secret's label, whether a TOTP secret is set.
"""

from __future__ import annotations

import json
import re
from typing import Any

from django.utils import timezone

from agent.totp import current_code
from runs.choices import CredentialType
from runs.exceptions import InvalidRunRequest
from runs.models import Credential, Organization
from runs.services.keys import secret_decrypt, secret_encrypt

MASK = "********"
REQUIRED = {
    CredentialType.PASSWORD: ("username", "password"),
    CredentialType.CREDIT_CARD: (
        "card_number", "card_cvv", "card_exp_month", "card_exp_year", "card_brand", "card_holder_name",
    ),
    CredentialType.SECRET: ("secret_value",),
}  # fmt: skip
OPTIONAL = {
    CredentialType.PASSWORD: ("totp", "totp_type", "totp_identifier"),
    CredentialType.CREDIT_CARD: (),
    CredentialType.SECRET: ("secret_label",),
}
TOTP_TYPES = ("authenticator", "email", "text", "none")


def credential_type_parse(value: str) -> CredentialType:
    """The spec's examples write PASSWORD as well as password."""
    try:
        return CredentialType(str(value).strip().lower())
    except ValueError:
        allowed = ", ".join(CredentialType.values)
        raise InvalidRunRequest(f"credential_type must be one of: {allowed}") from None


def _clean(kind: CredentialType, data: dict[str, Any]) -> dict[str, str]:
    """The credential object with its required fields non-empty and unknown fields dropped."""
    clean: dict[str, str] = {}
    for name in REQUIRED[kind]:
        value = data.get(name)
        if not isinstance(value, str | int) or not str(value).strip():
            raise InvalidRunRequest(f"credential.{name} is required for a {kind} credential")
        clean[name] = str(value)
    for name in OPTIONAL[kind]:
        if data.get(name) not in (None, ""):
            clean[name] = str(data[name])
    if clean.get("totp"):
        clean["totp"] = clean["totp"].replace(" ", "").upper()
        if current_code(clean["totp"]) is None:
            raise InvalidRunRequest("credential.totp must be a base32 TOTP secret (as in an otpauth:// link)")
    if clean.get("totp_type", "none") not in TOTP_TYPES:
        raise InvalidRunRequest(f"credential.totp_type must be one of: {', '.join(TOTP_TYPES)}")
    return clean


def _hint(kind: CredentialType, clean: dict[str, str]) -> dict[str, Any]:
    if kind == CredentialType.PASSWORD:
        totp_type = clean.get("totp_type") or ("authenticator" if clean.get("totp") else "none")
        return {
            "username": clean["username"],
            "totp_type": totp_type,
            "totp_identifier": clean.get("totp_identifier"),
            "totp_configured": bool(clean.get("totp")),
        }
    if kind == CredentialType.CREDIT_CARD:
        digits = re.sub(r"\D", "", clean["card_number"])
        return {"last_four": digits[-4:], "brand": clean["card_brand"]}
    return {"secret_label": clean.get("secret_label")}


def credential_create(
    *, organization: Organization, name: str, credential_type: str, credential: dict[str, Any]
) -> Credential:
    if not isinstance(name, str) or not name.strip():
        raise InvalidRunRequest("name must not be empty")
    if not isinstance(credential, dict):
        raise InvalidRunRequest("credential must be an object")
    kind = credential_type_parse(credential_type)
    clean = _clean(kind, credential)
    return Credential.objects.create(
        organization=organization,
        name=name.strip()[:200],
        credential_type=kind,
        secret_encrypted=secret_encrypt(json.dumps(clean)),
        hint=_hint(kind, clean),
    )


def credential_delete(*, credential: Credential) -> None:
    """Soft delete: the row stays for runs that named it, its secret is dropped."""
    Credential.objects.filter(pk=credential.pk).update(
        deleted_at=timezone.now(), secret_encrypted="", modified_at=timezone.now()
    )


def credential_secret(*, credential: Credential) -> dict[str, str]:
    """The decrypted secret object; {} when no current key can read it (or it was deleted)."""
    plain = secret_decrypt(credential.secret_encrypted)
    return json.loads(plain) if plain else {}


def credential_ids_check(credential_ids: list[str] | None, organization: Organization) -> list[str]:
    """The run's credential ids, each one of the organization's live credentials (else a 400)."""
    wanted = list(dict.fromkeys(cid.strip() for cid in credential_ids or [] if cid and cid.strip()))
    found = set(
        Credential.objects.filter(
            organization=organization, credential_id__in=wanted, deleted_at__isnull=True
        ).values_list("credential_id", flat=True)
    )
    missing = [cid for cid in wanted if cid not in found]
    if missing:
        raise InvalidRunRequest(f"Credential not found: {missing[0]}")
    return wanted


def credential_secrets_for_run(*, organization: Organization, credential_ids: list[str]) -> dict[str, Any]:
    """What the agent needs for the run's credentials: {"secrets", "secret_labels", "totp_secret",
    "totp_identifier"}. Placeholder names are `<credential_id>_<field>`."""
    secrets: dict[str, str] = {}
    labels: dict[str, str] = {}
    totp_secret = totp_identifier = None
    rows = Credential.objects.filter(
        organization=organization, credential_id__in=credential_ids, deleted_at__isnull=True
    )
    for credential in rows:
        secret = credential_secret(credential=credential)
        for field, value in secret.items():
            if field in FIELD_LABELS:
                name = f"{credential.credential_id}_{field}"
                secrets[name] = value
                labels[name] = f"the {FIELD_LABELS[field]} of the stored credential {credential.name!r}"
        totp_secret = totp_secret or secret.get("totp")
        totp_identifier = totp_identifier or secret.get("totp_identifier")
    return {
        "secrets": secrets,
        "secret_labels": labels,
        "totp_secret": totp_secret,
        "totp_identifier": totp_identifier,
    }


FIELD_LABELS = {
    "username": "username",
    "password": "password",
    "card_number": "card number",
    "card_cvv": "card security code (CVV)",
    "card_exp_month": "card expiry month",
    "card_exp_year": "card expiry year",
    "card_brand": "card brand",
    "card_holder_name": "card holder name",
    "secret_value": "secret value",
}
