"""The attribution window (PARCOURS_ATTRIBUTION_DAYS, 7 days unless set): a purchase is credited to
an email clicked at most that many days before it, in the rollups the stream writes, in their
rebuild after the setting changes, in the counts a segment filter makes from raw rows, and in the
origin of a lead made by a form."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from parcours.clock import clock, utcnow
from parcours.interactions.models import Interaction
from parcours.reports import recount
from tests.conftest import Api
from tests.factories import unique_email
from tests.integration.emails.test_campaigns import OPTED_IN, audience, finished, new_email
from tests.integration.forms.test_public_form import publish_form
from tests.integration.pipeline.test_origin import submit
from tests.integration.reports.test_email_reports import HUMAN, _campaign, _links
from tests.integration.reports.test_email_rollups import _caught_up

NEAR, FAR = 30.0, 100.0  # bought 3 and 10 days after the click


def _raw_revenue(api: Api, email_id: int, days: int) -> float:
    """The email's last-touch revenue computed from the raw interactions with a window of `days`."""

    async def read() -> list[Any]:
        async with api.app.state.runtime.sessions() as session:
            rows = await session.execute(
                select(Interaction.contact_id, Interaction.type, Interaction.occurred_at, Interaction.properties)
            )
            return list(rows.all())

    rows = api.blocking_portal.call(read)
    clicks: dict[int, list[tuple[datetime, dict[str, Any]]]] = {}
    for contact_id, kind, at, properties in rows:
        if kind == "email_clicked" and not properties.get("machine"):
            clicks.setdefault(contact_id, []).append((at, properties))
    revenue = 0.0
    for contact_id, kind, at, properties in rows:
        if kind != "purchase":
            continue
        before = sorted(
            (c for c in clicks.get(contact_id, []) if at - timedelta(days=days) <= c[0] <= at), key=lambda c: c[0]
        )
        if before and before[-1][1].get("email_id") == email_id:
            revenue += float(properties["amount"])
    return revenue


def _buy(api: Api, contact_id: int, amount: float, after: timedelta) -> None:
    clock.advance(after)
    try:
        bought = api.post(
            "/api/interactions", json={"type": "purchase", "contact_id": contact_id, "properties": {"amount": amount}}
        )
        assert bought.status_code == 202, bought.text
    finally:
        clock.reset()


def _revenue(api: Api, email_id: int, period: dict[str, str], **params: Any) -> tuple[int, float, str]:
    shown = api.get(f"/api/reports/emails/{email_id}", params={**period, **params})
    assert shown.status_code == 200, shown.text
    report = shown.json()
    assert report["revenue"] == report["figures"]["revenue"]  # last touch, the default
    return report["attribution_days"], report["figures"]["revenue"], report["source"]


def test_purchases_count_within_the_window_the_setting_gives(
    api: Api, make_contact: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    people, email_id, campaign_id = _campaign(api, make_contact, ["near", "far"])
    links = _links(api, campaign_id)
    clock.advance(timedelta(minutes=5))
    try:
        for person in people.values():
            clicked = api.get(links[person["id"]]["clicks"][0], headers=HUMAN, follow_redirects=False)
            assert clicked.status_code == 302
    finally:
        clock.reset()
    _buy(api, people["near"]["id"], NEAR, timedelta(days=3, minutes=5))
    _buy(api, people["far"]["id"], FAR, timedelta(days=10, minutes=5))
    api.eventually(lambda: _caught_up(api), 30)
    today = utcnow().date()
    period = {"from": today.isoformat(), "to": (today + timedelta(days=11)).isoformat()}
    both = api.post("/api/segments", json={"name": "Near and far", "kind": "static"}).json()
    added = api.post(f"/api/segments/{both['id']}/members", json={"contact_ids": [p["id"] for p in people.values()]})
    assert added.status_code < 300, added.text

    # The default week credits the purchase three days after the click, not the one ten days after.
    assert _revenue(api, email_id, period) == (7, NEAR, "rollups")
    assert _raw_revenue(api, email_id, 7) == NEAR
    assert _revenue(api, email_id, period, segment_id=both["id"]) == (7, NEAR, "raw")

    # Changed, then the rollups rebuilt (as `parcours rebuild-rollups` does): two days credit
    # neither purchase, fourteen days both.
    for days, expected in ((2, 0.0), (14, NEAR + FAR)):
        monkeypatch.setenv("PARCOURS_ATTRIBUTION_DAYS", str(days))
        api.blocking_portal.call(recount.rebuild, api.app.state.runtime.sessions, today, today + timedelta(days=11))
        assert _raw_revenue(api, email_id, days) == expected
        assert _revenue(api, email_id, period) == (days, expected, "rollups")
        assert _revenue(api, email_id, period, segment_id=both["id"]) == (days, expected, "raw")
        listed = api.get("/api/reports/emails", params=period).json()
        assert listed["attribution_days"] == days
        assert next(i for i in listed["items"] if i["email_id"] == email_id)["figures"]["revenue"] == expected


def test_a_form_after_a_click_is_owed_to_the_email_only_within_the_window(
    api: Api, make_contact: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    tag = unique_email("window").split("@")[0]
    people, segment_id = audience(api, make_contact, tag, early=OPTED_IN, late=OPTED_IN)
    created = api.post("/api/campaigns", json={"email_id": new_email(api), "segment_ids": [segment_id]})
    assert created.status_code == 201, created.text
    campaign = finished(api, created.json()["id"])
    for message in api.get("/api/outbox", params={"campaign_id": campaign["id"]}).json()["items"]:
        html = api.get(f"/api/outbox/{message['id']}").json()["html"]
        click = re.search(r'href="http://[^/]+(/t/c/[^"]+)"', html)
        assert click is not None
        assert api.get(click.group(1), follow_redirects=False).status_code == 302
    form = publish_form(api)
    clock.advance(timedelta(days=3))
    try:
        submit(api, form, people["early"]["email"])
        monkeypatch.setenv("PARCOURS_ATTRIBUTION_DAYS", "2")
        submit(api, form, people["late"]["email"])
    finally:
        clock.reset()
    early = api.get(f"/api/contacts/{people['early']['id']}").json()
    assert early["origin"] == {"kind": "outbound", "campaign_id": campaign["id"], "form_id": form["id"]}
    late = api.get(f"/api/contacts/{people['late']['id']}").json()
    assert late["origin"] == {"kind": "inbound", "form_id": form["id"]}
