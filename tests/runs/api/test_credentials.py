"""POST/GET/DELETE /v1/credentials and POST /v1/credentials/totp, as an API user sees them."""

import json
from datetime import timedelta

import pyotp
import pytest
from django.test import Client
from django.utils import timezone

from runs.models import Credential, TaskRun, TotpCode
from runs.services import api_key_create
from runs.services.credentials import credential_secret
from runs.services.totp_codes import totp_code_take, totp_identifier_normalise
from tests.runs.api.conftest import post_task
from tests.support.factories import OrganizationFactory, TaskRunFactory

PASSWORD = "correct-horse-battery-9"


def _create(client: Client, **overrides):
    body = {
        "name": "Shop login",
        "credential_type": "password",
        "credential": {"username": "ada@example.com", "password": PASSWORD, "totp": "JBSWY3DPEHPK3PXP"},
    } | overrides
    return client.post("/v1/credentials", body, content_type="application/json")


def test_a_password_credential_is_stored_encrypted_and_shown_only_as_a_hint(client, org):
    response = _create(client)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["credential_id"].startswith("cred_")
    assert body["credential"] == {
        "username": "ada@example.com",
        "password": "********",
        "totp_type": "authenticator",
        "totp_identifier": None,
        "totp_configured": True,
    }
    assert PASSWORD not in response.content.decode()
    stored = Credential.objects.get(credential_id=body["credential_id"])
    assert PASSWORD not in stored.secret_encrypted and PASSWORD not in json.dumps(stored.hint)
    assert credential_secret(credential=stored)["password"] == PASSWORD
    for url in ("/v1/credentials", f"/v1/credentials/{body['credential_id']}"):
        again = client.get(url)
        assert again.status_code == 200 and PASSWORD not in again.content.decode()
        assert "JBSWY3DPEHPK3PXP" not in again.content.decode()


def test_a_card_shows_its_last_four_digits_and_brand_only(client):
    card = {
        "card_number": "4242 4242 4242 4242", "card_cvv": "424", "card_exp_month": "12",
        "card_exp_year": "2028", "card_brand": "visa", "card_holder_name": "Ada Lovelace",
    }  # fmt: skip
    body = _create(client, name="Card", credential_type="CREDIT_CARD", credential=card).json()
    assert body["credential_type"] == "credit_card"
    assert body["credential"] == {"last_four": "4242", "brand": "visa"}


def test_bad_credentials_are_refused_with_a_sentence(client):
    missing = _create(client, credential={"username": "ada"})
    assert missing.status_code == 400 and "credential.password" in missing.json()["detail"]
    kind = _create(client, credential_type="passkey")
    assert kind.status_code == 400 and "credential_type" in kind.json()["detail"]
    totp = _create(client, credential={"username": "a", "password": "b", "totp": "not base32!"})
    assert totp.status_code == 400 and "base32" in totp.json()["detail"]


def test_listing_pages_and_filters(client):
    ids = [_create(client, name=f"Login {n}").json()["credential_id"] for n in range(3)]
    first = client.get("/v1/credentials?page=1&page_size=2").json()
    second = client.get("/v1/credentials?page=2&page_size=2").json()
    assert [c["credential_id"] for c in first + second] == ids[::-1]
    assert client.get("/v1/credentials?credential_type=secret").json() == []
    assert [c["name"] for c in client.get("/v1/credentials?search=login 1").json()] == ["Login 1"]


def test_deleting_drops_the_secret_and_both_routes_work(client):
    one, two = (_create(client).json()["credential_id"] for _ in range(2))
    assert client.post(f"/v1/credentials/{one}/delete").status_code == 204
    assert client.delete(f"/v1/credentials/{two}").status_code == 204
    assert client.get(f"/v1/credentials/{one}").status_code == 404
    assert client.get("/v1/credentials").json() == []
    assert Credential.objects.get(credential_id=one).secret_encrypted == ""


def test_another_organizations_credential_is_not_found(client):
    other = OrganizationFactory()
    _, raw = api_key_create(organization=other)
    theirs = _create(Client(headers={"x-api-key": raw})).json()["credential_id"]
    assert client.get(f"/v1/credentials/{theirs}").json() == {"detail": "Credential not found"}
    assert client.post(f"/v1/credentials/{theirs}/delete").status_code == 404
    assert client.get(f"/v1/credentials/{theirs}").status_code == 404
    refused = post_task(client, {"prompt": "Log in", "credential_ids": [theirs]})
    assert refused.status_code == 400 and theirs in refused.json()["detail"]
    login = client.post(
        "/v1/run/tasks/login",
        {"credential_type": "skyvern", "credential_id": theirs, "url": "https://example.com"},
        content_type="application/json",
    )
    assert login.status_code == 404


def test_a_short_pushed_code_is_the_code_and_identifiers_are_normalised(client, org):
    response = client.post(
        "/v1/credentials/totp",
        {"totp_identifier": " Ada <ADA@Example.com> ", "content": " 123456 ", "source": "sms"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["code"] == "123456" and body["totp_identifier"] == "ada@example.com"
    assert body["organization_id"] == org.organization_id and body["totp_code_id"].startswith("totp_")
    assert totp_identifier_normalise("mailto:ADA@example.com") == "ada@example.com"
    assert totp_identifier_normalise("+1 (415) 555-0123") == "+14155550123"


def test_a_waiting_run_takes_a_code_once_and_ignores_old_and_foreign_ones(org):
    run = TaskRunFactory(organization=org)
    other_run = TaskRunFactory(organization=org)
    stale = TotpCode.objects.create(
        organization=org, totp_identifier="ada@example.com", content="1", code="111111"
    )
    TotpCode.objects.filter(pk=stale.pk).update(created_at=timezone.now() - timedelta(minutes=11))
    foreign = OrganizationFactory()
    TotpCode.objects.create(
        organization=foreign, totp_identifier="ada@example.com", content="2", code="222222"
    )
    TotpCode.objects.create(
        organization=org,
        totp_identifier="ada@example.com",
        content="3",
        code="333333",
        task_id=other_run.run_id,
    )
    assert totp_code_take(run=run, identifier="ADA@example.com") is None
    TotpCode.objects.create(organization=org, totp_identifier="ada@example.com", content="4", code="444444")
    assert totp_code_take(run=run, identifier="Ada@Example.com") == "444444"
    assert totp_code_take(run=run, identifier="ada@example.com") is None  # used once
    assert TotpCode.objects.get(code="444444").used_by_run_id == run.run_id
    assert totp_code_take(run=other_run, identifier="ada@example.com") == "333333"


@pytest.mark.parametrize("identifier", ["ada@example.com"])
def test_a_task_with_a_totp_identifier_and_no_totp_url_is_accepted(client, identifier):
    response = post_task(
        client, {"prompt": "Log in", "url": "https://example.com", "totp_identifier": identifier}
    )
    assert response.status_code == 200, response.content
    assert TaskRun.objects.get(run_id=response.json()["run_id"]).request["totp_identifier"] == identifier


def test_login_starts_a_run_with_the_credential_and_a_default_prompt(client):
    credential_id = _create(client).json()["credential_id"]
    response = client.post(
        "/v1/run/tasks/login",
        {"credential_type": "skyvern", "credential_id": credential_id, "url": "https://example.com/login"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    run = TaskRun.objects.get(run_id=response.json()["run_id"])
    assert run.request["credential_ids"] == [credential_id] and "Log in" in run.prompt
    assert PASSWORD not in json.dumps(run.request) and PASSWORD not in run.prompt
    bitwarden = client.post(
        "/v1/run/tasks/login", {"credential_type": "bitwarden"}, content_type="application/json"
    )
    assert bitwarden.status_code == 400 and "skyvern" in bitwarden.json()["detail"]


def test_a_credential_totp_secret_makes_the_codes_with_pyotp(client, org):
    from runs.execution.inputs import agent_task_for

    credential_id = _create(client).json()["credential_id"]
    run = TaskRunFactory(organization=org, request={"credential_ids": [credential_id]})
    task = agent_task_for(run)
    assert task.totp_secret == "JBSWY3DPEHPK3PXP"
    assert task.secrets == {
        f"{credential_id}_username": "ada@example.com",
        f"{credential_id}_password": PASSWORD,
    }
    assert PASSWORD not in task.model_dump_json() and PASSWORD not in repr(task)
    from agent.totp import current_code

    assert current_code(task.totp_secret) == pyotp.TOTP("JBSWY3DPEHPK3PXP").now()


def test_the_legacy_paths_serve_the_same_operations(client):
    created = client.post(
        "/api/v1/credentials",
        {
            "name": "Old",
            "credential_type": "secret",
            "credential": {"secret_value": "sk-123456", "secret_label": "key"},
        },
        content_type="application/json",
    )
    assert created.status_code == 200 and created.json()["credential"] == {"secret_label": "key"}
    credential_id = created.json()["credential_id"]
    assert client.get(f"/api/v1/credentials/{credential_id}").json()["name"] == "Old"
    assert client.delete(f"/api/v1/credentials/{credential_id}").status_code == 200
    pushed = client.post(
        "/api/v1/totp", {"totp_identifier": "x", "content": "1234"}, content_type="application/json"
    )
    assert pushed.json()["code"] == "1234"


def test_rotating_the_encryption_key_keeps_credentials_readable(client, settings):
    from cryptography.fernet import Fernet

    from runs.services.keys import encryption_rotate

    credential_id = _create(client).json()["credential_id"]
    old_keys = list(settings.SKYVERN_ENCRYPTION_KEYS)
    settings.SKYVERN_ENCRYPTION_KEYS = [Fernet.generate_key().decode(), *old_keys]
    encryption_rotate()
    settings.SKYVERN_ENCRYPTION_KEYS = settings.SKYVERN_ENCRYPTION_KEYS[:1]  # the old key is gone
    stored = Credential.objects.get(credential_id=credential_id)
    assert credential_secret(credential=stored)["password"] == PASSWORD
