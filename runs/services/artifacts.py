"""Artifact files: bytes or a file on disk saved to the default storage with their size and checksum."""

import hashlib
import mimetypes
from pathlib import Path

from django.core.files.base import ContentFile
from django.utils import timezone

from runs.models import Artifact, Step, TaskRun


def artifact_store(
    *,
    run: TaskRun,
    artifact_type: str,
    data: bytes | Path,
    filename: str,
    content_type: str = "",
    step: Step | None = None,
) -> Artifact:
    """Save bytes (or a file on disk) to the default storage with its size and sha256."""
    content = data.read_bytes() if isinstance(data, Path) else data
    guessed = mimetypes.guess_type(filename)[0]
    artifact = Artifact(
        run=run,
        step=step,
        artifact_type=artifact_type,
        filename=filename,
        content_type=content_type or guessed or "application/octet-stream",
        size=len(content),
        checksum=hashlib.sha256(content).hexdigest(),
    )
    artifact.file.save(filename, ContentFile(content), save=False)
    artifact.save()
    # The run's body links its artifacts: moving modified_at tells caches of that body it changed.
    TaskRun.objects.filter(pk=run.pk).update(modified_at=timezone.now())
    return artifact
