"""Scripted LLMs that see images (or not), for the image probe and the screenshot checks.

    with FakeLLM(seeing(site_script)) as fake:   # answers the probe with the probe image's real colour
        ...
    assert image_parts(fake.requests[-1]["messages"])

Plain standard library plus agent.llm_check, so tests/agent (without Django) can use it too.
"""

from __future__ import annotations

import base64
import json
import struct
import zlib
from collections.abc import Callable
from typing import Any

from agent.llm_check import COLOURS
from tests.support.fake_llm import FakeReply, prompt_kind

Script = Callable[[list[dict[str, Any]]], "str | FakeReply"]


def image_parts(messages: list[dict[str, Any]]) -> list[str]:
    """The data URLs of every image part in `messages`."""
    urls = []
    for message in messages:
        content = message.get("content")
        if isinstance(content, list):
            urls += [part["image_url"]["url"] for part in content if part.get("type") == "image_url"]
    return urls


def _first_pixel(png: bytes) -> tuple[int, int, int]:
    """The top-left pixel of an 8-bit RGB PNG written without row filters (agent.llm_check.solid_png)."""
    position, data = 8, b""
    while position < len(png):
        (length,) = struct.unpack(">I", png[position : position + 4])
        kind = png[position + 4 : position + 8]
        if kind == b"IDAT":
            data += png[position + 8 : position + 8 + length]
        position += 12 + length
    raw = zlib.decompress(data)
    return raw[1], raw[2], raw[3]


def colour_seen(messages: list[dict[str, Any]]) -> str:
    """The name of the probe image's colour, as a model with eyes would say it."""
    url = image_parts(messages)[0]
    pixel = _first_pixel(base64.b64decode(url.split(",", 1)[1]))
    return min(COLOURS, key=lambda name: sum((a - b) ** 2 for a, b in zip(COLOURS[name], pixel, strict=True)))


def seeing(script: Script) -> Script:
    """`script`, plus answers to the server's checks like a vision model: the probe image's colour when an
    image arrived ("unknown" when none did), and {"ok": true} to the text-only check."""

    def answer(messages: list[dict[str, Any]]) -> str | FakeReply:
        kind = prompt_kind(messages)
        if kind == "vision_probe":
            colour = colour_seen(messages) if image_parts(messages) else "unknown"
            return json.dumps({"colour": colour})
        if kind == "model_check":
            return '{"ok": true}'
        return script(messages)

    return answer


def blind(script: Script) -> Script:
    """`script`, plus answers to the server's checks like a text-only model that ignores images."""

    def answer(messages: list[dict[str, Any]]) -> str | FakeReply:
        kind = prompt_kind(messages)
        if kind == "vision_probe":
            return '{"colour": "unknown"}'
        if kind == "model_check":
            return '{"ok": true}'
        return script(messages)

    return answer
