"""Real time: event names, payloads and publishing after commit, viewer counts, and the WebSocket consumers."""
