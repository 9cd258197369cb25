"""A journey's conditions ask what the contact did in its run: opened or clicked the email of one of
its steps, clicked one of that email's links, registered to or attended an event."""

from __future__ import annotations

import re
from typing import Any

from tests.factories import OPTED_IN, SENDER, attend, chain, email, event, journey, outbox_of, published, unique_type
from tests.scenarios.harness import Scenario

LINKED = (
    "<mjml><mj-body><mj-section><mj-column><mj-text>Hi {{ contact.first_name }}</mj-text>"
    '<mj-button href="https://shop.example.fr/offre">Voir l\'offre</mj-button>'
    '<mj-button href="https://shop.example.fr/blog">Lire le blog</mj-button>'
    "</mj-column></mj-section></mj-body></mjml>"
)


def _branching(kind: str, offer: int, rule: str, yes: int, no: int) -> dict[str, Any]:
    """Entry, the offer, a day's wait, then a condition sends one email or the other."""
    return chain(
        ("start", "entry.interaction", {"type": kind}),
        ("offer", "action.email", {"email_id": offer}),
        ("pause", "flow.wait", {"duration": "P1D"}),
        ("check", "flow.condition", {"rule": rule}),
        ("yes", "action.email", {"email_id": yes}),
        ("no", "action.email", {"email_id": no}),
        edges=[
            ("start", "offer", None),
            ("offer", "pause", None),
            ("pause", "check", None),
            ("check", "yes", "yes"),
            ("check", "no", "no"),
        ],
    )


def _html(scenario: Scenario, email_id: int, contact_id: int) -> str:
    message = next(m for m in outbox_of(scenario.api, email_id) if m["contact_id"] == contact_id)
    return str(scenario.api.get(f"/api/outbox/{message['id']}").json()["html"])


def _recipients(scenario: Scenario, email_id: int) -> list[int]:
    return sorted(m["contact_id"] for m in outbox_of(scenario.api, email_id))


def test_who_opened_the_steps_email_goes_down_yes_the_others_down_no(scenario: Scenario, make_contact: Any) -> None:
    api = scenario.api
    offer, thanks, again = email(api, "Our offer"), email(api, "Thanks for reading"), email(api, "Our offer, again")
    kind = unique_type("trial_started")
    made = journey(api, _branching(kind, offer, '"offer" in opened_steps', thanks, again))
    published(api, made["id"])
    reader, busy = make_contact(**OPTED_IN), make_contact(**OPTED_IN)
    # An open of another email (a campaign's) is not an open of the step's email.
    elsewhere = email(api, "Newsletter")
    scenario.submit({"contact_id": reader["id"], "type": kind}, {"contact_id": busy["id"], "type": kind})
    assert _recipients(scenario, offer) == sorted([reader["id"], busy["id"]])
    api.post(f"/api/emails/{elsewhere}/test-send", json={"to": busy["email"], "contact_id": busy["id"]})
    scenario.settle()

    pixel = re.search(r'src="http://[^/]+(/t/o/[^"]+)"', _html(scenario, offer, reader["id"])).group(1)
    assert api.get(pixel).status_code == 200
    scenario.settle()
    scenario.advance("P1D")

    assert _recipients(scenario, thanks) == [reader["id"]]
    assert _recipients(scenario, again) == [busy["id"]]


def test_a_click_on_one_link_of_the_steps_email_and_an_attended_event(scenario: Scenario, make_contact: Any) -> None:
    api = scenario.api
    created = api.post("/api/emails", json={"name": "Offer", "subject": "Offer", **SENDER, "mjml": LINKED})
    offer = created.json()["id"]
    shopper, reader = make_contact(**OPTED_IN), make_contact(**OPTED_IN)
    webinar = event(api)
    attend(api, webinar["id"], shopper["id"])
    kind = unique_type("visited_pricing")
    rule = f'"offer https://shop.example.fr/offre" in clicked_links and {webinar["id"]} in attended_events'
    welcome, other = email(api, "Welcome to the shop"), email(api, "Something else")
    made = journey(api, _branching(kind, offer, rule, welcome, other))
    published(api, made["id"])
    scenario.submit({"contact_id": shopper["id"], "type": kind}, {"contact_id": reader["id"], "type": kind})

    def click(contact_id: int, url: str) -> None:
        links = re.findall(r'href="http://[^/]+(/t/c/[^"]+)"', _html(scenario, offer, contact_id))
        found = [link for link in links if api.get(link, follow_redirects=False).headers.get("location") == url]
        assert found, links

    click(shopper["id"], "https://shop.example.fr/offre")
    click(reader["id"], "https://shop.example.fr/blog")
    scenario.settle()
    scenario.advance("P1D")

    assert _recipients(scenario, welcome) == [shopper["id"]]
    assert _recipients(scenario, other) == [reader["id"]]
