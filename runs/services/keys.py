import base64
import hashlib
import secrets

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.utils import timezone

from runs.models import ApiKey, Organization
from runs.selectors.keys import api_key_find, api_key_hash

KEY_PREFIX = "sk_"
VISIBLE_CHARS = 10


def _fernet() -> Fernet:
    # Derived from SECRET_KEY: rotating SECRET_KEY means old keys can no longer sign webhooks.
    digest = hashlib.sha256(f"api-key-encryption:{settings.SECRET_KEY}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def api_key_create(*, organization: Organization, name: str = "") -> tuple[ApiKey, str]:
    """Create a key and return it with the raw value, which is never stored and never shown again."""
    raw = KEY_PREFIX + secrets.token_urlsafe(32)
    key = ApiKey.objects.create(
        organization=organization,
        name=name,
        prefix=raw[:VISIBLE_CHARS],
        key_hash=api_key_hash(raw),
        key_encrypted=_fernet().encrypt(raw.encode()).decode(),
    )
    return key, raw


def api_key_raw(*, api_key: ApiKey) -> str | None:
    """The raw value, for signing webhooks only; None when it can no longer be decrypted."""
    try:
        return _fernet().decrypt(api_key.key_encrypted.encode()).decode()
    except InvalidToken:
        return None


def api_key_authenticate(*, raw: str) -> ApiKey | None:
    """The active key with this raw value, marked as used; None for a missing, wrong or revoked key."""
    key = api_key_find(raw=raw)
    if key is not None:
        now = timezone.now()
        # Avoid a write on every request: a minute's precision is plenty for "last used".
        if key.last_used_at is None or (now - key.last_used_at).total_seconds() > 60:
            ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
            key.last_used_at = now
    return key


def api_key_revoke(*, api_key: ApiKey) -> ApiKey:
    if api_key.revoked_at is None:
        api_key.revoked_at = timezone.now()
        api_key.save(update_fields=["revoked_at"])
    return api_key
