"""The one NinjaAPI. The API issue adds the routers (runs/api/)."""

from ninja import NinjaAPI

api = NinjaAPI(title="Skyvern-compatible API", version="1.0.0", docs_url="/api/docs", openapi_url="/api/openapi.json")
