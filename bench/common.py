"""What the benches share: a database that exists and is migrated before a measurement starts, an organisation's
API key, and a Daphne serving the product (with a scripted model for the workers, or none for the demo pages)."""

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


def bench_key() -> str:
    """A new organisation's raw API key (Django must be set up: prepare_database)."""
    import uuid

    from runs.services import api_key_create, organization_get_or_create

    org = organization_get_or_create(name=f"bench-{uuid.uuid4().hex[:6]}")
    return api_key_create(organization=org, name="bench")[1]


@contextmanager
def product_server(
    database_url: str, work: Path, *, llm_base_url: str, llm_model: str, record_video: bool = True
) -> Iterator[tuple[dict[str, str], Any]]:
    """Daphne on `database_url` (prepared first) with the product's settings for a model at `llm_base_url`;
    yields the environment (for the workers a bench starts) and the server (`.url`)."""
    from django.conf import settings

    from tests.e2e.helpers import free_port
    from tests.e2e.processes import service_env, start_daphne

    env = service_env(
        database_url=database_url,
        redis_url=settings.REDIS_URL,
        secret_key=settings.SECRET_KEY,
        llm_base_url=llm_base_url,
        llm_model=llm_model,
        work_dir=work,
        port=free_port(),
        record_video=record_video,
    )
    daphne = start_daphne(env, work / "logs")
    try:
        yield env, daphne
    finally:
        daphne.process.stop()


@contextmanager
def demo_server(database_url: str, work: Path) -> Iterator[Any]:
    """Daphne serving the demo pages. No model: the benches that use it run the agent in-process with their
    own stand-ins."""
    nowhere = "http://127.0.0.1:9/v1"  # no run is started through this server
    with product_server(database_url, work, llm_base_url=nowhere, llm_model="none") as (_, daphne):
        yield daphne
