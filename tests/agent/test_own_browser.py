"""BROWSER_TYPE=cdp-connect with CHROME_EXECUTABLE_PATH: the server starts the browser on a copy of the
user's profile (made once), attaches to it for runs, and leaves it running."""

from __future__ import annotations

import os
import signal
import socket
from pathlib import Path

import pytest

from agent import AgentTask, BrowserConfig, LLMClient, LLMConfig, run_agent
from agent.browser import OwnBrowser
from agent.browser.own_browser import cdp_answers, copy_profile, ensure_started
from tests.support.fake_llm import FakeLLM, actions, prompt_kind


def a_user_profile(root: Path) -> Path:
    profile = root / "user-profile"
    (profile / "Default").mkdir(parents=True)
    (profile / "Default" / "Bookmarks").write_text('{"roots": {}}')
    (profile / "Default" / "Cache").mkdir()
    (profile / "SingletonLock").symlink_to("host-12345")  # what a running Chrome leaves behind
    return profile


def test_the_profile_is_copied_once_without_the_running_browsers_lock(tmp_path: Path) -> None:
    source, copy = a_user_profile(tmp_path), tmp_path / "copy"

    assert copy_profile(source, copy) is True
    (source / "Default" / "Bookmarks").write_text("changed later")

    assert copy_profile(source, copy) is False  # first use only: later starts reuse the copy
    assert (copy / "Default" / "Bookmarks").read_text() == '{"roots": {}}'
    assert not (copy / "SingletonLock").is_symlink() and not (copy / "Default" / "Cache").exists()


def test_without_a_profile_to_copy_the_browser_starts_on_an_empty_one(tmp_path: Path) -> None:
    assert copy_profile(tmp_path / "missing", tmp_path / "copy") is True
    assert list((tmp_path / "copy").iterdir()) == []


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def complete_at_once(messages):
    if prompt_kind(messages) == "verify":
        return '{"goal_achieved": true, "reasoning": "seen"}'
    return actions({"action_type": "complete", "reasoning": "nothing to do"})


@pytest.mark.browser
@pytest.mark.slow
async def test_the_server_starts_the_browser_attaches_runs_and_leaves_it_running(
    tmp_path, page_server
) -> None:
    own = OwnBrowser(
        cdp_url=f"http://127.0.0.1:{free_port()}",
        executable=BrowserConfig().chromium_path,
        profile_source=a_user_profile(tmp_path),
        profile_dir=tmp_path / "chrome-profile",
    )
    process = ensure_started(own)
    assert process is not None
    try:
        assert cdp_answers(own.cdp_url)
        assert (own.profile_dir / "Default" / "Bookmarks").exists()
        assert ensure_started(own) is None  # it answers: nobody starts a second one

        config = BrowserConfig(run_dir=tmp_path / "run", allow_private_hosts=["127.0.0.1"], own_browser=own)
        task = AgentTask(prompt="Look at the form", url=page_server.url("loop_form.html"))
        with FakeLLM(complete_at_once) as fake:
            llm = LLMClient(LLMConfig(model=fake.model, api_base=fake.base_url, api_key="test"))
            result = await run_agent(task, llm, config)

        assert result.status == "completed", result.failure_reason
        assert process.poll() is None and cdp_answers(own.cdp_url)  # the run only disconnected
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)


async def test_a_browser_that_does_not_answer_fails_the_run_saying_what_to_set(tmp_path) -> None:
    own = OwnBrowser(cdp_url=f"http://127.0.0.1:{free_port()}", profile_dir=tmp_path / "p")
    config = BrowserConfig(run_dir=tmp_path / "run", own_browser=own)
    with FakeLLM(complete_at_once) as fake:
        llm = LLMClient(LLMConfig(model=fake.model, api_base=fake.base_url, api_key="test"))
        result = await run_agent(AgentTask(prompt="x", url="https://example.com"), llm, config)

    assert result.status == "failed"
    assert f"no browser answers on {own.cdp_url}" in result.failure_reason
    assert "CHROME_EXECUTABLE_PATH" in result.failure_reason
