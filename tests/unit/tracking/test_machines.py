from datetime import UTC, datetime, timedelta

import pytest

from parcours.tracking.machines import machine_open, scanner_click

SENT = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
LATER = SENT + timedelta(hours=2)
CHROME = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36"
IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148"


@pytest.mark.parametrize(
    ("agent", "address"),
    [
        ("Mozilla/5.0", "17.58.101.4"),  # Apple Mail Privacy Protection
        ("Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)", "66.249.1.1"),
        ("YahooMailProxy; https://help.yahoo.com/kb/yahoo-mail-proxy-SLN28749.html", "98.136.1.1"),
        ("Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.5) ms-office", "40.1.1.1"),
        ("Barracuda Sentinel (EE)", "64.235.1.1"),
    ],
)
def test_proxies_and_scanners_open_as_machines(agent: str, address: str) -> None:
    assert machine_open(agent, address, SENT, LATER)


@pytest.mark.parametrize(
    ("agent", "address"), [(CHROME, "82.64.1.2"), (IPHONE, "17.58.101.4"), ("Mozilla/5.0", "82.64.1.2")]
)
def test_readers_open_as_people(agent: str, address: str) -> None:
    assert not machine_open(agent, address, SENT, LATER)


def test_an_open_within_seconds_of_sending_is_a_machine() -> None:
    assert machine_open(CHROME, "82.64.1.2", SENT, SENT + timedelta(seconds=2))
    assert not machine_open(CHROME, "82.64.1.2", SENT, SENT + timedelta(seconds=30))
    assert not machine_open(CHROME, None, None, LATER)  # a message without a send time: judged on its agent
    assert not machine_open(CHROME, "not an address", SENT, LATER)


@pytest.mark.parametrize(
    "agent", ["Mimecast URL protection", "Proofpoint URL Defense", "Mozilla/5.0 (compatible; bingbot/2.0)", "curl/8.1"]
)
def test_scanner_agents_click_as_machines(agent: str) -> None:
    assert scanner_click(agent, SENT, LATER)


def test_clicks_too_soon_or_on_every_link_at_once_are_scanners() -> None:
    assert scanner_click(CHROME, SENT, SENT + timedelta(seconds=1))
    assert not scanner_click(CHROME, SENT, LATER)
    # Another link within the second of the first click: a scanner following them all.
    assert scanner_click(CHROME, SENT, LATER, first_click_at=LATER - timedelta(milliseconds=300), same_link=False)
    # The same link twice (a double click), or another link later: a person.
    assert not scanner_click(CHROME, SENT, LATER, first_click_at=LATER - timedelta(milliseconds=300), same_link=True)
    assert not scanner_click(CHROME, SENT, LATER, first_click_at=LATER - timedelta(seconds=20), same_link=False)
