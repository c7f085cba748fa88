"""The private-address guard shared by the browser and the Django host."""

from __future__ import annotations

import pytest

from agent.netguard import UrlRefused, check_url, is_private_host, pinned, vet_url


@pytest.mark.parametrize(
    "host",
    ["127.0.0.1", "10.1.2.3", "192.168.0.7", "172.16.5.4", "169.254.169.254", "::1", "[fd00:ec2::254]",
     "0.0.0.0", "100.64.0.1", "::ffff:127.0.0.1", "localhost", "LOCALHOST.", "metadata.google.internal"],
)  # fmt: skip
def test_it_refuses_private_loopback_link_local_and_metadata_hosts(host):
    assert is_private_host(host, allow=[])


@pytest.mark.parametrize("host", ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111"])
def test_it_allows_public_ip_literals_without_dns(host, monkeypatch):
    monkeypatch.setattr("socket.getaddrinfo", lambda *a, **k: pytest.fail("DNS used for a literal"))

    assert not is_private_host(host, allow=[])


def test_it_allows_hosts_named_in_the_allow_list():
    assert not is_private_host("127.0.0.1", allow=["127.0.0.1"])
    assert not is_private_host("localhost", allow=["LocalHost"])


def test_it_allows_addresses_inside_an_allowed_cidr():
    assert not is_private_host("10.20.30.40", allow=["10.0.0.0/8"])
    assert is_private_host("192.168.1.1", allow=["10.0.0.0/8"])


def test_it_refuses_a_name_when_any_address_it_resolves_to_is_private(monkeypatch):
    answers = [(2, 1, 6, "", ("93.184.216.34", 0)), (2, 1, 6, "", ("10.0.0.5", 0))]
    monkeypatch.setattr("socket.getaddrinfo", lambda *a, **k: answers)

    assert is_private_host("rebind.example", allow=[])


def test_it_treats_unresolvable_names_as_not_private(monkeypatch):
    import socket

    def fail(*args, **kwargs):
        raise socket.gaierror("no such host")

    monkeypatch.setattr("socket.getaddrinfo", fail)

    assert not is_private_host("nowhere.invalid", allow=[])


def test_check_url_says_why_a_url_is_refused():
    assert "169.254.169.254" in check_url("http://169.254.169.254/latest/meta-data/", allow=[])
    assert "file" in check_url("file:///etc/passwd", allow=[])
    assert check_url("https://93.184.216.34/x", allow=[]) is None
    assert check_url("http://127.0.0.1:8000/", allow=["127.0.0.1"]) is None
    assert check_url("data:text/html,hi", allow=[]) is None


@pytest.mark.parametrize(
    "url",
    ["http://%31%32%37.0.0.1:8299/", "http://127%2E0%2E0%2E1/", "http://127.0.0.1:8299\\@1.1.1.1/",
     "http://2130706433/", "http://0x7f.1/", "http://127.1/", "http://exa mple.com/"],
)  # fmt: skip
def test_it_refuses_urls_whose_host_parsers_read_differently(url):
    assert check_url(url, allow=["1.1.1.1"]) is not None


@pytest.mark.parametrize(
    "host",
    ["64:ff9b::7f00:1", "64:ff9b::a00:1", "2002:7f00:1::", "2002:c0a8:101::1", "::127.0.0.1", "::a00:1",
     "64:ff9b:1::1", "::ffff:169.254.169.254"],
)  # fmt: skip
def test_it_refuses_ipv6_forms_of_private_ipv4(host):
    assert is_private_host(host, allow=[])


def test_localhost_subdomains_are_loopback_without_asking_dns(monkeypatch):
    monkeypatch.setattr(
        "socket.getaddrinfo", lambda *a, **k: pytest.fail("DNS asked about a .localhost name")
    )

    assert "foo.localhost" in check_url("http://foo.localhost:8000/", allow=[])
    assert check_url("http://foo.localhost:8000/", allow=["127.0.0.1:8000"]) is None
    assert check_url("http://foo.localhost:8001/", allow=["127.0.0.1:8000"]) is not None


def test_an_allow_list_entry_can_name_a_port():
    allow = ["127.0.0.1:8000", "localhost:9000", "[::1]:7000"]

    assert check_url("http://127.0.0.1:8000/", allow) is None
    assert check_url("http://127.0.0.1:6379/", allow) is not None
    assert check_url("http://localhost:9000/", allow) is None
    assert check_url("ws://localhost:9001/", allow) is not None
    assert check_url("http://[::1]:7000/", allow) is None
    assert check_url("http://[::1]:7001/", allow) is not None


def test_vet_url_returns_the_checked_address_to_connect_to(monkeypatch):
    answers = [(2, 1, 6, "", ("93.184.216.34", 0))]
    monkeypatch.setattr("socket.getaddrinfo", lambda *a, **k: answers)

    target, address = vet_url("https://user:pw@Example.com./hook?x=1")
    url, headers, extensions = pinned(target, address)

    assert url == "https://user:pw@93.184.216.34/hook?x=1"
    assert headers == {"Host": "example.com"} and extensions == {"sni_hostname": "example.com"}


def test_vet_url_refuses_a_name_that_does_not_resolve(monkeypatch):
    import socket

    def fail(*args, **kwargs):
        raise socket.gaierror("no such host")

    monkeypatch.setattr("socket.getaddrinfo", fail)

    with pytest.raises(UrlRefused, match="does not resolve"):
        vet_url("https://nowhere.invalid/")
