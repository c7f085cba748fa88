import pytest
from django.core.management import call_command

from runs.models import ApiKey
from runs.services import api_key_authenticate, api_key_create, api_key_raw, api_key_revoke


@pytest.mark.django_db
def test_the_raw_key_is_never_stored(org):
    key, raw = api_key_create(organization=org, name="ci")
    stored = ApiKey.objects.filter(pk=key.pk).values().get()
    assert all(raw not in str(value) for value in stored.values())
    assert raw.startswith(key.prefix)


@pytest.mark.django_db
def test_a_key_authenticates_its_organization_and_records_use(org):
    key, raw = api_key_create(organization=org)
    found = api_key_authenticate(raw=raw)
    assert found is not None and found.organization == org
    key.refresh_from_db()
    assert key.last_used_at is not None


@pytest.mark.django_db
def test_a_wrong_or_revoked_key_does_not_authenticate(org):
    key, raw = api_key_create(organization=org)
    assert api_key_authenticate(raw=raw + "x") is None
    assert api_key_authenticate(raw="") is None
    api_key_revoke(api_key=key)
    assert api_key_authenticate(raw=raw) is None


@pytest.mark.django_db
def test_the_key_can_be_recovered_for_signing_only_with_the_encryption_key(org, settings):
    from cryptography.fernet import Fernet

    key, raw = api_key_create(organization=org)
    assert api_key_raw(api_key=key) == raw
    settings.SECRET_KEY = "another-secret"
    assert api_key_raw(api_key=key) == raw
    settings.SKYVERN_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    assert api_key_raw(api_key=key) is None


@pytest.mark.django_db
def test_create_api_key_prints_the_raw_key_alone_on_its_last_line(capsys):
    call_command("create_api_key", "--org", "Acme", "--name", "script")
    raw = capsys.readouterr().out.strip().splitlines()[-1]
    key = api_key_authenticate(raw=raw)
    assert key is not None and key.organization.name == "Acme" and key.name == "script"


@pytest.mark.django_db
def test_create_user_puts_the_user_in_the_organization_and_is_safe_to_repeat(capsys):
    from django.contrib.auth import get_user_model

    for _ in range(2):
        call_command(
            "create_user", "--org", "Acme", "--username", "ann", "--password", "pw-1234567", "--admin"
        )
    user = get_user_model().objects.get(username="ann")
    assert user.membership.organization.name == "Acme"
    assert user.is_superuser and user.check_password("pw-1234567")
