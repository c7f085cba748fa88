import base64
import hashlib
import secrets

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from runs.live import events
from runs.models import ApiKey, Credential, Organization
from runs.selectors.keys import api_key_hash
from runs.services.key_cache import api_key_find_cached

KEY_PREFIX = "sk_"
VISIBLE_CHARS = 10


def _fernet() -> MultiFernet:
    """Encrypts with the first of SKYVERN_ENCRYPTION_KEYS, decrypts with any (so a key can be rotated)."""
    return MultiFernet([Fernet(key) for key in settings.SKYVERN_ENCRYPTION_KEYS])


def legacy_fernet() -> Fernet:
    """The key older versions derived from SECRET_KEY: read once, by the migration and by
    `rotate_encryption_key`, to re-encrypt what it wrote. Never used to encrypt."""
    digest = hashlib.sha256(f"api-key-encryption:{settings.SECRET_KEY}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def secret_encrypt(raw: str) -> str:
    return _fernet().encrypt(raw.encode()).decode()


def secret_decrypt(token: str) -> str | None:
    """The plain value, or None when no current key decrypts it."""
    try:
        return _fernet().decrypt(token.encode()).decode() if token else None
    except InvalidToken:
        return None


def api_key_create(*, organization: Organization, name: str = "") -> tuple[ApiKey, str]:
    """Create a key and return it with the raw value, which is never stored and never shown again."""
    raw = KEY_PREFIX + secrets.token_urlsafe(32)
    key = ApiKey.objects.create(
        organization=organization,
        name=name,
        prefix=raw[:VISIBLE_CHARS],
        key_hash=api_key_hash(raw),
        key_encrypted=secret_encrypt(raw),
    )
    return key, raw


def api_key_raw(*, api_key: ApiKey) -> str | None:
    """The raw value, for signing webhooks only; None when it can no longer be decrypted."""
    return secret_decrypt(api_key.key_encrypted)


def webhook_secret_set(*, organization: Organization, clear: bool = False) -> str | None:
    """Give the organization its own webhook signing secret (returned once, stored encrypted), or clear it
    so webhooks are signed with the run's API key again."""
    raw = None if clear else "whsec_" + secrets.token_urlsafe(32)
    organization.webhook_secret_encrypted = secret_encrypt(raw) if raw else ""
    organization.save(update_fields=["webhook_secret_encrypted", "modified_at"])
    return raw


def encryption_rotate() -> tuple[int, int]:
    """Re-encrypt every stored secret with the first key of SKYVERN_ENCRYPTION_KEYS, reading with any key
    (and the old SECRET_KEY-derived one). Returns (re-encrypted, unreadable): an unreadable API key copy
    can no longer sign webhooks; its key still authenticates."""
    readers = MultiFernet([*(Fernet(key) for key in settings.SKYVERN_ENCRYPTION_KEYS), legacy_fernet()])
    done = unreadable = 0
    rows = [(key, "key_encrypted") for key in ApiKey.objects.exclude(key_encrypted="")]
    rows += [
        (org, "webhook_secret_encrypted") for org in Organization.objects.exclude(webhook_secret_encrypted="")
    ]
    rows += [(cred, "secret_encrypted") for cred in Credential.objects.exclude(secret_encrypted="")]
    with transaction.atomic():
        for row, field in rows:
            try:
                plain = readers.decrypt(getattr(row, field).encode())
            except InvalidToken:
                unreadable += 1
                continue
            type(row).objects.filter(pk=row.pk).update(**{field: _fernet().encrypt(plain).decode()})
            done += 1
    return done, unreadable


def api_key_authenticate(*, raw: str) -> ApiKey | None:
    """The active key with this raw value, marked as used; None for a missing, wrong or revoked key."""
    key = api_key_find_cached(raw=raw)
    if key is not None:
        now = timezone.now()
        # Avoid a write on every request: a minute's precision is plenty for "last used".
        if key.last_used_at is None or (now - key.last_used_at).total_seconds() > 60:
            ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
            key.last_used_at = now
    return key


def api_key_revoke(*, api_key: ApiKey) -> ApiKey:
    """Revoke the key; once committed, sockets opened with it are closed too."""
    if api_key.revoked_at is None:
        api_key.revoked_at = timezone.now()
        api_key.save(update_fields=["revoked_at"])
        key_id = api_key.key_id
        transaction.on_commit(lambda: events.key_revoked(key_id))
    return api_key
