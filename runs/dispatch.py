"""The only module that talks to the task broker. Tasks are sent by name, so nothing that queues work
imports the Celery tasks (and through them the worker's code).

Both functions raise when the broker is unreachable; the caller decides what that means for the run.
With CELERY_TASK_ALWAYS_EAGER (tests, or a set-up without a broker) the task runs here and now.
"""

from celery import current_app

BROWSER_QUEUE = "browser"
EXECUTE_RUN = "runs.tasks.execute_run"
SEND_WEBHOOK = "runs.tasks.send_webhook"


def _send(name: str, args: list, **options) -> None:
    app = current_app
    if app.conf.task_always_eager:
        app.tasks[name].apply(args=args)
    else:
        app.send_task(name, args=args, **options)


def run_execute(*, run_id: str) -> None:
    """Queue a browser run for the browser workers."""
    _send(EXECUTE_RUN, [run_id], queue=BROWSER_QUEUE)


def webhook_send(*, run_pk: int) -> None:
    """Queue the delivery of a finished run's webhook."""
    _send(SEND_WEBHOOK, [run_pk])
