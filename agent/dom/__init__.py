"""Perception: the page as interactable elements with stable ids, and as a prompt for the LLM.

snap = await snapshot(page)          # tags elements with ID_ATTRIBUTE, renders snap.prompt_text
await (await locate(page, "12")).click()
"""

from agent.dom.capture import DEFAULT_MAX_CHARS, snapshot
from agent.dom.locate import locate, selector_for
from agent.dom.model import (
    FRAME_ATTRIBUTE,
    ID_ATTRIBUTE,
    Element,
    ElementNotFound,
    FrameInfo,
    Option,
    Snapshot,
    TextLine,
)

__all__ = [
    "DEFAULT_MAX_CHARS",
    "FRAME_ATTRIBUTE",
    "ID_ATTRIBUTE",
    "Element",
    "ElementNotFound",
    "FrameInfo",
    "Option",
    "Snapshot",
    "TextLine",
    "locate",
    "selector_for",
    "snapshot",
]
