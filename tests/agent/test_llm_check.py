"""Checking a model before real work: the image probe and the reachable / JSON / latency check."""

from __future__ import annotations

import base64
import json
import socket

from agent import LLMConfig
from agent.llm_check import COLOURS, check_model, probe_vision, solid_png
from tests.support.fake_llm import FakeLLM, FakeReply
from tests.support.vision import blind, colour_seen, image_parts, seeing


def config(fake: FakeLLM) -> LLMConfig:
    return LLMConfig(model=fake.model, api_base=fake.base_url, api_key="test")


def dead_endpoint() -> LLMConfig:
    """A local port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return LLMConfig(model="openai/nobody", api_base=f"http://127.0.0.1:{port}/v1", api_key="test")


def never(messages):
    raise AssertionError("only the checks should reach the model")


def test_the_probe_image_is_a_tiny_png_of_the_colour() -> None:
    png = solid_png(COLOURS["green"])
    url = "data:image/png;base64," + base64.b64encode(png).decode()

    assert png.startswith(b"\x89PNG") and len(png) < 200
    assert (
        colour_seen([{"role": "user", "content": [{"type": "image_url", "image_url": {"url": url}}]}])
        == "green"
    )


async def test_a_model_that_names_the_colour_takes_images() -> None:
    with FakeLLM(seeing(never)) as fake:
        probe = await probe_vision(config(fake), colour="blue")

    assert probe.takes_images is True
    assert "blue" in probe.detail
    assert len(image_parts(fake.requests[0]["messages"])) == 1  # sent although the config says nothing


async def test_a_model_that_cannot_see_the_image_takes_none() -> None:
    with FakeLLM(blind(never)) as fake:
        probe = await probe_vision(config(fake), colour="red")

    assert probe.takes_images is False
    assert "could not name the colour" in probe.detail


async def test_an_endpoint_refusing_the_image_takes_none() -> None:
    with FakeLLM([FakeReply("image input is not supported", status=400)]) as fake:
        probe = await probe_vision(config(fake))

    assert probe.takes_images is False
    assert "refused" in probe.detail


async def test_a_dead_endpoint_leaves_vision_unknown() -> None:
    probe = await probe_vision(dead_endpoint())

    assert probe.takes_images is None
    assert "no answer" in probe.detail


async def test_the_check_reports_reachable_json_images_and_latency_in_one_call() -> None:
    with FakeLLM(seeing(never)) as fake:
        check = await check_model(config(fake))

    assert (check.ok, check.reachable, check.valid_json, check.takes_images) == (True, True, True, True)
    assert check.latency_ms is not None and check.latency_ms >= 0
    assert len(fake.requests) == 1
    assert check.input_price_per_1k is None  # the fake model has no known price


async def test_the_check_asks_again_without_an_image_when_the_endpoint_refuses_one() -> None:
    replies = [FakeReply("no images here", status=400), '{"ok": true}']
    with FakeLLM(replies) as fake:
        check = await check_model(config(fake))

    assert check.ok and check.takes_images is False
    assert [len(image_parts(body["messages"])) for body in fake.requests] == [1, 0]


async def test_the_check_flags_an_answer_that_is_not_json() -> None:
    with FakeLLM(["Sure! The colour is red."]) as fake:
        check = await check_model(config(fake), probe_images=False)

    assert check.reachable and not check.valid_json and not check.ok
    assert "not a JSON object" in check.error


async def test_the_check_reports_a_dead_endpoint() -> None:
    check = await check_model(dead_endpoint())

    assert not check.ok and not check.reachable
    assert "Connection" in check.error or "connect" in check.error.lower()


async def test_known_models_come_with_their_price_per_1k_tokens() -> None:
    with FakeLLM(seeing(never), model="openai/gpt-4o-mini") as fake:
        check = await check_model(config(fake))

    assert check.input_price_per_1k and check.output_price_per_1k
    assert check.output_price_per_1k > check.input_price_per_1k
    assert json.loads(json.dumps(check.__dict__))  # plain values, printable by the host
