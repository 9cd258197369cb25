"""Webhook addresses on this machine, a private network or another scheme are refused."""

from __future__ import annotations

import pytest

from parcours.channels.webhook import private_address


@pytest.mark.parametrize(
    "url",
    [
        "http://10.1.2.3/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]:8000/",
        "http://[::ffff:192.168.1.10]/",
        "http://localhost:6379/",
        "ftp://example.com/",
    ],
)
async def test_private_and_odd_addresses_are_refused(url: str) -> None:
    assert await private_address(url)


async def test_a_public_address_is_allowed() -> None:
    assert await private_address("https://93.184.216.34/hooks") is None
