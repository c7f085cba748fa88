import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "skyvern_site.settings")
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402  (needs Django set up first)
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import OriginValidator  # noqa: E402
from django.conf import settings  # noqa: E402

from runs.routing import websocket_urlpatterns  # noqa: E402
from skyvern_site.api_http import OneHopHandler, is_api_request  # noqa: E402

# API requests take one hop to a worker thread instead of Django's per-middleware hops (api_http.py).
api_http_app = OneHopHandler(settings.API_THREADS) if settings.API_THREADS else django_asgi_app


async def http_app(scope, receive, send):
    app = api_http_app if is_api_request(scope) else django_asgi_app
    await app(scope, receive, send)


class BrowserOriginValidator(OriginValidator):
    """Cross-site WebSocket hijacking: a page on another site opening our sockets with the visitor's session
    cookie. Browsers always send Origin on a WebSocket handshake, so one from a host outside ALLOWED_HOSTS
    (or CSRF_TRUSTED_ORIGINS) is refused. A client with no Origin is not a browser: no visitor's cookie rides
    along, and it authenticates with an API key."""

    def valid_origin(self, parsed_origin) -> bool:
        return parsed_origin is None or super().valid_origin(parsed_origin)


application = ProtocolTypeRouter(
    {
        "http": http_app,
        "websocket": BrowserOriginValidator(
            AuthMiddlewareStack(URLRouter(websocket_urlpatterns)),
            [*settings.ALLOWED_HOSTS, *settings.CSRF_TRUSTED_ORIGINS],
        ),
    }
)
