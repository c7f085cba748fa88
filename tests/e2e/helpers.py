"""Local stand-ins for the outside world of a run: a small web site, a scripted LLM, a socket client.

The servers listen on 127.0.0.1 with a free port (tests.support.http.LocalServer), so tests in this
process and workers in other processes can reach them. The webhook receiver is tests.support.http's.
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from tests.support.fake_llm import (
    FakeLLM,
    FakeReply,
    actions,
    element_id,
    goal_reached,
    mini_goal,
    page_text,
    prompt_kind,
)
from tests.support.http import LocalServer, QuietHandler

PAGES = {
    "/": """<h1>Sign up</h1><form action="/done" method="get">
        <label>Name <input name="name" id="name"></label><button type="submit">Submit</button></form>""",
    "/done": "<h1>Thank you</h1><p>Welcome aboard</p>",
    # A page that never ends: the agent keeps clicking Next (for cancel tests).
    "/counter": """<h1>Counter</h1><p>Clicked <span id="n">0</span> times</p>
        <button onclick="document.getElementById('n').textContent++">Next</button>""",
    # The LLM stalls on this page (for tests that need a run to stay busy).
    "/stall": "<h1>Stall here</h1><button>Nothing</button>",
    # The sign-up form at fixed positions, for engines that click by coordinates: the field's centre is
    # (250, 120), the button's (160, 220).
    "/fixed": """<style>body { margin: 0; } #name, #send { position: absolute; left: 100px; height: 40px; }
        #name { top: 100px; width: 300px; box-sizing: border-box; } #send { top: 200px; width: 120px; }</style>
        <form action="/done" method="get"><input name="name" id="name" aria-label="Name">
        <button id="send" type="submit">Submit</button></form>""",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(
    predicate: Callable[[], Any], *, timeout: float, interval: float = 0.05, what: str = ""
) -> Any:
    """Poll `predicate` until it returns something truthy; fail with `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what or predicate}")
        time.sleep(interval)


class TestSite(LocalServer):
    """PAGES over HTTP, serving from construction on (bench/ relies on that). While `gate` is clear,
    requests for /gated/... wait (up to 30 s) before answering, so a test can connect its socket before a
    run gets going."""

    __test__ = False  # not a test class, despite the name

    def __init__(self) -> None:
        self.gate = threading.Event()
        self.gate.set()
        site = self

        class Handler(QuietHandler):
            def do_GET(self) -> None:  # noqa: N802
                path = self.path.split("?")[0]
                if path.startswith("/gated/"):
                    site.gate.wait(30)
                    path = path.removeprefix("/gated")
                body = PAGES.get(path)
                if body is None:
                    self.send_error(404)
                    return
                data = f"<!doctype html><html><body>{body}</body></html>".encode()
                self.send_body(200, data, "text/html; charset=utf-8")

        super().__init__(Handler, name="test-site")
        self.start()


def site_script(messages: list[dict[str, Any]]) -> str | FakeReply:
    """The scripted LLM for TestSite's pages: sign up as Ada, click Next forever, or stall. It answers
    skyvern-1.0's calls (plan, verify) and skyvern-2.0's (goal_plan, goal_check, goal_summary; each
    mini-goal then makes 1.0's calls)."""
    kind, text = prompt_kind(messages), page_text(messages)
    if kind.startswith("goal_"):
        return _site_planning(kind, text)
    if kind == "verify":
        return '{"goal_achieved": true, "reasoning": "the thank-you page is shown"}'
    if "Thank you" in text:
        return actions(
            {"action_type": "complete", "reasoning": "signed up", "data": {"message": "Welcome aboard"}}
        )
    if "Counter" in text:
        return actions({"action_type": "click", "id": element_id(messages, "Next"), "reasoning": "again"})
    if "Stall here" in text:
        return FakeReply(actions({"action_type": "wait", "seconds": 1}), delay=60)
    return actions(
        {
            "action_type": "input_text",
            "id": element_id(messages, "label=Name"),
            "text": "Ada",
            "reasoning": "fill",
        },
        {"action_type": "click", "id": element_id(messages, "Submit"), "reasoning": "send"},
    )


def _site_planning(kind: str, text: str) -> str | FakeReply:
    """skyvern-2.0 on TestSite: one navigate mini-goal per page; done once the thank-you page shows."""
    done = "Thank you" in text
    if "Stall here" in text:  # the mini-goal's first step then stalls, as a 1.0 run's would
        return mini_goal("Wait on this page")
    if kind == "goal_summary":
        return '{"message": "Welcome aboard"}'
    if kind == "goal_check" or done:
        return goal_reached(done, "the thank-you page is shown" if done else "not signed up yet")
    if "Counter" in text:
        return mini_goal("Click Next", completion_criterion="the counter went up")
    return mini_goal("Sign up as Ada", completion_criterion="a thank-you page shows")


class ScriptedLLM(FakeLLM):
    """A FakeLLM whose script can be swapped between tests (`llm.script = ...`)."""

    def __init__(self, script: Callable[[list[dict[str, Any]]], str | FakeReply] = site_script) -> None:
        self.script = script
        super().__init__(lambda messages: self.script(messages))


@dataclass
class EventStream:
    """A WebSocket client on its own thread, collecting the JSON events a run's socket sends."""

    url: str
    events: list[dict[str, Any]] = field(default_factory=list)
    close_code: int | None = None
    received_at: list[float] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._opened = threading.Event()
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()
        if not self._opened.wait(10):
            raise AssertionError(f"could not open {self.url}")

    def _read(self) -> None:
        with connect(self.url, open_timeout=10, max_size=None) as ws:
            self._ws = ws
            self._opened.set()
            try:
                for message in ws:
                    self.received_at.append(time.time())
                    self.events.append(json.loads(message))
            except ConnectionClosed:
                pass
            self.close_code = ws.close_code

    def of_type(self, *types: str) -> list[dict[str, Any]]:
        return [event for event in list(self.events) if event["type"] in types]

    def wait_for(self, predicate: Callable[[dict[str, Any]], bool], *, timeout: float = 30) -> dict[str, Any]:
        try:
            return wait_until(
                lambda: next((e for e in list(self.events) if predicate(e)), None), timeout=timeout
            )
        except AssertionError:
            seen = [(e["type"], e.get("seq")) for e in self.events if e["type"] != "frame"]
            raise AssertionError(
                f"{self.url}: no such event; close code {self.close_code}; saw {seen}"
            ) from None

    def close(self) -> None:
        self._ws.close()
        self._thread.join(5)


def descendants(pid: int) -> list[tuple[int, str]]:
    """(pid, command name) of every living process below `pid` (reads /proc)."""
    children: dict[int, list[int]] = {}
    names: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        if fields[0] == "Z":
            continue
        names[int(entry.name)] = name
        children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, todo = [], list(children.get(pid, []))
    while todo:
        child = todo.pop()
        found.append((child, names[child]))
        todo.extend(children.get(child, []))
    return found


def chromium_pids(pid: int) -> list[int]:
    return [child for child, name in descendants(pid) if "chrom" in name.lower()]


def process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True
