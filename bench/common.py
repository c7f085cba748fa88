"""What the benches share: a database that exists and is migrated before a measurement starts."""

from __future__ import annotations

import os


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
