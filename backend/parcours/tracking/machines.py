"""Opens and clicks that are not people: mail privacy proxies fetch every image of a message as
it arrives (Apple Mail Privacy Protection, Gmail's and Yahoo's image proxies, Outlook's
prefetch), and security scanners follow every link before the recipient sees it. They are
flagged when recorded (`machine: true` on the interaction) so that reports show the human figures
apart. Pure: the request's user agent and address, and when the message was sent."""

from __future__ import annotations

import ipaddress
from datetime import datetime

# Opens or clicks this soon after sending come from a proxy or a scanner, not from a reader.
TOO_SOON_SECONDS = 5.0

# User agents of image proxies and prefetchers (lowercase substrings).
PROXY_AGENTS = ("googleimageproxy", "yahoomailproxy", "ms-office", "microsoft office", "outlook-ios-prefetch")
# Apple's proxy announces a bare "Mozilla/5.0" from Apple's own network.
APPLE_NETWORK = ipaddress.ip_network("17.0.0.0/8")
BARE_AGENT = "mozilla/5.0"
# User agents of link scanners and robots (lowercase substrings).
SCANNER_AGENTS = (
    "barracuda",
    "mimecast",
    "proofpoint",
    "symantec",
    "forcepoint",
    "trendmicro",
    "sophos",
    "fireeye",
    "safelinks",
    "bot",
    "crawler",
    "spider",
    "curl/",
    "python-requests",
    "wget/",
    "go-http-client",
)


def _seconds_after(sent_at: datetime | None, now: datetime) -> float | None:
    return None if sent_at is None else (now - sent_at).total_seconds()


def _from_apple(address: str | None) -> bool:
    try:
        return address is not None and ipaddress.ip_address(address) in APPLE_NETWORK
    except ValueError:
        return False


def machine_open(user_agent: str | None, address: str | None, sent_at: datetime | None, now: datetime) -> bool:
    """An open by a privacy proxy or a prefetcher rather than by the reader."""
    agent = (user_agent or "").strip().lower()
    if any(name in agent for name in PROXY_AGENTS) or any(name in agent for name in SCANNER_AGENTS):
        return True
    if agent == BARE_AGENT and _from_apple(address):
        return True
    after = _seconds_after(sent_at, now)
    return after is not None and after < TOO_SOON_SECONDS


def scanner_click(
    user_agent: str | None,
    sent_at: datetime | None,
    now: datetime,
    first_click_at: datetime | None = None,
    same_link: bool = True,
) -> bool:
    """A click by a security scanner: a known agent, too soon after sending, or another link of
    the message clicked within the same second as its first click (a scanner follows them all)."""
    agent = (user_agent or "").strip().lower()
    if any(name in agent for name in SCANNER_AGENTS):
        return True
    after = _seconds_after(sent_at, now)
    if after is not None and after < TOO_SOON_SECONDS:
        return True
    return first_click_at is not None and not same_link and abs((now - first_click_at).total_seconds()) < 1.0
