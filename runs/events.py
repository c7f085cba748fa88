"""Placeholder: the execution issue fills in the real events (the only module that knows group names)."""


def run_created(run_pk: int) -> None:
    pass


def run_status_changed(run_pk: int) -> None:
    pass
