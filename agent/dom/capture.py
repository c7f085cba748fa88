"""Run the snapshot script in every frame and stitch the results into one Snapshot."""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Frame, Page

from agent.dom.listeners import LISTEN_ATTRIBUTE, mark_listening
from agent.dom.model import FRAME_ATTRIBUTE, ID_ATTRIBUTE, Element, FrameInfo, Option, Snapshot, TextLine
from agent.dom.render import render

log = logging.getLogger(__name__)
SCRIPT_PATH = Path(__file__).resolve().parent.parent / "js" / "snapshot.js"
DEFAULT_MAX_CHARS = 24_000
# Room for the section markers and the "lines cut" note, which render() adds after budgeting.
MARKER_ROOM = 120


@cache
def script() -> str:
    return SCRIPT_PATH.read_text()


@dataclass
class Offset:
    """Where a frame's viewport sits in the main viewport, and whether that part is on screen."""

    x: float = 0
    y: float = 0
    in_view: bool = True
    overlay: bool = False


@dataclass
class Capture:
    nodes: list[Element | TextLine] = field(default_factory=list)
    frames: int = 0
    next_id: int | None = None


def _rect(raw: list[float], at: Offset) -> tuple[float, float, float, float]:
    x, y, w, h = raw
    return (round(x + at.x, 1), round(y + at.y, 1), round(w, 1), round(h, 1))


def _node(raw: dict[str, Any], frame: FrameInfo, at: Offset) -> Element | TextLine:
    # model_construct skips validation: the data comes from our own script, and pages have 10k nodes.
    common = {
        "frame": frame,
        "rect": _rect(raw["rect"], at),
        "in_viewport": bool(raw["inView"]) and at.in_view,
        "in_overlay": bool(raw["overlay"]) or at.overlay,
    }
    if raw["k"] == "t":
        return TextLine.model_construct(text=raw["text"], heading=raw["h"] or 0, **common)
    return Element.model_construct(
        id=raw["id"],
        tag=raw["tag"],
        role=raw["role"],
        text=raw["text"],
        label=raw["label"],
        attrs=raw["attrs"],
        options=[Option.model_construct(**o) for o in raw.get("options", [])],
        option_count=raw.get("optionCount", 0),
        **common,
    )


async def _evaluate(frame: Frame, start: int | None, options: dict[str, int]) -> dict[str, Any] | None:
    args = {
        "attr": ID_ATTRIBUTE,
        "frameAttr": FRAME_ATTRIBUTE,
        "listenAttr": LISTEN_ATTRIBUTE,
        "start": start,
        **options,
    }
    for attempt in range(3):
        try:
            return json.loads(await frame.evaluate(script(), args))
        except PlaywrightError as exc:
            # A navigation destroyed the context mid-call; the next document is worth one more look.
            if frame.is_detached() or attempt == 2:
                log.info("snapshot of frame %s failed: %s", frame.url, exc)
                return None
            await asyncio.sleep(0.1 * (attempt + 1))
    return None


async def _frame_key(frame: Frame) -> str | None:
    try:
        handle = await frame.frame_element()
        return await handle.get_attribute(FRAME_ATTRIBUTE)
    except PlaywrightError:
        return None


async def _children(frame: Frame) -> dict[str, Frame]:
    keys = await asyncio.gather(*(_frame_key(child) for child in frame.child_frames))
    return {key: child for key, child in zip(keys, frame.child_frames, strict=True) if key}


async def capture_frame(frame: Frame, at: Offset, out: Capture, options: dict[str, int]) -> dict[str, Any]:
    """Append the frame's nodes (and, in place of each visible <iframe>, its frame's nodes) to `out`."""
    result = await _evaluate(frame, out.next_id, options)
    if result is None:
        return {}
    out.next_id = result["next"]
    info = FrameInfo(index=out.frames, url=frame.url, name=frame.name)
    out.frames += 1
    places = {f["key"]: f for f in result["frames"]}
    children = await _children(frame) if places else {}
    for raw in result["nodes"]:
        if raw["k"] != "f":
            out.nodes.append(_node(raw, info, at))
        elif raw["key"] in children:
            place = places[raw["key"]]
            inner = Offset(at.x + place["x"], at.y + place["y"], at.in_view and place["inView"], at.overlay)
            await capture_frame(children[raw["key"]], inner, out, options)
    return result


async def snapshot(
    page: Page,
    max_chars: int = DEFAULT_MAX_CHARS,
    max_text: int = 300,
    max_label: int = 100,
    max_options: int = 100,
) -> Snapshot:
    """Tag every visible interactable element in `page` (all frames, open shadow roots) with a stable id
    and describe the page for the LLM in at most about `max_chars` characters."""
    options = {"maxText": max_text, "maxLabel": max_label, "maxOptions": max_options}
    out = Capture()
    await mark_listening(page)
    main = await capture_frame(page.main_frame, Offset(), out, options)
    if out.frames > 1 and out.next_id is not None:
        # Frames continue the main window's counter; store where they stopped so ids stay page-unique.
        await page.main_frame.evaluate("n => { window.__skNext = n; }", out.next_id)
    viewport = tuple(main.get("viewport", (0, 0)))
    prompt, cut = render(out.nodes, max(max_chars - MARKER_ROOM, 0))
    return Snapshot(
        url=main.get("url", page.url),
        title=main.get("title", ""),
        elements=[n for n in out.nodes if isinstance(n, Element)],
        texts=[n for n in out.nodes if isinstance(n, TextLine)],
        nodes=out.nodes,
        prompt_text=prompt,
        cut_lines=cut,
        blocked_by_overlay=bool(main.get("blocked")),
        viewport=viewport,
    )
