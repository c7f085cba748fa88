"""What a worker checks when it starts, before it takes runs (skyvern_site/celery.py calls `worker_checks`)."""

from __future__ import annotations

import logging

from runs.execution.inputs import display_problem
from runs.execution.vision import probe_configured

log = logging.getLogger(__name__)


def worker_checks() -> None:
    """Say when a browser window cannot open here, and probe whether each configured model takes images
    (remembered for this process and, with the prefork pool, for the processes forked from it)."""
    problem = display_problem()
    if problem:
        log.error(problem)
    for line in probe_configured():
        log.info(line)
