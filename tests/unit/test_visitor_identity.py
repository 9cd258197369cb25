"""The merge rules of website visitors, and what a beacon keeps of a page."""

from __future__ import annotations

import pytest

from parcours.errors import InvalidInput
from parcours.visitors import beacon
from parcours.visitors.identity import Decision, decide, still_checked
from parcours.visitors.schemas import EventIn


@pytest.mark.parametrize(
    ("linked_to", "checked", "contact", "source", "expected", "checked_after"),
    [
        (None, False, 1, "form", Decision.ATTACH, False),  # an anonymous visitor joins the contact
        (None, False, 1, "email_click", Decision.ATTACH, True),
        (1, False, 1, "api", Decision.SAME, True),  # the same person, now proven
        (1, True, 1, "form", Decision.SAME, True),  # a weaker proof never lowers a checked link
        (1, False, 2, "form", Decision.REPOINT, False),  # a claim against a claim: the newest wins
        (1, True, 2, "api", Decision.REPOINT, True),  # the site's backend says B logged in
        (1, True, 2, "email_click", Decision.REPOINT, True),
        (1, True, 2, "form", Decision.KEEP, True),  # typing B's address takes nothing from A
        (1, False, 2, "form_confirmed", Decision.REPOINT, True),
    ],
)
def test_the_known_contact_survives_and_two_contacts_never_merge(
    linked_to: int | None, checked: bool, contact: int, source: str, expected: Decision, checked_after: bool
) -> None:
    decision = decide(linked_to, checked, contact, source)
    assert decision is expected
    assert still_checked(decision, checked, source) is checked_after


def test_an_unknown_source_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="unknown identification source"):
        decide(None, False, 1, "ip_address")


def test_a_page_view_keeps_its_utm_and_drops_the_contact_token() -> None:
    event = EventIn(
        type="page_visited",
        url="https://shop.example.fr/offre?utm_source=news&pc=abc.def&x=1#top",
        title="Offre",
        referrer="https://shop.example.fr/?pc=zzz",
        properties={"url": "forged", "plan": "pro"},
    )
    rows, token = beacon.checked_events([event], "a" * 32)
    kind, props = rows[0]
    assert kind == "page_visited" and token == "abc.def"
    assert props["url"] == "https://shop.example.fr/offre?utm_source=news&x=1#top"  # ours win over the site's
    assert props["path"] == "/offre" and props["utm_source"] == "news" and props["plan"] == "pro"
    assert props["referrer"] == "https://shop.example.fr/" and props["anonymous_id"] == "a" * 32


@pytest.mark.parametrize(
    ("kind", "url", "field"),
    [
        ("purchase", "https://a.example/", "events[1].type"),
        ("email_clicked", "https://a.example/", "events[1].type"),
        ("form_submitted", "https://a.example/", "events[1].type"),
        ("added_to_cart", "javascript:alert(1)", "events[1].url"),
    ],
)
def test_a_website_cannot_claim_what_only_the_product_records(kind: str, url: str, field: str) -> None:
    good = EventIn(type="page_visited", url="https://a.example/")
    with pytest.raises(InvalidInput) as refused:
        beacon.checked_events([good, EventIn(type=kind, url=url)], "a" * 32)
    assert refused.value.field == field


def test_the_contact_token_is_signed_expires_and_only_goes_to_our_sites() -> None:
    from parcours.tracking.service import with_contact_token
    from parcours.tracking.tokens import CONTACT_TOKEN_SECONDS, contact_of, contact_token

    token = contact_token("secret", 5, 9, 1_000_000.0)
    assert contact_of("secret", token, 1_000_000.0 + 60) == 5
    assert contact_of("secret", token, 1_000_000.0 + CONTACT_TOKEN_SECONDS + 1) is None  # expired
    assert contact_of("other secret", token, 1_000_000.0) is None and contact_of("secret", token[:-2], 1e6) is None
    sites = ["https://shop.example.fr"]
    assert with_contact_token("https://shop.example.fr/a?b=1", "T", sites) == "https://shop.example.fr/a?b=1&pc=T"
    assert with_contact_token("https://SHOP.example.fr/", "T", sites) == "https://SHOP.example.fr/?pc=T"
    assert (
        with_contact_token("https://shop.example.fr.evil.example/", "T", sites)
        == "https://shop.example.fr.evil.example/"
    )
