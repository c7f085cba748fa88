"""A session's recording kept when it closes, and a profile made from a finished run's cookies: real worker,
Daphne and Chromium."""

from __future__ import annotations

import asyncio
import hashlib
import json
import subprocess

import httpx
import pytest
from playwright.async_api import async_playwright

from tests.e2e.helpers import wait_until
from tests.e2e.test_browser_sessions import (
    SIGN_IN,
    _close,
    _finished,
    _page_seen_over_cdp,
    _session,
    _wait_stopped,
    login_script,
)

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.slow]


def _browse(address: str, urls: list[str]) -> None:
    """What a caller does over CDP: open pages one after the other, a new tab for the last one."""

    async def go() -> None:
        async with async_playwright() as pw:
            browser = await pw.chromium.connect_over_cdp(address)
            context = browser.contexts[0]
            page = context.pages[-1]
            for url in urls[:-1]:
                await page.goto(url)
                await asyncio.sleep(1.5)
            tab = await context.new_page()
            await tab.goto(urls[-1])
            await asyncio.sleep(2)

    asyncio.run(go())


def test_closing_a_session_keeps_a_recording_of_its_pages(worker, e2e_client, daphne_server):
    _, _, client = e2e_client
    session = _session(client, url=daphne_server.url + "/demo/login")
    session_id = session["browser_session_id"]
    assert session["recordings"] == []
    pages = ["/demo/products", "/demo/job-application", "/demo/login"]
    _browse(session["browser_address"], [daphne_server.url + p for p in pages])
    _close(client, session_id)
    _wait_stopped(session_id)

    def recorded():
        body = client.get(f"/v1/browser_sessions/{session_id}").json()
        return body["recordings"] or None

    recordings = wait_until(recorded, timeout=30, interval=0.3, what="the recording")
    assert len(recordings) == 1
    entry = recordings[0]
    assert entry["filename"] == "recording.webm" and entry["modified_at"]
    # The signed link opens without credentials, like an artifact link.
    video = httpx.get(entry["url"], timeout=30, trust_env=False)
    assert video.status_code == 200 and video.headers["content-type"] == "video/webm"
    assert video.content[:4] == b"\x1a\x45\xdf\xa3"  # EBML: a webm
    assert hashlib.sha256(video.content).hexdigest() == entry["checksum"]
    probe = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "format=duration:stream=codec_name", "-of", "json", "-"],
        input=video.content,
        capture_output=True,
        check=True,
    )
    info = json.loads(probe.stdout)
    assert info["streams"][0]["codec_name"] == "vp8"
    assert float(info["format"]["duration"]) >= 4  # the pages were open for about 5 s
    # Without the signature the file is the owner's only.
    bare = entry["url"].split("?")[0]
    assert httpx.get(bare, trust_env=False).status_code == 403
    assert httpx.get(bare + "?sig=forged", trust_env=False).status_code == 403
    assert client.get(bare).status_code == 200


def test_a_profile_from_a_finished_run_starts_a_session_signed_in(
    worker, e2e_client, daphne_server, scripted_llm
):
    _, _, client = e2e_client
    scripted_llm.script = login_script
    body = {"prompt": SIGN_IN, "url": daphne_server.url + "/demo/login", "engine": "skyvern-1.0"}
    started = client.post("/v1/run/tasks", json=body)
    assert started.status_code == 200, started.text
    run_id = started.json()["run_id"]
    run = _finished(client, run_id)
    assert run["status"] == "completed", run["failure_reason"]

    # The run's cookies are kept encrypted and privately: no artifact lists them.
    artifacts = client.get(f"/v1/runs/{run_id}/artifacts").json()
    assert not [a for a in artifacts if "state" in json.dumps(a)]

    answer = client.post("/v1/browser_profiles", json={"name": "from a run", "workflow_run_id": run_id})
    assert answer.status_code == 200, answer.text
    profile = answer.json()
    assert profile["source_run_id"] == run_id and profile["source_browser_session_id"] is None
    assert profile["size"] > 0

    session = _session(
        client, url=daphne_server.url + "/demo/account", browser_profile_id=profile["browser_profile_id"]
    )
    try:
        assert session["status"] == "running"
        url, text = _page_seen_over_cdp(session["browser_address"])
        assert url.endswith("/demo/account") and "Welcome back" in text
    finally:
        _close(client, session["browser_session_id"])
    _wait_stopped(session["browser_session_id"])

    # An unknown run is not found; a session and a run at once is refused.
    missing = client.post("/v1/browser_profiles", json={"name": "x", "workflow_run_id": "tsk_0"})
    assert missing.status_code == 404 and "tsk_0" in missing.json()["detail"]
    both = {"name": "x", "workflow_run_id": run_id, "browser_session_id": session["browser_session_id"]}
    assert client.post("/v1/browser_profiles", json=both).status_code == 400
