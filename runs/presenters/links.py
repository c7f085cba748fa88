"""Links to artifact files: signed and expiring for browsers, or plain for the owning organization's key.
The view that serves them is runs.api.files.

A link is `PUBLIC_BASE_URL/artifacts/<artifact_id>/content?sig=<timestamp>:<signature>`. The signature
covers the artifact id only, so a link opens exactly one file, and it expires ARTIFACT_LINK_SECONDS
after it was made.
"""

import time

from django.conf import settings
from django.core import signing
from django.urls import reverse

from runs.models import Artifact

SALT = "runs.artifact_links"  # kept from the old module name: links already handed out stay valid
# Link timestamps are rounded down to this many seconds, so the same artifact keeps the same URL for a
# while: a page that polls a run does not re-download its screenshots on every poll.
LINK_STABLE_SECONDS = 600


class _StableTimestampSigner(signing.TimestampSigner):
    def timestamp(self) -> str:
        now = int(time.time())
        return signing.b62_encode(now - now % LINK_STABLE_SECONDS)


def _signer(salt: str = SALT) -> signing.TimestampSigner:
    return _StableTimestampSigner(salt=salt)


def link_signature(value: str, *, salt: str) -> str:
    """The `sig` of a stable, expiring link to `value` (artifact links, session files, uploads)."""
    return _signer(salt).sign(value).removeprefix(f"{value}:")


def link_signature_is_valid(value: str, sig: str, *, salt: str) -> bool:
    try:
        return _signer(salt).unsign(f"{value}:{sig}", max_age=settings.ARTIFACT_LINK_SECONDS) == value
    except signing.BadSignature:  # SignatureExpired is a BadSignature too
        return False


def artifact_path(artifact: Artifact) -> str:
    return reverse("artifact-content", kwargs={"artifact_id": artifact.artifact_id})


def artifact_uri(artifact: Artifact) -> str:
    """The unsigned URL: it returns the file to the owning organization's API key."""
    return settings.PUBLIC_BASE_URL + artifact_path(artifact)


def artifact_url(artifact: Artifact) -> str:
    """A signed, expiring URL that a browser can open without credentials."""
    return f"{artifact_uri(artifact)}?sig={link_signature(artifact.artifact_id, salt=SALT)}"


def signature_is_valid(*, artifact_id: str, sig: str) -> bool:
    return link_signature_is_valid(artifact_id, sig, salt=SALT)
