"""Stored credentials and 2FA with a real worker, Daphne and Chromium, against the demo's secure log-in
(/demo/secure-login → /demo/2fa → /demo/account). The scripted LLM types placeholders only."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

import httpx
import pyotp
import pytest
from django.db import connection

from agent.secrets import placeholder
from runs.dashboard.demo_2fa import DEMO_SECURE_PASSWORD, DEMO_TOTP_SECRET
from runs.models import TaskRun, TotpCode
from tests.e2e.helpers import wait_until
from tests.support.fake_llm import actions, element_id, page_text, prompt_kind

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.slow]
FINAL = ("completed", "failed", "terminated", "canceled", "timed_out")


def login_script(messages: list[dict[str, Any]]) -> str:
    """Sign in with the credential's placeholders, type {{totp_code}} on the 2FA page, stop when logged in."""
    kind, text = prompt_kind(messages), page_text(messages)
    if kind == "totp_extract":
        return json.dumps({"code": re.search(r"\b\d{6}\b", json.dumps(messages)).group(0)})
    if kind == "verify":
        return json.dumps({"goal_achieved": "Welcome back" in text, "reasoning": "checked"})
    if "Welcome back" in text:
        return actions({"action_type": "complete", "reasoning": "logged in"})
    if "Two-factor verification" in text:
        return actions(
            {
                "action_type": "input_text",
                "id": element_id(messages, "Verification code:"),
                "text": "{{totp_code}}",
            },
            {"action_type": "click", "id": element_id(messages, "Verify")},
        )
    names = dict(re.findall(r"\{\{(cred_\w+?_(username|password))\}\}", json.dumps(messages)))
    user, password = (next(n for n, f in names.items() if f == field) for field in ("username", "password"))
    return actions(
        {
            "action_type": "input_text",
            "id": element_id(messages, "label=Username"),
            "text": placeholder(user),
        },
        {
            "action_type": "input_text",
            "id": element_id(messages, "label=Password"),
            "text": placeholder(password),
        },
        {"action_type": "click", "id": element_id(messages, "Sign in")},
    )


def _credential(client: httpx.Client, **extra: str) -> str:
    body = {"username": "demo", "password": DEMO_SECURE_PASSWORD, **extra}
    response = client.post(
        "/v1/credentials", json={"name": "Demo", "credential_type": "password", "credential": body}
    )
    assert response.status_code == 201, response.text
    return response.json()["credential_id"]


def _login(client: httpx.Client, server_url: str, credential_id: str, **extra: Any) -> str:
    body = {
        "credential_type": "skyvern",
        "credential_id": credential_id,
        "url": server_url + "/demo/secure-login",
    }
    response = client.post("/v1/run/tasks/login", json=body | extra)
    assert response.status_code == 200, response.text
    return response.json()["run_id"]


def _final(client: httpx.Client, run_id: str, timeout: float = 90) -> dict:
    def done():
        body = client.get(f"/v1/runs/{run_id}").json()
        return body if body["status"] in FINAL else None

    return wait_until(done, timeout=timeout, interval=0.3, what=f"{run_id} to finish")


def _database_dump() -> str:
    """Every row of every table as text (the credential's ciphertext included: Fernet hides the value)."""
    parts = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT t::text FROM "{table}" t')  # noqa: S608 (names from the catalog)
            parts.extend(row[0] for row in cursor.fetchall())
    return "\n".join(parts)


def _files_holding(root: Path, secret: bytes) -> list[str]:
    return [str(path) for path in root.rglob("*") if path.is_file() and secret in path.read_bytes()]


def test_a_stored_password_and_totp_secret_log_in_and_the_password_leaks_nowhere(
    worker, e2e_client, daphne_server, scripted_llm, e2e_dir
):
    org, raw_key, client = e2e_client
    scripted_llm.script = login_script
    seen_before = len(scripted_llm.requests)
    credential_id = _credential(client, totp=DEMO_TOTP_SECRET)
    run_id = _login(client, daphne_server.url, credential_id)

    body = _final(client, run_id)
    assert body["status"] == "completed", body["failure_reason"]
    secret = DEMO_SECURE_PASSWORD
    answers = [
        client.get(f"/v1/runs/{run_id}").text,
        client.get(f"/v1/runs/{run_id}/timeline").text,
        client.get(f"/v1/runs/{run_id}/artifacts").text,
        client.get(f"/api/v1/tasks/{run_id}/actions").text,
        client.get(f"/v1/credentials/{credential_id}").text,
        client.get("/v1/credentials").text,
    ]
    assert all(secret not in answer for answer in answers)
    requests = json.dumps(scripted_llm.requests[seen_before:])
    assert placeholder(f"{credential_id}_password") in requests and secret not in requests
    typed = [a for a in json.loads(answers[3]) if a.get("action_type") == "input_text"]
    assert {a.get("text") for a in typed} >= {placeholder(f"{credential_id}_password"), "{{totp_code}}"}
    time.sleep(1)  # the worker's last log lines
    assert _files_holding(e2e_dir, secret.encode()) == []  # artifacts, run folders, worker and Daphne logs
    assert secret not in _database_dump()
    assert TaskRun.objects.get(run_id=run_id).output is None or secret not in json.dumps(body)


def test_a_pushed_code_is_typed_into_the_2fa_page(worker, e2e_client, daphne_server, scripted_llm):
    org, raw_key, client = e2e_client
    scripted_llm.script = login_script
    credential_id = _credential(client)
    run_id = _login(client, daphne_server.url, credential_id, totp_identifier="Ada <Ada@Example.COM>")

    def waiting():
        errors = client.get(f"/v1/runs/{run_id}").json().get("errors") or []
        return any(e.get("error_code") == "WAITING_FOR_2FA_CODE" for e in errors)

    wait_until(waiting, timeout=60, interval=0.3, what="the run to wait for a 2FA code")
    code = pyotp.TOTP(DEMO_TOTP_SECRET).now()
    message = f"Hello Ada, your Demo verification code is {code}. It expires in 10 minutes."
    pushed = client.post(
        "/v1/credentials/totp", json={"totp_identifier": "ada@example.com", "content": message}
    )
    assert pushed.status_code == 200, pushed.text
    assert pushed.json()["code"] == code  # found by the totp_extract call

    body = _final(client, run_id)
    assert body["status"] == "completed", body["failure_reason"]
    assert not any(e.get("error_code") == "WAITING_FOR_2FA_CODE" for e in body.get("errors") or [])
    assert TotpCode.objects.get(totp_code_id=pushed.json()["totp_code_id"]).used_by_run_id == run_id


def test_canceling_a_run_that_waits_for_a_code_ends_it_at_once(
    worker, e2e_client, daphne_server, scripted_llm
):
    org, raw_key, client = e2e_client
    scripted_llm.script = login_script
    run_id = _login(client, daphne_server.url, _credential(client), totp_identifier="nobody@example.com")

    def waiting():
        errors = client.get(f"/v1/runs/{run_id}").json().get("errors") or []
        return any(e.get("error_code") == "WAITING_FOR_2FA_CODE" for e in errors)

    wait_until(waiting, timeout=60, interval=0.3, what="the run to wait for a 2FA code")
    canceled_at = time.monotonic()
    assert client.post(f"/v1/runs/{run_id}/cancel").status_code == 200
    wait_until(lambda: not worker.busy_tasks(), timeout=20, what="the worker to let the run go")
    assert time.monotonic() - canceled_at < 20
    assert client.get(f"/v1/runs/{run_id}").json()["status"] == "canceled"
