import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "skyvern_site.settings")

app = Celery("skyvern_site")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
