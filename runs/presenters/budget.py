"""A page of runs bounded in bytes, not only in count (SKYVERN_LIST_PAGE_BYTES).

Forty runs with megabyte prompts once made one list answer 96 MB. When a page's JSON would pass its budget,
each body over its share has its long strings (and long lists) shortened, each ending with TRUNCATED, then,
if still too big, its `run_request` and `output` left out (null); such a body says `"truncated": true`.
GET /v1/runs/{run_id} has the run whole.
"""

from __future__ import annotations

import json
from typing import Any

TRUNCATED = "…[truncated]"
MIN_STRING_CHARS = 200
MAX_LIST_ITEMS = 50


def _size(value: Any) -> int:
    return len(json.dumps(value, separators=(",", ":"), default=str).encode())


def page_within_bytes(bodies: list[dict[str, Any]], budget: int) -> list[dict[str, Any]]:
    if _size(bodies) <= budget:
        return bodies
    share = budget // max(1, len(bodies))
    return [body if _size(body) <= share else _shortened(body, share) for body in bodies]


def _shortened(body: dict[str, Any], share: int) -> dict[str, Any]:
    cut = _cut(body, max(MIN_STRING_CHARS, share // 8))
    if _size(cut) > share:
        cut |= {"run_request": None, "output": None}
    return cut | {"truncated": True}


def _cut(value: Any, chars: int) -> Any:
    if isinstance(value, str):
        return value if len(value) <= chars else value[:chars] + TRUNCATED
    if isinstance(value, dict):
        return {key: _cut(item, chars) for key, item in value.items()}
    if isinstance(value, list):
        return [_cut(item, chars) for item in value[:MAX_LIST_ITEMS]]
    return value
