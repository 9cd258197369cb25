"""Who the visitor is for the rate limits: the connecting address, or behind trusted proxies the
address the outermost one saw; IPv6 counted by /64."""

from __future__ import annotations

from typing import Any

import pytest
from litestar import Request

from parcours.guard.ratelimit import client_ip, ip_key


def request(peer: str, *forwarded: str) -> Request[Any, Any, Any]:
    headers = [(b"x-forwarded-for", value.encode()) for value in forwarded]
    scope: Any = {"type": "http", "method": "POST", "path": "/", "headers": headers, "client": (peer, 5000)}
    return Request(scope)


def test_the_forwarded_header_is_ignored_unless_proxies_are_trusted() -> None:
    assert client_ip(request("203.0.113.9", "1.2.3.4")) == "203.0.113.9"


@pytest.mark.parametrize(
    ("trusted", "forwarded", "expected"),
    [
        (1, ["6.6.6.6, 198.51.100.7"], "198.51.100.7"),  # what the client wrote on the left is not believed
        (1, ["6.6.6.6", "198.51.100.7"], "198.51.100.7"),  # one header per proxy
        (2, ["198.51.100.7, 10.0.0.2"], "198.51.100.7"),
        (2, ["10.0.0.2"], "10.0.0.1"),  # fewer hops than proxies: the connecting address
        (1, ["not-an-address"], "10.0.0.1"),
    ],
)
def test_behind_trusted_proxies(trusted: int, forwarded: list[str], expected: str) -> None:
    assert client_ip(request("10.0.0.1", *forwarded), trusted) == expected


def test_keys() -> None:
    assert ip_key("203.0.113.9") == "ip:203.0.113.9"
    assert ip_key("2001:db8:1:2:aaaa::1") == ip_key("2001:db8:1:2:ffff::9") == "ip:2001:db8:1:2::/64"
    assert ip_key("::ffff:203.0.113.9") == "ip:203.0.113.9"
    assert ip_key("unknown") == "ip:unknown"
