"""Checking a model before it gets real work: does it answer, in valid JSON, can it see images, how fast,
at what price. The host decides when (a worker's start-up, `manage.py check_llm`, the Discover page) and
remembers the answers.

The image probe sends one tiny PNG filled with a colour picked at random and asks for the colour's name:
a model that cannot see the image (or whose server drops it) can only guess, and a wrong guess or an
"unknown" counts as no. An endpoint that refuses the request with a 4xx takes no images either.
"""

from __future__ import annotations

import random
import struct
import time
import zlib
from dataclasses import dataclass

from agent.llm import LLMClient, LLMConfig, LLMError, LLMReply, extract_json, token_cost
from agent.prompts import render

CHECK_PROMPT_KINDS = ("model_check", "vision_probe")
COLOURS = {"red": (220, 30, 30), "green": (30, 170, 60), "blue": (30, 60, 220), "yellow": (240, 220, 20)}
PROBE_TIMEOUT = 30.0


def solid_png(rgb: tuple[int, int, int], size: int = 16) -> bytes:
    """A `size`×`size` PNG of one colour (a few dozen bytes: the probe costs almost no tokens)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row = b"\x00" + bytes(rgb) * size
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * size))
        + chunk(b"IEND", b"")
    )


@dataclass
class VisionProbe:
    takes_images: bool | None  # None: the probe could not tell (no answer at all)
    detail: str


@dataclass
class ModelCheck:
    """What `check_model` found; `ok` means reachable and answering valid JSON."""

    model: str
    api_base: str | None = None
    reachable: bool = False
    valid_json: bool = False
    takes_images: bool | None = None
    vision_detail: str = ""
    latency_ms: int | None = None
    input_price_per_1k: float | None = None
    output_price_per_1k: float | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.reachable and self.valid_json


def _checking(config: LLMConfig, *, vision: bool) -> LLMClient:
    """A client for one quick call: no retries, a short timeout, images sent whatever the settings say."""
    update = {"vision": vision, "max_retries": 0, "timeout": min(config.timeout, PROBE_TIMEOUT)}
    return LLMClient(config.model_copy(update=update))


def _refused(exc: LLMError) -> bool:
    """A 4xx other than auth or rate limits: the endpoint refused what was sent (here: the image)."""
    status = getattr(exc.__cause__, "status_code", None)
    return isinstance(status, int) and 400 <= status < 500 and status not in (401, 403, 404, 408, 429)


def _probe_messages() -> list[dict[str, str]]:
    return [
        {"role": "system", "content": render("vision_probe_system")},
        {"role": "user", "content": render("vision_probe_user")},
    ]


def _judge_colour(reply: LLMReply, colour: str) -> VisionProbe:
    said = reply.text.lower()
    named = {name for name in COLOURS if name in said}
    if named == {colour}:
        return VisionProbe(True, f"named the colour of a {colour} test image")
    return VisionProbe(
        False, f"could not name the colour of a {colour} test image (answered {reply.text[:60]!r})"
    )


async def probe_vision(config: LLMConfig, *, colour: str | None = None) -> VisionProbe:
    """Send one tiny image and see whether the model can tell its colour."""
    colour = colour or random.choice(list(COLOURS))
    try:
        reply = await _checking(config, vision=True).complete(
            _probe_messages(), images=[solid_png(COLOURS[colour])]
        )
    except LLMError as exc:
        if _refused(exc):
            return VisionProbe(False, f"the endpoint refused a request with an image: {exc}")
        return VisionProbe(None, f"no answer to the image probe: {exc}")
    return _judge_colour(reply, colour)


def _prices(check: ModelCheck) -> None:
    per_1k_in = token_cost(check.model, 1000, 0)
    per_1k_out = token_cost(check.model, 0, 1000)
    if per_1k_in or per_1k_out:
        check.input_price_per_1k, check.output_price_per_1k = per_1k_in, per_1k_out


def _read_json(check: ModelCheck, reply: LLMReply) -> None:
    try:
        check.valid_json = isinstance(extract_json(reply.text), dict)
    except ValueError:
        check.valid_json = False
    if not check.valid_json:
        check.error = f"the answer is not a JSON object: {reply.text[:80]!r}"


async def check_model(config: LLMConfig, *, probe_images: bool = True) -> ModelCheck:
    """One call (two when the endpoint refuses images) telling reachability, JSON, images and latency.

    With `probe_images` the image probe is the call (its answer is JSON too); without it, or when the
    endpoint refuses the image, a text-only call checks the rest and `takes_images` stays as found.
    """
    check = ModelCheck(model=config.model or "", api_base=config.api_base)
    _prices(check)
    if probe_images:
        colour = random.choice(list(COLOURS))
        started = time.monotonic()
        try:
            reply = await _checking(config, vision=True).complete(
                _probe_messages(), images=[solid_png(COLOURS[colour])]
            )
        except LLMError as exc:
            if not _refused(exc):
                check.error = str(exc)
                return check
            check.takes_images, check.vision_detail = False, f"the endpoint refused an image: {exc}"
        else:
            check.latency_ms = round((time.monotonic() - started) * 1000)
            check.reachable = True
            probe = _judge_colour(reply, colour)
            check.takes_images, check.vision_detail = probe.takes_images, probe.detail
            _read_json(check, reply)
            return check
    return await _text_check(config, check)


async def _text_check(config: LLMConfig, check: ModelCheck) -> ModelCheck:
    messages = [
        {"role": "system", "content": render("model_check_system")},
        {"role": "user", "content": "Answer now."},
    ]
    started = time.monotonic()
    try:
        reply = await _checking(config, vision=False).complete(messages)
    except LLMError as exc:
        check.error = str(exc)
        return check
    check.latency_ms = round((time.monotonic() - started) * 1000)
    check.reachable = True
    _read_json(check, reply)
    return check
