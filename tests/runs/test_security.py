"""Issue 16's findings, each reproduced through the real Django stack: sockets, admin, throttling, limits,
stored secrets and production settings."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import Permission
from django.test import Client

from runs.models import ApiKey, TaskRun
from runs.services import api_key_create, api_key_raw, api_key_revoke
from runs.services.keys import encryption_rotate, legacy_fernet, webhook_secret_set
from skyvern_site.asgi import application
from tests.support.factories import OrganizationFactory, TaskRunFactory, UserFactory

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


# --- sockets -------------------------------------------------------------------------------------


@sync_to_async
def _session_cookie_for(org) -> str:
    client = Client()
    client.force_login(UserFactory(organization=org))
    return client.cookies["sessionid"].value


def _socket(path: str, origin: str | None = None, cookie: str | None = None) -> WebsocketCommunicator:
    headers = [(b"origin", origin.encode())] if origin else []
    headers += [(b"cookie", f"sessionid={cookie}".encode())] if cookie else []
    return WebsocketCommunicator(application, path, headers=headers)


async def _close_code(socket: WebsocketCommunicator) -> int:
    message = await socket.receive_output(timeout=3)
    assert message["type"] == "websocket.close"
    return message["code"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("in_memory_channel_layer")
class TestSockets:
    async def test_a_page_on_another_site_cannot_open_a_socket_with_the_visitors_session(self, org):
        cookie = await _session_cookie_for(org)

        evil, _ = await _socket("/ws/runs/", origin="https://evil.example", cookie=cookie).connect()
        same = _socket("/ws/runs/", origin="http://127.0.0.1:8000", cookie=cookie)
        ours, _ = await same.connect()

        assert not evil and ours
        await same.disconnect()

    async def test_a_socket_opened_with_a_key_is_closed_when_the_key_is_revoked(self, api_key):
        key, raw = api_key
        socket = _socket(f"/ws/runs/?apikey={raw}")
        connected, _ = await socket.connect()
        assert connected

        await sync_to_async(api_key_revoke)(api_key=key)

        assert await _close_code(socket) == 4403

    async def test_an_unknown_socket_path_is_closed_not_a_server_error(self):
        socket = _socket("/ws/nothing/here")
        connected, _ = await socket.connect()

        assert connected and await _close_code(socket) == 4404

    async def test_too_many_wrong_keys_on_sockets_are_throttled(self, settings, api_key):
        settings.SKYVERN_KEY_FAILURE_LIMIT = "2 per minute"
        _, raw = api_key
        codes = []
        for key in ("sk_wrong1", "sk_wrong2", raw):
            socket = _socket(f"/ws/runs/?apikey={key}")
            await socket.connect()
            codes.append(await _close_code(socket))

        assert codes == [4403, 4403, 4429]


# --- admin ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_staff_user_without_permissions_sees_no_run_in_the_admin(org):
    TaskRunFactory(organization=org, title="theirs")
    staff = UserFactory(organization=OrganizationFactory(), is_staff=True)
    client = Client()
    client.force_login(staff)

    assert client.get("/admin/runs/taskrun/").status_code == 403
    assert "theirs" not in client.get("/admin/").content.decode()


@pytest.mark.django_db
def test_staff_with_the_view_permission_see_only_their_organizations_runs(org):
    own_org = OrganizationFactory()
    TaskRunFactory(organization=org, title="other org's run")
    own = TaskRunFactory(organization=own_org, title="our run")
    staff = UserFactory(organization=own_org, is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_taskrun"))
    client = Client()
    client.force_login(staff)

    listing = client.get("/admin/runs/taskrun/").content.decode()
    other = TaskRun.objects.exclude(pk=own.pk).get()

    assert "our run" in listing and "other org" not in listing and org.name not in listing
    assert client.get(f"/admin/runs/taskrun/{other.pk}/change/").status_code == 302  # "does not exist"
    assert client.post(f"/admin/runs/taskrun/{own.pk}/change/", {}).status_code == 403


@pytest.mark.django_db
def test_staff_manage_keys_and_users_of_their_own_organization_only(org, api_key):
    own_org = OrganizationFactory()
    own_key, _ = api_key_create(organization=own_org, name="ours")
    staff = UserFactory(organization=own_org, is_staff=True)
    codenames = ["view_apikey", "add_apikey", "view_user", "change_user"]
    staff.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    other_user = UserFactory(organization=org)
    client = Client()
    client.force_login(staff)

    keys = client.get("/admin/runs/apikey/").content.decode()
    add_form = client.get("/admin/runs/apikey/add/").content.decode()
    own_user_page = client.get(f"/admin/auth/user/{staff.pk}/change/")

    assert own_key.prefix in keys and api_key[0].prefix not in keys
    assert own_org.name in add_form and org.name not in add_form
    assert own_user_page.status_code == 200 and org.name not in own_user_page.content.decode()
    assert client.get(f"/admin/auth/user/{other_user.pk}/change/").status_code == 302  # "does not exist"


# --- throttling ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_wrong_api_keys_are_throttled_with_retry_after_even_for_a_right_key_then(settings, api_key):
    settings.SKYVERN_KEY_FAILURE_LIMIT = "3 per minute"
    _, raw = api_key
    statuses = [Client().get("/v1/runs", headers={"x-api-key": f"sk_wrong{n}"}).status_code for n in range(3)]
    throttled = Client().get("/v1/runs", headers={"x-api-key": raw})

    assert statuses == [403, 403, 403]
    assert throttled.status_code == 429
    assert 0 < int(throttled["Retry-After"]) <= 60
    assert "try again" in throttled.json()["detail"]
    other_client = Client(REMOTE_ADDR="10.9.8.7").get("/v1/runs", headers={"x-api-key": raw})
    assert other_client.status_code == 200


@pytest.mark.slow  # password hashing, five times
@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/accounts/login/", "/admin/login/"])
def test_failed_logins_are_throttled_with_retry_after(settings, path):
    settings.SKYVERN_LOGIN_FAILURE_LIMIT = "3 per 5 minutes"
    UserFactory(username="ada", is_staff=True)
    client = Client()
    answers = [client.post(path, {"username": "ada", "password": f"wrong{n}"}) for n in range(4)]
    right = client.post(path, {"username": "ada", "password": "pw-secret-123"})

    assert [answer.status_code for answer in answers] == [200, 200, 200, 429]
    assert right.status_code == 429
    assert 0 < int(right["Retry-After"]) <= 300


# --- limits and malformed input ------------------------------------------------------------------


@pytest.fixture
def key_client(api_key, no_worker) -> Client:
    return Client(headers={"x-api-key": api_key[1]})


def _post(client: Client, body: str) -> dict:
    response = client.post("/v1/run/tasks", body, content_type="application/json")
    return {"status": response.status_code, "detail": response.json()["detail"]}


@pytest.mark.django_db
def test_a_body_over_the_limit_is_a_413_with_a_detail(key_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100_000
    answer = _post(key_client, json.dumps({"prompt": "x" * 150_000}))

    assert answer == {"status": 413, "detail": "The request body is larger than 100000 bytes"}


@pytest.mark.django_db
@pytest.mark.parametrize("text", ['"\\ud800 lone"', '"tail \\udfff"', '"nul \\u0000 byte"'])
def test_lone_surrogates_and_nul_characters_in_json_are_a_400(key_client, text):
    answer = _post(key_client, '{"prompt": ' + text + ', "url": "https://example.com"}')

    assert answer["status"] == 400


@pytest.mark.django_db
def test_a_prompt_or_json_field_over_its_limit_is_a_422_naming_it(key_client, settings):
    settings.SKYVERN_MAX_PROMPT_CHARS = 1_000
    settings.SKYVERN_MAX_JSON_FIELD_BYTES = 2_000
    long_prompt = _post(key_client, json.dumps({"prompt": "p" * 1_001}))
    big_schema = _post(key_client, json.dumps({"prompt": "ok", "data_extraction_schema": {"d": "s" * 3_000}}))

    assert long_prompt["status"] == 422 and long_prompt["detail"][0]["loc"] == ["body", "prompt"]
    assert big_schema["status"] == 422 and big_schema["detail"][0]["loc"][-1] == "data_extraction_schema"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/runs?search=%00",
        "/runs?status=a%00",
        "/runs/tsk_%00",
        "/runs/tsk_1%00/fragments/row",
    ],
)
def test_nul_bytes_in_dashboard_urls_are_a_400(key_client, org, path):
    key_client.force_login(UserFactory(organization=org))

    assert key_client.get(path).status_code == 400


@pytest.mark.django_db
def test_a_page_of_runs_is_bounded_in_bytes(key_client, org, settings):
    settings.SKYVERN_LIST_PAGE_BYTES = 200_000
    for _ in range(10):
        TaskRunFactory(organization=org, request={"prompt": "p" * 100_000}, output={"text": "o" * 100_000})

    response = key_client.get("/v1/runs", {"page_size": 10})
    items = response.json()

    assert response.status_code == 200 and len(items) == 10
    assert len(response.content) < 250_000
    assert all(item["truncated"] and item["run_request"]["prompt"].endswith("…[truncated]") for item in items)
    whole = key_client.get(f"/v1/runs/{items[0]['run_id']}").json()
    assert len(whole["run_request"]["prompt"]) == 100_000


@pytest.mark.django_db
@pytest.mark.parametrize(
    "field, value",
    [("webhook_url", "http://%31%32%37.0.0.1:8299/"), ("totp_url", "http://127.0.0.1:8299\\@1.1.1.1/"),
     ("browser_address", "http://[64:ff9b::7f00:1]:9222"), ("webhook_url", "http://2130706433/"),
     ("url", "http://foo.localhost:8299/")],
)  # fmt: skip
def test_tricky_spellings_of_internal_addresses_are_refused_at_the_door(key_client, field, value):
    body = {"prompt": "go", "url": "https://example.com", field: value}
    answer = _post(key_client, json.dumps(body))

    assert answer["status"] == 400 and field in answer["detail"]


# --- stored secrets ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_key_copies_do_not_depend_on_secret_key_and_rotate_to_a_new_key(settings, org):
    _, raw = api_key_create(organization=org)
    settings.SECRET_KEY = "another-secret-key-entirely-" * 3
    key = ApiKey.objects.get(organization=org)
    assert api_key_raw(api_key=key) == raw

    from cryptography.fernet import Fernet

    settings.SKYVERN_ENCRYPTION_KEYS = [Fernet.generate_key().decode(), *settings.SKYVERN_ENCRYPTION_KEYS]
    assert encryption_rotate() == (1, 0)
    settings.SKYVERN_ENCRYPTION_KEYS = settings.SKYVERN_ENCRYPTION_KEYS[:1]
    assert api_key_raw(api_key=ApiKey.objects.get(pk=key.pk)) == raw


@pytest.mark.django_db
def test_copies_made_by_the_old_secret_key_scheme_are_re_encrypted(org):
    key, raw = api_key_create(organization=org)
    ApiKey.objects.filter(pk=key.pk).update(key_encrypted=legacy_fernet().encrypt(raw.encode()).decode())
    assert api_key_raw(api_key=ApiKey.objects.get(pk=key.pk)) is None

    assert encryption_rotate() == (1, 0)
    assert api_key_raw(api_key=ApiKey.objects.get(pk=key.pk)) == raw


@pytest.mark.django_db
def test_an_organizations_webhook_secret_signs_instead_of_the_key(org, api_key):
    from runs.execution.signing import signing_key_for

    run = TaskRunFactory(organization=org, api_key=api_key[0])
    assert signing_key_for(run) == api_key[1]

    secret = webhook_secret_set(organization=org)
    run.organization.refresh_from_db()

    assert secret.startswith("whsec_") and signing_key_for(run) == secret
    assert secret not in org.__class__.objects.filter(pk=org.pk).values_list("webhook_secret_encrypted")[0][0]


# --- production settings -------------------------------------------------------------------------


@pytest.mark.slow
def test_check_deploy_is_clean_under_the_production_environment(tmp_path):
    env = {
        **os.environ,
        "DEBUG": "false",
        "HTTPS": "true",
        "SECURE_PROXY_SSL_HEADER": "X-Forwarded-Proto",
        "SECRET_KEY": "k" * 20 + "-production-secret-key-with-enough-entropy-0123456789",
        "ALLOWED_HOSTS": "skyvern.example.com",
        "SKYVERN_ENCRYPTION_KEY_FILE": str(tmp_path / "missing-on-purpose"),
        "SKYVERN_ENCRYPTION_KEYS": "ZmDfcTF7_60GrrY167zsiPd67pEvs0aGOv2oasOM1Pg=",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
