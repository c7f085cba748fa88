"""WebSocket routes (mounted by skyvern_site.asgi inside the session auth middleware)."""

from django.urls import re_path

from runs.live.consumers import RunConsumer, RunListConsumer, UnknownPathConsumer

websocket_urlpatterns = [
    re_path(r"^ws/runs/(?P<run_id>[\w-]+)/?$", RunConsumer.as_asgi()),
    re_path(r"^ws/runs/?$", RunListConsumer.as_asgi()),
    re_path(r"", UnknownPathConsumer.as_asgi()),  # last: every other path closes with 4404
]
