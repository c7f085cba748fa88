"""The private-address guard shared by the browser and the Django host."""

from __future__ import annotations

import pytest

from agent.netguard import check_url, is_private_host


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
