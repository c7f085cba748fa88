"""WebSocket routes; the execution issue adds the consumers."""

websocket_urlpatterns: list = []
