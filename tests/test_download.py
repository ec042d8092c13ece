"""Where a download may go: the origin as configured, allowed hosts at public addresses only."""

from __future__ import annotations

import ipaddress

import pytest

from sitegen.download import Policy, Refused, _public


@pytest.mark.parametrize("address, public", [
    ("8.8.8.8", True), ("127.0.0.1", False), ("10.1.2.3", False), ("192.168.1.1", False),
    ("169.254.169.254", False), ("100.64.0.1", False), ("0.0.0.0", False), ("::1", False),
    ("fe80::1", False), ("fc00::1", False), ("::ffff:127.0.0.1", False), ("::ffff:8.8.8.8", True),
    ("64:ff9b::7f00:1", False), ("2002:7f00:1::", False), ("2001:4860:4860::8888", True),
])
def test_only_public_addresses_count_as_public(address, public):
    assert _public(ipaddress.ip_address(address)) is public


def test_the_origin_is_allowed_as_configured_and_nothing_else_is_without_the_allow_list():
    policy = Policy("http://127.0.0.1:8000")
    assert policy.address("http://127.0.0.1:8000/a.png") is None  # the user named it
    for url in ("http://127.0.0.1:8001/a.png", "https://127.0.0.1:8000/a.png", "http://localhost:8000/",
                "file:///etc/passwd", "ftp://127.0.0.1:8000/x", "http://[::1]:8000/"):
        with pytest.raises(Refused):
            policy.address(url)


def test_an_allowed_host_is_refused_when_it_resolves_to_a_private_address():
    policy = Policy("https://www.miit.gov.cn", ("localhost", "*.example.gov.cn"))
    assert policy.allows("https://cdn.example.gov.cn/a.png") and not policy.allows("https://example.org/")
    with pytest.raises(Refused, match="localhost resolves to a non-public address"):
        policy.address("http://localhost:9/a.png")


def test_an_upgrade_to_https_on_the_origin_host_is_the_origin():
    policy = Policy("http://www.miit.gov.cn")
    assert policy.address("https://www.miit.gov.cn/a.png") is None
    with pytest.raises(Refused):
        Policy("https://www.miit.gov.cn").address("http://www.miit.gov.cn/a.png")
