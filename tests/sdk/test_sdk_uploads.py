"""Uploading a file for runs to use: the official SDK's `upload_file` (skyvern==1.0.56) and the legacy
multipart form, against a live server; the links open the file for a browser (signed) or the owner's key."""

from urllib.parse import urlsplit

import pytest

from runs.services import api_key_create
from tests.sdk.test_official_sdk import _no_worker, client, http, org_and_key, sdk  # noqa: F401 (fixtures)
from tests.support.factories import OrganizationFactory

pytestmark = pytest.mark.django_db(transaction=True)
CSV = "name,email\nAda,ada@example.com\n"


@pytest.fixture(autouse=True)
def _storage(artifact_storage):
    """Uploads go to a temporary folder."""


def _local(live_server, url: str) -> str:
    """The same path and query on the live server (PUBLIC_BASE_URL may name another host)."""
    parts = urlsplit(url)
    return f"{live_server.url}{parts.path}?{parts.query}" if parts.query else live_server.url + parts.path


def test_the_sdk_uploads_a_file_and_its_links_open_it(client, http, live_server, org_and_key):  # noqa: F811
    uploaded = client.upload_file(file=CSV)

    signed = http.get(_local(live_server, uploaded.presigned_url))  # no key: a browser or a run
    assert signed.status_code == 200 and signed.text == CSV
    assert signed.headers["Content-Disposition"].startswith("attachment")
    plain = _local(live_server, uploaded.s3uri)
    assert http.get(plain).status_code == 403
    assert http.get(plain, headers={"x-api-key": org_and_key[1]}).text == CSV
    stranger = api_key_create(organization=OrganizationFactory())[1]
    assert http.get(plain, headers={"x-api-key": stranger}).status_code == 404
    assert http.get(plain + "?sig=forged").status_code == 403


def test_the_legacy_form_takes_a_file_part_and_keeps_its_name_safe(http, live_server, org_and_key):  # noqa: F811
    key = {"x-api-key": org_and_key[1]}
    answer = http.post(
        f"{live_server.url}/api/v1/upload_file",
        files={"file": ("../../etc/my report.csv", CSV.encode(), "text/csv")},
        headers=key,
    )
    assert answer.status_code == 200, answer.text
    link = answer.json()["presigned_url"]
    assert urlsplit(link).path.endswith("/my_report.csv")
    assert http.get(_local(live_server, link)).text == CSV


def test_a_request_without_a_file_says_what_is_wrong(http, live_server, org_and_key):  # noqa: F811
    url, key = f"{live_server.url}/v1/upload_file", {"x-api-key": org_and_key[1]}
    empty = http.post(url, data={"other": "x"}, files={"nothing": ("a", b"")}, headers=key)
    assert empty.status_code == 422
    assert empty.json()["detail"][0]["loc"] == ["body", "file"]
    as_json = http.post(url, json={"file": CSV}, headers=key)
    assert as_json.status_code == 415 and "multipart/form-data" in as_json.json()["detail"]
    assert http.post(url, files={"file": ("a.csv", b"x")}).status_code == 403  # no key
