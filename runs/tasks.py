"""Placeholder until the execution issue: Celery tasks live here."""


def enqueue_run(run_pk: int) -> None:
    pass
