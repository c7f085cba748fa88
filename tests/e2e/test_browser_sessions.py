"""Persistent browser sessions with a real worker, Daphne and Chromium: runs that continue on one browser,
profiles that start logged in, sessions pinned to the worker that holds them, and the bad-input answers."""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
from django.test import Client
from playwright.async_api import async_playwright

from agent.browser.persistent import process_alive
from runs.models import Action, BrowserSession, TaskRun
from runs.tasks import reap_browser_sessions
from tests.e2e.helpers import wait_until
from tests.e2e.processes import Worker
from tests.support.factories import UserFactory
from tests.support.fake_llm import actions, element_id, page_text, prompt_kind

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.slow]
SIGN_IN = "Sign in with the demo account"
READ_PLAN = "Read my plan"
SDK_DIR = Path(__file__).resolve().parents[2] / "var" / "sdk"


def login_script(messages: list[dict[str, Any]]) -> str:
    """Signs in on /demo/login; reads the plan on /demo/account; a READ_PLAN run refuses to sign in."""
    kind, text = prompt_kind(messages), page_text(messages)
    signed_in = "Welcome back" in text
    if kind == "verify":
        return json.dumps({"goal_achieved": signed_in, "reasoning": "the account page shows"})
    if signed_in:
        return actions({"action_type": "complete", "reasoning": "signed in", "data": {"plan": _plan(text)}})
    if READ_PLAN in json.dumps(messages):
        return actions({"action_type": "terminate", "reasoning": "not signed in"})
    return actions(
        {
            "action_type": "input_text",
            "id": element_id(messages, "Username"),
            "text": "demo",
            "reasoning": "user",
        },
        {
            "action_type": "input_text",
            "id": element_id(messages, "Password"),
            "text": "demo-password",
            "reasoning": "password",
        },
        {"action_type": "click", "id": element_id(messages, "Sign in"), "reasoning": "send"},
    )


def page_script(messages: list[dict[str, Any]]) -> str:
    """login_script, plus the SDK's page actions: a prompt, a validation and an extraction."""
    kind, text = prompt_kind(messages), page_text(messages)
    if kind == "page_prompt":
        return '{"greeting": "hello"}'
    if kind == "page_validate":
        return json.dumps({"valid": "Welcome back" in text, "reasoning": "what the page shows"})
    if kind == "extract":
        return json.dumps({"plan": _plan(text)})
    return login_script(messages)


def _plan(text: str) -> str:
    match = re.search(r"Explorer", text)
    return match.group(0) if match else "unknown"


def _session(client: httpx.Client, **body: Any) -> dict:
    response = client.post("/v1/browser_sessions", json=body)
    assert response.status_code == 200, response.text
    return response.json()


def _run(client: httpx.Client, session_id: str, prompt: str, **extra: Any) -> dict:
    body = {"prompt": prompt, "browser_session_id": session_id, "engine": "skyvern-1.0", **extra}
    response = client.post("/v1/run/tasks", json=body)
    assert response.status_code == 200, response.text
    return response.json()


def _finished(client: httpx.Client, run_id: str, timeout: float = 90) -> dict:
    def done():
        body = client.get(f"/v1/runs/{run_id}").json()
        return body if body["status"] not in ("queued", "running") else None

    return wait_until(done, timeout=timeout, interval=0.3, what=f"{run_id} to finish")


def _close(client: httpx.Client, session_id: str) -> dict:
    response = client.post(f"/v1/browser_sessions/{session_id}/close")
    assert response.status_code == 200, response.text
    return response.json()


def _page_seen_over_cdp(address: str) -> tuple[str, str]:
    """What a caller sees connecting Playwright to the session's browser_address: (url, text)."""

    async def look() -> tuple[str, str]:
        async with async_playwright() as pw:
            browser = await pw.chromium.connect_over_cdp(address)
            page = browser.contexts[0].pages[-1]
            return page.url, await page.inner_text("body")

    return asyncio.run(look())


def _wait_stopped(session_id: str) -> BrowserSession:
    def stopped():
        row = BrowserSession.objects.get(session_id=session_id)
        return row if row.pid is None else None

    return wait_until(stopped, timeout=30, interval=0.2, what=f"{session_id}'s browser to stop")


def test_two_runs_share_one_logged_in_browser_and_closing_stops_it(
    worker, e2e_client, daphne_server, scripted_llm
):
    org, _, client = e2e_client
    scripted_llm.script = login_script
    session = _session(client, url=daphne_server.url + "/demo/login", timeout=10)
    session_id = session["browser_session_id"]
    assert session["status"] == "running" and session["timeout"] == 10
    assert session["browser_address"].startswith("http://127.0.0.1:")
    assert session["app_url"].endswith(f"/sessions/{session_id}")
    stored = BrowserSession.objects.get(session_id=session_id)
    assert process_alive(stored.pid) and stored.worker_queue == f"browser.{worker.hostname}"
    try:
        first = _finished(
            client, _run(client, session_id, SIGN_IN, url=daphne_server.url + "/demo/login")["run_id"]
        )
        assert first["status"] == "completed", first["failure_reason"]
        assert first["browser_session_id"] == session_id

        # No url: the second run starts where the first ended, signed in, and types nothing.
        second = _finished(client, _run(client, session_id, READ_PLAN)["run_id"])
        assert second["status"] == "completed", second["failure_reason"]
        assert second["output"] == {"plan": "Explorer"}
        done = Action.objects.filter(step__run__run_id=second["run_id"]).values_list("action_type", flat=True)
        assert list(done) == ["complete"]

        # The browser stays open after the runs, and a caller can drive it over CDP.
        url, text = _page_seen_over_cdp(session["browser_address"])
        assert url.endswith("/demo/account") and "Welcome back" in text
        listed = client.get("/v1/browser_sessions").json()
        assert [s["browser_session_id"] for s in listed] == [session_id]
    finally:
        closed = _close(client, session_id)
    assert closed["status"] == "completed" and closed["completed_at"]
    _wait_stopped(session_id)
    assert not process_alive(stored.pid)
    assert client.get("/v1/browser_sessions").json() == []

    # A closed session refuses new runs (409); an unknown one is not found (404).
    refused = client.post("/v1/run/tasks", json={"prompt": READ_PLAN, "browser_session_id": session_id})
    assert refused.status_code == 409 and "start a new browser session" in refused.json()["detail"]
    unknown = client.post("/v1/run/tasks", json={"prompt": READ_PLAN, "browser_session_id": "pbs_0"})
    assert unknown.status_code == 404 and unknown.json()["detail"] == "browser_session_id pbs_0 was not found"
    legacy = client.post(
        "/api/v1/tasks",
        json={"navigation_goal": READ_PLAN, "url": daphne_server.url, "browser_session_id": "pbs_0"},
    )
    assert legacy.status_code == 404

    # The closed session's profile starts a new session signed in.
    def profile():
        answer = client.post("/v1/browser_profiles", json={"name": "demo", "browser_session_id": session_id})
        assert answer.status_code in (200, 409), answer.text
        return answer.json() if answer.status_code == 200 else None

    made = wait_until(profile, timeout=30, interval=0.5, what="the profile")
    assert made["browser_profile_id"].startswith("bp_")
    again = _session(
        client, url=daphne_server.url + "/demo/account", browser_profile_id=made["browser_profile_id"]
    )
    try:
        url, text = _page_seen_over_cdp(again["browser_address"])
        assert url.endswith("/demo/account") and "Welcome back" in text
    finally:
        _close(client, again["browser_session_id"])
    _wait_stopped(again["browser_session_id"])


def test_bad_session_requests_get_clear_answers(worker, e2e_client):
    _, _, client = e2e_client
    for timeout in (4, 1441):
        answer = client.post("/v1/browser_sessions", json={"timeout": timeout})
        assert answer.status_code == 422, answer.text
    assert client.get("/v1/browser_sessions/pbs_0").status_code == 404
    assert client.post("/v1/browser_sessions/pbs_0/close").status_code == 404
    missing = client.post("/v1/browser_profiles", json={"name": "x", "browser_session_id": "pbs_0"})
    assert missing.status_code == 404
    assert client.get("/v1/browser_profiles/bp_0").status_code == 404
    assert BrowserSession.objects.count() == 0


def test_a_sessions_runs_all_reach_the_worker_that_holds_it_one_at_a_time(
    worker, e2e_env, e2e_dir, e2e_client, daphne_server, scripted_llm
):
    _, _, client = e2e_client
    scripted_llm.script = login_script
    other = Worker(e2e_env, e2e_dir / "logs", concurrency=2, name="other")
    other.start()
    try:
        session = _session(client, url=daphne_server.url + "/demo/login")
        session_id = session["browser_session_id"]
        holder = BrowserSession.objects.get(session_id=session_id).worker_hostname
        assert holder in (worker.hostname, other.hostname)
        runs = [
            _run(client, session_id, SIGN_IN, url=daphne_server.url + "/demo/login")["run_id"]
            for _ in range(3)
        ]
        finished = [_finished(client, run_id, timeout=120) for run_id in runs]
        assert [run["status"] for run in finished] == ["completed"] * 3
        holding = worker if holder == worker.hostname else other
        elsewhere = other if holding is worker else worker
        for run in TaskRun.objects.filter(run_id__in=runs):
            assert f"execute_run[{run.worker_task_id}] succeeded" in holding.log()
            assert run.worker_task_id not in elsewhere.log()
        spans = sorted((run.started_at, run.finished_at) for run in TaskRun.objects.filter(run_id__in=runs))
        assert all(earlier[1] <= later[0] for earlier, later in zip(spans, spans[1:], strict=False)), (
            "two runs overlapped"
        )
        _close(client, session_id)
        _wait_stopped(session_id)
    finally:
        other.stop()


def test_a_session_whose_worker_died_is_failed_by_the_reaper(worker, e2e_client, settings):
    _, _, client = e2e_client
    session = _session(client)
    row = BrowserSession.objects.get(session_id=session["browser_session_id"])
    worker.kill()  # SIGKILL: no shutdown hook runs; the browser leaves with the worker
    wait_until(lambda: not process_alive(row.pid), timeout=30, what="the browser to leave with its worker")
    settings.BROWSER_SESSION_STALE_SECONDS = 0
    assert reap_browser_sessions() == [row.session_id]
    answer = client.get(f"/v1/browser_sessions/{row.session_id}").json()
    assert answer["status"] == "failed" and "stopped responding" in answer["close_reason"]


def _sdk():
    """The official SDK (skyvern==1.0.56 in var/sdk, as tests/sdk imports it)."""
    if str(SDK_DIR) not in sys.path:
        sys.path.append(str(SDK_DIR))
    import skyvern.client

    return skyvern.client


def test_the_official_sdk_runs_sessions_page_actions_and_profiles(
    worker, e2e_client, daphne_server, scripted_llm
):
    _, raw, _ = e2e_client
    scripted_llm.script = page_script
    sdk = _sdk()
    from skyvern.client.types.run_sdk_action_request_action import (
        RunSdkActionRequestAction_AiAct,
        RunSdkActionRequestAction_Extract,
        RunSdkActionRequestAction_Prompt,
        RunSdkActionRequestAction_Validate,
    )

    client = sdk.Skyvern(base_url=daphne_server.url, api_key=raw, timeout=180)
    session = client.create_browser_session(url=daphne_server.url + "/demo/login", timeout=5)
    session_id = session.browser_session_id
    assert session.status == "running" and session.browser_address and session.timeout == 5
    assert client.get_browser_session(session_id).browser_address == session.browser_address
    assert [s.browser_session_id for s in client.get_browser_sessions()] == [session_id]
    assert client.extend_browser_session(session_id, additional_minutes=10).timeout == 15

    def action(action):
        return client.run_sdk_action(
            url=daphne_server.url, browser_session_id=session_id, action=action
        ).result

    try:
        assert action(RunSdkActionRequestAction_Prompt(prompt="Say hello")) == {"greeting": "hello"}
        assert action(RunSdkActionRequestAction_Validate(prompt="I am signed in")) is False
        action(RunSdkActionRequestAction_AiAct(intention=SIGN_IN))
        assert action(RunSdkActionRequestAction_Validate(prompt="I am signed in")) is True
        schema = {"type": "object", "properties": {"plan": {"type": "string"}}}
        assert action(RunSdkActionRequestAction_Extract(prompt="My plan", extract_schema=schema)) == {
            "plan": "Explorer"
        }
    finally:
        client.close_browser_session(session_id)
    _wait_stopped(session_id)
    assert client.get_browser_session(session_id).status == "completed"

    profile = client.create_browser_profile(name="Signed in", browser_session_id=session_id)
    assert client.get_browser_profile(profile.browser_profile_id).name == "Signed in"
    assert [p.browser_profile_id for p in client.list_browser_profiles()] == [profile.browser_profile_id]
    client.delete_browser_profile(profile.browser_profile_id)
    with pytest.raises(sdk.errors.NotFoundError):
        client.get_browser_profile(profile.browser_profile_id)


def test_the_sessions_page_shows_each_open_session_live_and_closes_it(
    worker, e2e_client, daphne_server, scripted_llm
):
    org, _, api = e2e_client
    scripted_llm.script = login_script
    session_id = _session(api, url=daphne_server.url + "/demo/login")["browser_session_id"]
    run_id = _run(api, session_id, SIGN_IN, url=daphne_server.url + "/demo/login")["run_id"]
    _finished(api, run_id)
    login = Client()
    login.force_login(UserFactory(organization=org))
    cookies = {"sessionid": login.cookies["sessionid"].value}
    with httpx.Client(base_url=daphne_server.url, cookies=cookies, timeout=30) as browser:
        listing = browser.get("/sessions")
        assert listing.status_code == 200 and f'href="/sessions/{session_id}"' in listing.text
        assert 'aria-current="page">Sessions</a>' in listing.text
        assert (
            f'href="/sessions/{session_id}"' in browser.get(f"/runs/{run_id}").text
        )  # the run links its session

        detail = browser.get(f"/sessions/{session_id}")
        assert 'id="session-live"' in detail.text and "<script>" not in detail.text  # CSP: no inline script
        shot = browser.get(f"/sessions/{session_id}/screenshot.jpg")
        assert shot.status_code == 200 and shot.headers["content-type"] == "image/jpeg"
        assert shot.content.startswith(b"\xff\xd8")

        assert browser.post(f"/sessions/{session_id}/close").status_code == 403  # no CSRF token
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', detail.text).group(1)
        closed = browser.post(f"/sessions/{session_id}/close", data={"csrfmiddlewaretoken": token})
        assert closed.status_code == 302 and closed.headers["location"] == "/sessions"
    assert BrowserSession.objects.get(session_id=session_id).status == "completed"
    _wait_stopped(session_id)


def test_a_crashed_browser_fails_its_session_and_a_stopping_worker_closes_its_own(worker, e2e_client):
    _, _, client = e2e_client
    crashed, kept = _session(client)["browser_session_id"], _session(client)["browser_session_id"]
    doomed = BrowserSession.objects.get(session_id=crashed)
    os.killpg(doomed.pid, signal.SIGKILL)

    def failed():
        body = client.get(f"/v1/browser_sessions/{crashed}").json()
        return body if body["status"] == "failed" else None

    body = wait_until(failed, timeout=40, interval=0.5, what="the heartbeat to notice the crash")
    assert body["close_reason"] == "The browser crashed (its process exited)"
    refused = client.post("/v1/run/tasks", json={"prompt": READ_PLAN, "browser_session_id": crashed})
    assert refused.status_code == 409 and "The browser crashed" in refused.json()["detail"]

    pid = BrowserSession.objects.get(session_id=kept).pid
    worker.stop()  # SIGTERM: the worker closes the sessions it holds before it exits
    stopped = client.get(f"/v1/browser_sessions/{kept}").json()
    assert (
        stopped["status"] == "completed" and "worker holding this browser stopped" in stopped["close_reason"]
    )
    assert not process_alive(pid)
