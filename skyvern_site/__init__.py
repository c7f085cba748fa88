# Load the Celery app with Django so `task.delay()` from web processes uses the configured broker.
from skyvern_site.celery import app as celery_app

__all__ = ["celery_app"]
