"""Page visits from the tracking script drive journeys and scores: a journey starts on a visit to
the pricing page (a filter on the visit's URL), waits for a form, and reminds those who sent none."""

from __future__ import annotations

import secrets
from typing import Any

from tests.factories import OPTED_IN, chain, email, journey, outbox_of, published, runs
from tests.scenarios.harness import Scenario

SITE = "https://www.example.com"


def visit(scenario: Scenario, anonymous_id: str, path: str) -> None:
    sent = scenario.api.post(
        "/t/collect", json={"anonymous_id": anonymous_id, "events": [{"type": "page_visited", "url": SITE + path}]}
    )
    assert sent.status_code == 202, sent.text
    scenario.settle()


def test_a_pricing_visit_starts_a_journey_that_waits_for_a_form(scenario: Scenario, make_contact: Any) -> None:
    api = scenario.api
    thanks, reminder = email(api, "Thanks for asking"), email(api, "Any question?")
    made = journey(
        api,
        chain(
            ("visit", "entry.interaction", {"type": "page_visited", "filter": 'url =~~ "pricing"'}),
            ("form", "flow.wait_for", {"type": "form_submitted", "timeout": "P2D"}),
            ("thank", "action.email", {"email_id": thanks}),
            ("remind", "action.email", {"email_id": reminder}),
            edges=[("visit", "form", None), ("form", "thank", "happened"), ("form", "remind", "timeout")],
        ),
    )
    published(api, made["id"])
    bad = journey(api, chain(("visit", "entry.interaction", {"type": "page_visited", "filter": "url =~~"})))
    refused = api.post(f"/api/journeys/{bad['id']}/publish", json={})
    assert refused.status_code in (400, 422) and "filter" in refused.text, refused.text

    key = api.new_key("marketer")
    asker, browser = make_contact(**OPTED_IN), make_contact(**OPTED_IN)
    ids = {asker["id"]: secrets.token_hex(16), browser["id"]: secrets.token_hex(16)}
    for person in (asker, browser):
        known = api.post(
            "/t/identify", json={"anonymous_id": ids[person["id"]], "email": person["email"]}, headers=api.as_key(key)
        )
        assert known.status_code == 200, known.text
    visit(scenario, ids[asker["id"]], "/blog/lead-scoring")
    assert runs(api, made["id"]) == []  # not the pricing page
    visit(scenario, ids[asker["id"]], "/pricing?plan=pro")
    visit(scenario, ids[browser["id"]], "/en/pricing")
    assert {r["contact_id"] for r in runs(api, made["id"])} == {asker["id"], browser["id"]}

    scenario.submit({"contact_id": asker["id"], "type": "form_submitted", "properties": {"form_id": 1}})
    assert [m["contact_id"] for m in outbox_of(api, thanks)] == [asker["id"]]
    scenario.advance("P2D")
    assert [m["contact_id"] for m in outbox_of(api, reminder)] == [browser["id"]]

    # The shipped behavioural model counts the visits and the form.
    scores = api.get(f"/api/contacts/{asker['id']}/scores").json()
    lines = {line["rule_id"] for model in scores for line in model["breakdown"]}
    assert {"page-visit", "form"} <= lines, scores
