"""Suggestion menus that announce nothing (no role=option): jQuery UI's `ul.ui-menu li` and hand-made lists.

They are recognised by geometry and timing: list items that sit in a column right below (or above) the field
and were not there before typing. `mark_before` remembers what was there; `new_items` returns what appeared,
each tagged with SUGGESTION_ATTRIBUTE so it can be clicked by that tag.
"""

from __future__ import annotations

from typing import Any

from playwright.async_api import Locator

SUGGESTION_ATTRIBUTE = "data-sk-suggestion"
_ITEM = "li, [role=option], [role=menuitem], a, tr, [class*=item], [class*=option], [class*=suggest]"

# Items under sample points in two columns (the field's left edge and centre), 4-320 px below and above it.
_ITEMS_NEAR = f"""(field, mode) => {{
  const r = field.getBoundingClientRect();
  const items = new Set();
  for (let dy = 4; dy < 320; dy += 8) {{
    for (const x of [r.left + 6, r.left + r.width / 2]) {{
      for (const y of [r.bottom + dy, r.top - dy]) {{
        if (y < 0 || y >= innerHeight || x < 0 || x >= innerWidth) continue;
        const hit = document.elementFromPoint(x, y);
        if (!hit || hit === document.body || hit === document.documentElement || field.contains(hit)) continue;
        const item = hit.closest('{_ITEM}');
        if (item && item !== document.body && !item.contains(field)) items.add(item);
      }}
    }}
  }}
  if (mode === 'before') {{ window.__skBeforeTyping = new WeakSet(items); return []; }}
  const before = window.__skBeforeTyping || new WeakSet();
  const fresh = [...items].filter((item) => !before.has(item));
  return fresh.map((item, i) => {{
    item.setAttribute('{SUGGESTION_ATTRIBUTE}', String(i));
    return {{key: String(i), text: (item.innerText || item.textContent || '').trim().slice(0, 200)}};
  }});
}}"""


async def mark_before(field: Locator) -> None:
    """Remember the list items near the field before typing into it."""
    await field.evaluate(_ITEMS_NEAR, "before")


async def new_items(field: Locator) -> list[dict[str, Any]]:
    """List items near the field that appeared since `mark_before`: [{key, text}] in no particular order."""
    return await field.evaluate(_ITEMS_NEAR, "after")


def item_locator(root: Locator, key: str) -> Locator:
    return root.locator(f"[{SUGGESTION_ATTRIBUTE}='{key}']").first
