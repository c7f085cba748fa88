"""What the benches share: a database that exists and is migrated before a measurement starts, and a Daphne
that serves the product's demo pages."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


def prepare_database(url: str) -> None:
    """Create the PostgreSQL database named by `url` when it is missing (SQLite needs nothing), point Django
    at it and migrate it."""
    if url.startswith("postgresql://"):
        import psycopg

        base, name = url.rsplit("/", 1)
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
                conn.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = url
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


@contextmanager
def demo_server(database_url: str, work: Path) -> Iterator[Any]:
    """Daphne on `database_url` (prepared first) serving the demo pages; `.url` is its address. No model: the
    benches run the agent in-process with their own stand-ins."""
    from django.conf import settings

    from tests.e2e.helpers import free_port
    from tests.e2e.processes import service_env, start_daphne

    env = service_env(
        database_url=database_url,
        redis_url=settings.REDIS_URL,
        secret_key=settings.SECRET_KEY,
        llm_base_url="http://127.0.0.1:9/v1",  # daphne only serves the demo pages here
        llm_model="none",
        work_dir=work,
        port=free_port(),
    )
    daphne = start_daphne(env, work / "logs")
    try:
        yield daphne
    finally:
        daphne.process.stop()
