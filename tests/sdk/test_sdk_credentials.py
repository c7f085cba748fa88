"""The official SDK's credential, 2FA and login methods (skyvern==1.0.56) against a live server."""

import pytest

from runs.models import TaskRun, TotpCode
from tests.sdk.test_official_sdk import _no_worker, client, http, org_and_key, sdk  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "sdk-Secret-Passw0rd"


def test_create_get_list_and_delete_a_credential(client, sdk):  # noqa: F811
    created = client.create_credential(
        name="Shop",
        credential_type="password",
        credential={"username": "ada@example.com", "password": PASSWORD, "totp": "JBSWY3DPEHPK3PXP"},
    )
    assert created.credential_id.startswith("cred_") and created.credential_type == "password"
    assert created.credential.username == "ada@example.com"
    assert PASSWORD not in repr(created)
    card = client.create_credential(
        name="Card",
        credential_type="credit_card",
        credential={
            "card_number": "4242424242424242",
            "card_cvv": "424",
            "card_exp_month": "12",
            "card_exp_year": "2028",
            "card_brand": "visa",
            "card_holder_name": "Ada Lovelace",
        },  # fmt: skip
    )
    assert card.credential.last_four == "4242"

    assert client.get_credential(created.credential_id).name == "Shop"
    listed = client.get_credentials(page=1, page_size=10)
    assert [c.credential_id for c in listed] == [card.credential_id, created.credential_id]
    client.delete_credential(created.credential_id)
    with pytest.raises(sdk.core.ApiError) as gone:
        client.get_credential(created.credential_id)
    assert gone.value.status_code == 404 and gone.value.body == {"detail": "Credential not found"}


def test_send_totp_code_and_login(client, org_and_key):  # noqa: F811
    sent = client.send_totp_code(totp_identifier="Ada@Example.com", content="482913", source="sms")
    assert (sent.code, sent.totp_identifier) == ("482913", "ada@example.com")
    assert TotpCode.objects.get(totp_code_id=sent.totp_code_id).organization == org_and_key[0]

    credential = client.create_credential(
        name="Shop", credential_type="password", credential={"username": "ada", "password": PASSWORD}
    )
    run = client.login(
        credential_type="skyvern",
        credential_id=credential.credential_id,
        url="https://shop.example/login",
        totp_identifier="ada@example.com",
    )
    assert run.run_id.startswith("tsk_") and run.status == "queued"
    stored = TaskRun.objects.get(run_id=run.run_id)
    assert stored.request["credential_ids"] == [credential.credential_id]
    assert stored.request["totp_identifier"] == "ada@example.com"
