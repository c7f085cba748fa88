"""What a step stores beside the prompt: the elements artifact lists exactly what the model was shown."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from agent.browser import BrowserSession
from agent.loop.observe import observe

pytestmark = pytest.mark.browser


async def test_the_elements_artifact_lists_each_element_the_model_was_shown(
    browser_session: BrowserSession, page_server: Any
) -> None:
    await browser_session.goto(page_server.url("form.html"), wait_until="domcontentloaded")
    obs = await observe(browser_session)
    listed = json.loads(obs.elements_json)
    shown = {m.group(1) for line in obs.view.text.splitlines() if (m := re.match(r"^(\d+)<", line))}
    assert shown and {element["id"] for element in listed} == shown
    for element in listed:
        assert {"id", "tag", "text", "label", "attrs", "rect", "frame", "in_viewport"} <= set(element)
        assert len(element["rect"]) == 4 and element["frame"]["index"] == 0
