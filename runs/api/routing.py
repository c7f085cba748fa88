"""Every route answers with and without a trailing slash, as Skyvern's does (clients differ on it).

APPEND_SLASH cannot do this: it redirects only GETs, and a redirected POST loses its body.
"""

from collections.abc import Callable
from typing import Any

from ninja import Router


def route(router: Router, method: str, path: str, **options: Any) -> Callable:
    """Register `view` at `path` (documented) and at `path/` (hidden from the schema)."""

    def register(view: Callable) -> Callable:
        router.api_operation([method], path, **options)(view)
        hidden = {k: v for k, v in options.items() if k not in ("operation_id", "url_name")}
        router.api_operation([method], f"{path}/", include_in_schema=False, **hidden)(view)
        return view

    return register
