"""POST /v1/run/tasks: private-network refusals, proxies, and bodies that must never produce a 500."""

import json
import socket

import pytest

from runs.models import TaskRun
from tests.runs.api.conftest import post_task

pytestmark = pytest.mark.django_db

PRIVATE_URLS = [
    "http://127.0.0.1:8000/admin/",
    "http://localhost/",
    "http://10.1.2.3/",
    "http://192.168.0.1/",
    "http://[::1]/",
    "http://169.254.169.254/latest/meta-data/",
    "http://metadata.google.internal/computeMetadata/v1/",
    "http://0x7f000001/",
]


@pytest.mark.parametrize("field", ["url", "webhook_url", "totp_url"])
@pytest.mark.parametrize("url", PRIVATE_URLS)
def test_urls_pointing_inside_the_network_are_refused(client, field, url):
    response = post_task(client, {"prompt": "p", field: url})

    assert response.status_code == 400
    assert response.json()["detail"].startswith(f"{field} is not allowed:")
    assert not TaskRun.objects.exists()


def test_a_public_name_that_resolves_to_a_private_address_is_refused(client, monkeypatch):
    real = socket.getaddrinfo

    def fake_dns(host, *args, **kwargs):
        if host == "innocent.example":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.7", 0))]
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", fake_dns)

    response = post_task(client, {"prompt": "p", "url": "https://innocent.example/"})

    assert response.status_code == 400
    assert "innocent.example" in response.json()["detail"]


def test_hosts_on_the_allow_list_may_be_private(client, settings):
    settings.SKYVERN_ALLOW_PRIVATE_HOSTS = ["127.0.0.1", "10.0.0.0/8"]

    assert post_task(client, {"prompt": "p", "url": "http://127.0.0.1:8000/demo"}).status_code == 200
    assert post_task(client, {"prompt": "p", "webhook_url": "http://10.9.8.7/hook"}).status_code == 200
    assert post_task(client, {"prompt": "p", "url": "http://192.168.1.1/"}).status_code == 400


def test_a_private_cdp_browser_address_is_refused(client):
    response = post_task(client, {"prompt": "p", "browser_address": "ws://127.0.0.1:9222/devtools/browser/x"})

    assert response.status_code == 400


@pytest.mark.parametrize(
    "location",
    ["NONE", "RESIDENTIAL", "RESIDENTIAL_ISP", "US-CA", {"country": "US", "subdivision": "CA"},
     {"country": "US", "subdivision": "NY", "city": "New York"}],
)  # fmt: skip
def test_every_documented_proxy_location_is_accepted_and_echoed_as_sent(client, settings, location):
    settings.SKYVERN_PROXY_MAP = {}

    response = post_task(client, {"prompt": "p", "proxy_location": location})

    assert response.status_code == 200
    assert response.json()["run_request"]["proxy_location"] == location


def test_strict_mode_refuses_a_proxy_location_the_server_has_no_proxy_for(client, settings):
    settings.SKYVERN_PROXY_STRICT = True
    settings.SKYVERN_PROXY_MAP = {"RESIDENTIAL_GB": "http://u:p@proxy.example:8000"}

    assert post_task(client, {"prompt": "p", "proxy_location": "NONE"}).status_code == 200
    assert post_task(client, {"prompt": "p", "proxy_location": "RESIDENTIAL_GB"}).status_code == 200
    assert post_task(client, {"prompt": "p", "proxy_location": {"country": "gb"}}).status_code == 200
    response = post_task(client, {"prompt": "p", "proxy_location": {"country": "US", "city": "Boston"}})
    assert response.status_code == 400
    assert "SKYVERN_PROXY_MAP" in response.json()["detail"]


def test_a_proxy_url_is_accepted_and_kept(client):
    body = {"prompt": "p", "proxy_location": {"url": "http://user:pw@proxy.example:3128"}}

    assert post_task(client, body).json()["run_request"]["proxy_location"] == {
        "url": "http://user:pw@proxy.example:3128"
    }


def test_an_unknown_proxy_name_is_a_validation_error(client):
    assert post_task(client, {"prompt": "p", "proxy_location": "MARS"}).status_code == 422


STRANGE_BODIES = [
    "",
    "null",
    "[]",
    '"a string"',
    "12",
    "{",
    '{"prompt": "p", "max_steps": 1e400}',
    '{"prompt": "p", "max_steps": 99999999999999999999999999}',
    '{"prompt": "p", "max_screenshot_scrolls": -1}',
    '{"prompt": "p", "data_extraction_schema": {"type": "object", "default": NaN}}',
    '{"prompt": "p", "error_code_mapping": {"a": Infinity}}',
    '{"prompt": "p\\u0000"}',
    '{"prompt": "p", "title": "t\\u0000"}',
    '{"prompt": "p", "data_extraction_schema": {"\\u0000": {}}}',
    '{"prompt": "p", "url": "http://[::1"}',
    '{"prompt": "p", "url": "http://example.com:99999/"}',
    '{"prompt": "p", "url": "https://ex ample.com/"}',
    '{"prompt": "p", "url": "https://' + "a" * 300 + '.com/"}',
    '{"prompt": "p", "url": "https://a..b/"}',
    '{"prompt": "p", "webhook_url": 5}',
    '{"prompt": "p", "proxy_location": {"url": 5}}',
    '{"prompt": "p", "proxy_location": {"url": "socks5://"}}',
    '{"prompt": "p", "proxy_location": {}}',
    '{"prompt": "p", "extra_http_headers": {"": "x"}}',
    '{"prompt": "p", "extra_http_headers": {"a": ["x"]}}',
    '{"prompt": "p", "model": {"model_name": 5}}',
    '{"prompt": "p", "data_extraction_schema": "' + "[" * 5000 + '"}',
    "[" * 100_000,
    '{"prompt": "' + "x" * 100_000 + '"}',
    '{"prompt": "p", "engine": null, "url": null, "title": null, "proxy_location": null}',
]


@pytest.mark.parametrize("body", STRANGE_BODIES)
def test_no_body_of_any_shape_produces_a_server_error(client, body):
    response = client.post("/v1/run/tasks", body, content_type="application/json")

    assert response.status_code in (200, 400, 422), response.content[:300]
    payload = response.json()
    assert "run_id" in payload or "detail" in payload


def test_a_nan_in_the_extraction_schema_is_refused_with_its_path(client):
    body = '{"prompt": "p", "data_extraction_schema": {"type": "object", "default": NaN}}'

    response = client.post("/v1/run/tasks", body, content_type="application/json")

    assert response.status_code == 400
    assert response.json()["detail"] == "data_extraction_schema.default must be a finite number"


def test_a_form_encoded_body_is_refused_without_a_server_error(client):
    response = client.post("/v1/run/tasks", {"prompt": "p"})

    assert response.status_code in (400, 422)
    assert json.loads(response.content)["detail"]
