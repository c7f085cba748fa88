"""Elements that act through script-bound handlers: a click listener added with addEventListener leaves no
trace in the DOM (no href, role or onclick), as a jQuery datepicker's `<a title="Prev">`. Before a snapshot,
the few elements that look like controls but are not listed are asked, through CDP's
`DOMDebugger.getEventListeners`, whether they listen to the pointer; those that do get LISTEN_ATTRIBUTE,
which snapshot.js counts as interactive.

1. A cheap script picks candidates: small leaf-like elements (a without href, span, li, td, img, svg...)
   not inside an element the last snapshot listed, and not asked before (each element is asked once);
   plain containers (span, li, td, div) only when on screen.
2. One CDP call per candidate, concurrently, at most MAX_CANDIDATES per snapshot.
3. One call marks the elements that have a pointer listener.

Chromium only; with any other browser, or a failure, the snapshot goes on without it.
"""

from __future__ import annotations

import asyncio
import logging
import weakref

from playwright.async_api import CDPSession, Page

from agent.dom.model import ID_ATTRIBUTE

log = logging.getLogger(__name__)
LISTEN_ATTRIBUTE = "data-sk-listens"
MAX_CANDIDATES = 60
POINTER_EVENTS = frozenset(
    {"click", "mousedown", "mouseup", "pointerdown", "pointerup", "touchstart", "dblclick"}
)
_GROUP = "sk-listeners"
_SESSIONS: weakref.WeakKeyDictionary[Page, CDPSession | None] = weakref.WeakKeyDictionary()

# Likely controls first (links without href, titled or icon-like elements) anywhere, then plain containers on
# screen only: a text-heavy page has thousands, and one CDP call each would cost more than the snapshot.
_CANDIDATES = f"""(() => {{
  const seen = window.__skAsked || (window.__skAsked = new WeakSet());
  const out = [];
  const inView = (el) => {{
    const r = el.getBoundingClientRect();
    return r.bottom > 0 && r.right > 0 && r.top < innerHeight && r.left < innerWidth;
  }};
  const take = (selector, viewOnly) => {{
    for (const el of document.querySelectorAll(selector)) {{
      if (out.length >= {MAX_CANDIDATES}) return;
      if (seen.has(el) || el.childElementCount > 3 || (viewOnly && !inView(el))) continue;
      if ((el.textContent || '').length > 60 || el.closest('a[href], button, input, select, textarea, [onclick], [role]')) continue;
      // Not one listed already, nor one inside a listed element unless it is a nested item of that element's
      // own kind (a tree node in a tree node), which may be a control of its own.
      if (el.hasAttribute('{ID_ATTRIBUTE}')) continue;
      const listed = el.parentElement && el.parentElement.closest('[{ID_ATTRIBUTE}]');
      if (listed && listed.tagName !== el.tagName) continue;
      // Hidden ones are asked once they show (a date picker is built hidden and opened on focus).
      if (!el.checkVisibility()) continue;
      seen.add(el);
      out.push(el);
    }}
  }};
  take('a:not([href]), [title], [data-handler], img, svg, i, [class*=icon], [class*=btn], [class*=button]', false);
  take('span, li, td, th, div', true);
  return out;
}})()"""
_MARK = f"function (indexes) {{ for (const i of indexes) this[i].setAttribute('{LISTEN_ATTRIBUTE}', ''); }}"


async def _session(page: Page) -> CDPSession | None:
    if page not in _SESSIONS:
        try:
            _SESSIONS[page] = await page.context.new_cdp_session(page)
        except Exception:  # not Chromium, or a connection that refuses new sessions
            _SESSIONS[page] = None
    return _SESSIONS[page]


async def _listens(cdp: CDPSession, object_id: str) -> bool:
    try:
        answer = await cdp.send("DOMDebugger.getEventListeners", {"objectId": object_id})
    except Exception:  # the element went away meanwhile
        return False
    return any(listener["type"] in POINTER_EVENTS for listener in answer.get("listeners", []))


async def _mark(cdp: CDPSession) -> int:
    found = await cdp.send("Runtime.evaluate", {"expression": _CANDIDATES, "objectGroup": _GROUP})
    array_id = found.get("result", {}).get("objectId")
    if not array_id:
        return 0
    props = await cdp.send("Runtime.getProperties", {"objectId": array_id, "ownProperties": True})
    items = [(int(p["name"]), p["value"]["objectId"]) for p in props["result"] if p["name"].isdigit()]
    hits = await asyncio.gather(*(_listens(cdp, object_id) for _, object_id in items))
    marked = [{"value": index} for (index, _), hit in zip(items, hits, strict=True) if hit]
    if marked:
        indexes = {"value": [m["value"] for m in marked]}
        await cdp.send(
            "Runtime.callFunctionOn",
            {"objectId": array_id, "functionDeclaration": _MARK, "arguments": [indexes]},
        )
    return len(marked)


async def mark_listening(page: Page) -> int:
    """Give LISTEN_ATTRIBUTE to the main frame's unlisted elements that have a pointer listener; returns
    how many were marked this time."""
    cdp = await _session(page)
    if cdp is None:
        return 0
    try:
        return await _mark(cdp)
    except Exception as exc:  # a navigation mid-way, a closed page: the snapshot does without
        log.debug("listener detection skipped: %s", exc)
        return 0
    finally:
        await _release(cdp)


async def _release(cdp: CDPSession) -> None:
    try:
        await cdp.send("Runtime.releaseObjectGroup", {"objectGroup": _GROUP})
    except Exception as exc:  # the session closed with the page
        log.debug("could not release the listener probe's objects: %s", exc)
