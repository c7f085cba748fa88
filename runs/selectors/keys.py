"""API keys: stored as a sha256 hash, so a key is found by hashing what the client sent."""

import hashlib

from runs.models import ApiKey


def api_key_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def api_key_find(*, raw: str) -> ApiKey | None:
    """The active key with this raw value (with its organization), or None."""
    if not raw:
        return None
    return (
        ApiKey.objects.select_related("organization")
        .filter(key_hash=api_key_hash(raw.strip()), revoked_at__isnull=True)
        .first()
    )


def api_keys_for_org(*, organization) -> list[ApiKey]:
    """The organization's keys for its keys page, newest first, revoked ones last."""
    return list(ApiKey.objects.filter(organization=organization).order_by("revoked_at", "-created_at", "-id"))


def api_key_get_for_org(*, organization, key_id: str) -> ApiKey | None:
    return ApiKey.objects.filter(organization=organization, key_id=key_id).first()
