"""The Celery app. Browser runs and small tasks (webhooks, the sweeps) have their own workers:

    celery -A skyvern_site worker -Q browser --concurrency 4
    celery -A skyvern_site worker -Q small --pool threads --concurrency 8

and exactly one `celery -A skyvern_site beat` (the reaper, the queue sweep, the model checks), its own process.
"""

import os

from celery import Celery
from celery.signals import beat_init, worker_init, worker_ready, worker_shutdown

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "skyvern_site.settings")

app = Celery("skyvern_site")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
def _warm_up(**_: object) -> None:
    """Import the heavy libraries once in the parent, so forked pool processes start runs at once
    (litellm alone takes seconds to import, which would otherwise delay every process's first run)."""
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    import django
    import litellm  # noqa: F401
    import playwright.async_api  # noqa: F401

    import agent  # noqa: F401

    # Before the pool forks, so every pool process inherits what the checks found (e.g. a model's vision).
    django.setup()
    from runs.execution.startup import worker_checks

    worker_checks()


@beat_init.connect
def _first_model_check(**_: object) -> None:
    """Beat runs a schedule entry one interval after it starts: check the models now too, so the Discover
    page's banner has results from the start (runs.tasks.check_models, then every SKYVERN_LLM_CHECK_SECONDS)."""
    app.send_task("runs.tasks.check_models")


# Persistent browser sessions (runs/execution/browser_sessions.py): a browser worker also consumes its own queue,
# so the runs on a session it holds reach it; its main process watches its sessions and closes them when it stops.
@worker_init.connect
def _note_worker_pid(**_: object) -> None:
    from runs.execution.browser_sessions import WORKER_PID_ENV

    os.environ[WORKER_PID_ENV] = str(os.getpid())  # the pool inherits it: session browsers watch this process


@worker_ready.connect
def _consume_own_queue(sender, **_: object) -> None:
    from runs.execution import session_worker

    session_worker.worker_ready(sender)


@worker_shutdown.connect
def _close_own_sessions(sender, **_: object) -> None:
    from runs.execution import session_worker

    session_worker.worker_shutdown(sender)
