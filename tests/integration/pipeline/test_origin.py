"""Where a lead came from, structured: a form (inbound), a journey or a campaign email that led to a
form (outbound), or sales; opportunities carry their lead's origin, can change it, and are listed
with filters; a merge keeps the survivor's origin unless it has none."""

from __future__ import annotations

import re
from typing import Any

from tests.conftest import Api
from tests.factories import chain, journey, published, unique_email, unique_type
from tests.integration.emails.test_campaigns import OPTED_IN, audience, finished, new_email
from tests.integration.forms.test_public_form import contact_by_email, page, publish_form


def submit(api: Api, form: dict[str, Any], email: str, **extra: Any) -> None:
    _, stamp = page(api, form)
    posted = api.post(f"/f/{form['slug']}", json={"email": email, "news": True, "_ts": stamp, **extra})
    assert posted.status_code == 200, posted.text


def test_a_form_makes_an_inbound_lead_with_its_form_and_page(api: Api) -> None:
    form = publish_form(api)
    email = unique_email("inbound")
    submit(api, form, email, page_id="12")
    contact = contact_by_email(api, email)
    assert contact is not None
    assert contact["origin"] == {"kind": "inbound", "form_id": form["id"], "page_id": 12}
    assert contact["lead_origin"] == "inbound" and contact["lead_origin_form_id"] == form["id"]


def test_a_journey_that_makes_a_lead_is_its_origin(api: Api, make_contact: Any) -> None:
    trigger = unique_type("qualify")
    made = journey(
        api,
        chain(
            ("start", "entry.interaction", {"type": trigger}),
            ("stage", "action.stage", {"stage": "lead"}),
            ("out", "flow.exit", {}),
        ),
    )
    published(api, made["id"])
    person = make_contact(**OPTED_IN)
    assert person["origin"] is None  # a subscriber has no lead origin yet
    assert api.post("/api/interactions", json={"type": trigger, "contact_id": person["id"]}).status_code == 202
    lead = api.eventually(
        lambda: (c := api.get(f"/api/contacts/{person['id']}").json())["lifecycle_stage"] == "lead" and c
    )
    assert lead["origin"] == {"kind": "outbound", "journey_id": made["id"]}


def test_a_campaign_click_then_a_form_is_owed_to_the_campaign(api: Api, make_contact: Any) -> None:
    tag = unique_email("clicked").split("@")[0]
    people, segment_id = audience(api, make_contact, tag, ann=OPTED_IN)
    created = api.post("/api/campaigns", json={"email_id": new_email(api), "segment_ids": [segment_id]})
    assert created.status_code == 201, created.text
    campaign = finished(api, created.json()["id"])
    message = api.get("/api/outbox", params={"campaign_id": campaign["id"]}).json()["items"][0]
    html = api.get(f"/api/outbox/{message['id']}").json()["html"]
    click = re.search(r'href="http://[^/]+(/t/c/[^"]+)"', html)
    assert click is not None
    assert api.get(click.group(1), follow_redirects=False).status_code == 302
    form = publish_form(api)
    submit(api, form, people["ann"]["email"])
    contact = api.get(f"/api/contacts/{people['ann']['id']}").json()
    assert contact["origin"] == {"kind": "outbound", "campaign_id": campaign["id"], "form_id": form["id"]}


def test_sales_leads_explicit_origins_and_opportunities_that_carry_them(api: Api, make_contact: Any) -> None:
    sold = make_contact(lifecycle_stage="lead")
    assert sold["origin"] == {"kind": "sales"}
    given = make_contact(origin={"kind": "outbound", "campaign_id": 41})
    assert given["origin"] == {"kind": "outbound", "campaign_id": 41} and given["lead_origin"] == "outbound"
    changed = api.patch(f"/api/contacts/{given['id']}", json={"origin": {"kind": "inbound", "form_id": 3}}).json()
    assert changed["origin"] == {"kind": "inbound", "form_id": 3}
    bad = api.patch(f"/api/contacts/{given['id']}", json={"origin": {"kind": "web"}})
    assert bad.status_code == 400 and "origin" in bad.text

    # A subscriber made an opportunity by a sales person becomes a sales lead; the opportunity says so.
    quiet = make_contact()
    deal = api.post("/api/opportunities", json={"name": unique_type("deal"), "contact_id": quiet["id"], "budget": 5})
    assert deal.status_code == 201, deal.text
    assert deal.json()["origin"] == {"kind": "sales"}
    assert api.get(f"/api/contacts/{quiet['id']}").json()["origin"] == {"kind": "sales"}
    # Another's lead: its origin is copied; then edited by hand.
    other = api.post(
        "/api/opportunities",
        json={"name": unique_type("deal"), "contact_id": quiet["id"], "lead_contact_id": changed["id"]},
    ).json()
    assert other["origin"] == {"kind": "inbound", "form_id": 3} and other["contact_name"]
    edited = api.patch(
        f"/api/opportunities/{other['id']}", json={"origin": {"kind": "outbound", "journey_id": 9}, "stage": "propose"}
    ).json()
    assert edited["origin"] == {"kind": "outbound", "journey_id": 9} and edited["stage"] == "propose"

    listed = api.get("/api/opportunities", params={"contact_id": quiet["id"], "origin_kind": "outbound"}).json()
    assert [o["id"] for o in listed["items"]] == [other["id"]] and listed["total"] == 1
    by_journey = api.get("/api/opportunities", params={"journey_id": 9, "contact_id": quiet["id"]}).json()
    assert by_journey["total"] == 1
    paged = api.get("/api/opportunities", params={"contact_id": quiet["id"], "limit": 1}).json()
    assert paged["total"] == 2 and paged["next_cursor"]
    rest = api.get("/api/opportunities", params={"contact_id": quiet["id"], "cursor": paged["next_cursor"]}).json()
    assert [o["id"] for o in paged["items"] + rest["items"]] == [other["id"], deal.json()["id"]]
    named = api.get("/api/opportunities", params={"q": other["name"][-6:].upper()}).json()
    assert [o["id"] for o in named["items"]] == [other["id"]]

    assert api.delete(f"/api/opportunities/{other['id']}").status_code == 204
    assert api.get(f"/api/opportunities/{other['id']}").status_code == 404


def test_a_merge_keeps_the_survivors_origin_unless_it_has_none(api: Api, make_contact: Any) -> None:
    survivor = make_contact()
    other = make_contact(origin={"kind": "outbound", "journey_id": 7})
    merged = api.post(f"/api/contacts/{survivor['id']}/merge", json={"other_id": other["id"]})
    assert merged.status_code == 200, merged.text
    assert merged.json()["contact"]["origin"] == {"kind": "outbound", "journey_id": 7}

    keeper = make_contact(origin={"kind": "inbound", "form_id": 5})
    third = make_contact(origin={"kind": "outbound", "campaign_id": 8})
    kept = api.post(f"/api/contacts/{keeper['id']}/merge", json={"other_id": third["id"]}).json()
    assert kept["contact"]["origin"] == {"kind": "inbound", "form_id": 5}
