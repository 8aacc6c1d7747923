"""The client's IP: REMOTE_ADDR, unless it is a trusted proxy; then X-Forwarded-For read from
the right, past the trusted proxies."""

import pytest
from django.test import RequestFactory

from gccportal.client_ip import client_ip


def request_from(remote: str, forwarded: str | None = None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_without_a_trusted_proxy_the_header_is_ignored(settings):
    settings.TRUSTED_PROXY_IPS = []

    assert client_ip(request_from("192.0.2.10", "203.0.113.5")) == "192.0.2.10"
    assert client_ip(request_from("192.0.2.10")) == "192.0.2.10"


def test_the_header_of_an_address_that_is_not_a_trusted_proxy_is_ignored(settings):
    settings.TRUSTED_PROXY_IPS = ["10.0.0.1"]

    assert client_ip(request_from("192.0.2.10", "203.0.113.5")) == "192.0.2.10"


@pytest.mark.parametrize(
    ("trusted", "forwarded", "expected"),
    [
        # the proxy appends the address it saw
        (["10.0.0.1"], "203.0.113.5", "203.0.113.5"),
        # what the client wrote itself, left of it, proves nothing
        (["10.0.0.1"], "198.51.100.1, 203.0.113.5", "203.0.113.5"),
        # a chain of trusted proxies (a network) is skipped from the right
        (["10.0.0.0/8"], "198.51.100.1, 203.0.113.5, 10.2.3.4", "203.0.113.5"),
        # spaces and IPv6
        (["10.0.0.1"], "  2001:db8::7 ", "2001:db8::7"),
        # an IPv4 client seen as an IPv4-mapped IPv6 address is that IPv4 client
        (["10.0.0.1"], "::ffff:203.0.113.5", "203.0.113.5"),
        # no header, or garbage: the last address believed (the proxy)
        (["10.0.0.1"], "", "10.0.0.1"),
        (["10.0.0.1"], "unknown", "10.0.0.1"),
        (["10.0.0.0/8"], "203.0.113.5, not-an-ip, 10.2.3.4", "10.2.3.4"),
        # every hop trusted: the leftmost one
        (["10.0.0.0/8"], "10.9.9.9, 10.2.3.4", "10.9.9.9"),
    ],
)
def test_behind_a_trusted_proxy_the_nearest_untrusted_hop_is_the_client(
    settings, trusted, forwarded, expected
):
    settings.TRUSTED_PROXY_IPS = trusted

    assert client_ip(request_from("10.0.0.1", forwarded)) == expected


def test_an_ipv6_proxy_and_a_mapped_remote_address(settings):
    settings.TRUSTED_PROXY_IPS = ["fd00::/8", "10.0.0.1"]

    assert client_ip(request_from("fd00::1", "203.0.113.5")) == "203.0.113.5"
    assert client_ip(request_from("::ffff:10.0.0.1", "203.0.113.5")) == "203.0.113.5"
    assert client_ip(request_from("::ffff:192.0.2.10", "203.0.113.5")) == "192.0.2.10"


def test_a_remote_address_that_is_not_an_ip_is_returned_as_it_is(settings):
    settings.TRUSTED_PROXY_IPS = ["10.0.0.1"]

    assert client_ip(request_from("", "203.0.113.5")) == ""
