"""The ROI, lead generation and lead pipeline reports, each computed twice — by the endpoint and
from the raw rows of contacts, opportunities and event costs — and compared, with a merged contact
and an erased contact among the leads."""

from __future__ import annotations

import csv
import io
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from parcours.contacts.models import Contact
from parcours.db import transaction
from parcours.events.models import Event, EventCost
from parcours.pipeline.models import Opportunity
from parcours.spend.models import MarketingSpend
from tests.conftest import Api
from tests.factories import event, unique_type
from tests.integration.forms.test_public_form import contact_by_email, page, publish_form

TODAY = datetime.now(UTC).date()
PERIOD = {"from": (TODAY - timedelta(days=1)).isoformat(), "to": (TODAY + timedelta(days=8)).isoformat()}
SINCE = datetime.combine(TODAY - timedelta(days=1), datetime.min.time(), UTC)
UNTIL = datetime.combine(TODAY + timedelta(days=9), datetime.min.time(), UTC)


def rows(api: Api, model: Any) -> list[Any]:
    """Every row of a table, read straight from the database."""
    runtime = api.app.state.runtime

    async def read() -> list[Any]:
        async with transaction(runtime.sessions) as session:
            return list((await session.execute(select(model))).scalars().all())

    return list(api.blocking_portal.call(read))


def deal(api: Api, contact_id: int, **body: Any) -> dict[str, Any]:
    made = api.post("/api/opportunities", json={"name": unique_type("deal"), "contact_id": contact_id, **body})
    assert made.status_code == 201, made.text
    return dict(made.json())


@pytest.fixture(scope="module")
def world(api: Api) -> dict[str, Any]:
    """Leads of every origin with opportunities; one lead merged into another, one erased."""
    form = publish_form(api)
    _, stamp = page(api, form)
    inbound_email = f"{unique_type('in')}@example.org"
    assert (
        api.post(f"/f/{form['slug']}", json={"email": inbound_email, "_ts": stamp, "page_id": "4"}).status_code == 200
    )
    inbound = contact_by_email(api, inbound_email)
    assert inbound is not None
    journey = api.post("/api/journeys", json={"name": unique_type("Nurture"), "definition": {"nodes": [], "edges": []}})
    assert journey.status_code == 201, journey.text
    journey_id = journey.json()["id"]
    make = lambda **f: api.post("/api/contacts", json={"email": f"{unique_type('p')}@example.org", **f}).json()
    outbound = make(origin={"kind": "outbound", "journey_id": journey_id}, source="fair")
    by_campaign = make(origin={"kind": "outbound", "campaign_id": 77}, lifecycle_stage="lead")
    sales = make(lifecycle_stage="sales_ready", source="phone")
    kept, merged = make(), make(origin={"kind": "outbound", "journey_id": journey_id})
    erased = make(origin={"kind": "inbound", "form_id": form["id"]})
    deal(api, inbound["id"], budget=100, estimated_revenue=1000, actual_revenue=900)
    deal(api, outbound["id"], budget=50, estimated_revenue=500, stage="won", actual_revenue=450.5)
    deal(api, by_campaign["id"], budget=10, estimated_revenue=20)
    deal(api, sales["id"], budget=7, estimated_revenue=70, actual_revenue=60)
    deal(api, merged["id"], budget=3, estimated_revenue=30, actual_revenue=25)
    deal(api, erased["id"], budget=1000, estimated_revenue=10000, actual_revenue=10000)
    done = api.post(f"/api/contacts/{kept['id']}/merge", json={"other_id": merged["id"]})
    assert done.status_code == 200, done.text
    assert api.delete(f"/api/contacts/{erased['id']}").status_code == 204
    webinar = event(api, name=unique_type("Webinar"))
    for amount in (120.0, 30.5):
        added = api.post(
            f"/api/events/{webinar['id']}/costs", json={"category": "ads", "label": "Ads", "amount": amount}
        )
        assert added.status_code in (200, 201), added.text
    month = f"{TODAY.year:04d}-{TODAY.month:02d}"
    spent = api.post("/api/marketing-spend", json={"month": month, "channel": "social", "amount": 200.0})
    assert spent.status_code == 201, spent.text
    segment = api.post("/api/segments", json={"name": unique_type("Few"), "kind": "static"}).json()
    api.post(f"/api/segments/{segment['id']}/members", json={"contact_ids": [inbound["id"], kept["id"]]})
    return {"form": form, "journey_id": journey_id, "kept": kept, "segment_id": segment["id"], "inbound": inbound}


def kind(value: str | None) -> str:
    return value if value in ("inbound", "outbound") else "sales"


def expected_roi(api: Api, members: set[int] | None = None) -> dict[str, dict[str, Any]]:
    groups: dict[str, dict[str, Any]] = {
        k: {"count": 0, "budget": 0.0, "estimated_revenue": 0.0, "actual_revenue": 0.0}
        for k in ("sales", "inbound", "outbound")
    }
    for o in rows(api, Opportunity):
        if not SINCE <= o.created_at < UNTIL or (members is not None and o.contact_id not in members):
            continue
        group = groups[kind(o.origin_kind)]
        group["count"] += 1
        for field in ("budget", "estimated_revenue", "actual_revenue"):
            group[field] += getattr(o, field) or 0
    return groups


def test_roi_matches_the_opportunities_and_event_costs(api: Api, world: dict[str, Any]) -> None:
    report = api.get("/api/reports/roi", params=PERIOD)
    assert report.status_code == 200, report.text
    body = report.json()
    got = {g["origin"]: g for g in body["groups"]}
    assert list(got) == ["sales", "inbound", "outbound"]
    for origin, want in expected_roi(api).items():
        for field, value in want.items():
            assert got[origin][field] == pytest.approx(value), (origin, field)
    # The erased lead's opportunity is gone with it; the merged one's stays outbound.
    assert got["inbound"]["count"] >= 1 and got["inbound"]["budget"] < 1000
    events = {e.id: e for e in rows(api, Event) if SINCE <= e.starts_at < UNTIL}
    cost = sum(c.amount for c in rows(api, EventCost) if c.event_id in events)
    assert got["outbound"]["marketing_cost"] == pytest.approx(cost) and got["sales"]["marketing_cost"] is None
    months = {f"{d.year:04d}-{d.month:02d}" for d in (TODAY - timedelta(days=1), TODAY + timedelta(days=8))}
    spend = sum(s.amount for s in rows(api, MarketingSpend) if s.month in months)
    assert body["spend"] == pytest.approx(spend) and spend >= 200
    assert body["marketing_cost"] == pytest.approx(cost + spend)
    revenue = got["inbound"]["actual_revenue"] + got["outbound"]["actual_revenue"]
    assert body["marketing_roi"] == pytest.approx((revenue - cost - spend) / (cost + spend), abs=1e-4)
    by_journey = [r for r in body["outbound"] if r["journey_id"] == world["journey_id"]]
    assert len(by_journey) == 1 and by_journey[0]["count"] == 2 and by_journey[0]["journey_name"].startswith("Nurture")
    assert by_journey[0]["actual_revenue"] == pytest.approx(450.5 + 25)

    members = {world["inbound"]["id"], world["kept"]["id"]}
    narrowed = api.get("/api/reports/roi", params={**PERIOD, "segment_id": world["segment_id"]}).json()
    for group in narrowed["groups"]:
        want = expected_roi(api, members)[group["origin"]]
        assert (group["count"], group["budget"]) == (want["count"], pytest.approx(want["budget"]))

    exported = api.get("/api/reports/roi", params={**PERIOD, "format": "csv"})
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
    table = list(csv.DictReader(io.StringIO(exported.text.lstrip("\ufeff"))))
    assert {r["origin"]: int(r["count"]) for r in table[:3]} == {g: got[g]["count"] for g in got}


def test_lead_generation_matches_the_contacts(api: Api, world: dict[str, Any]) -> None:
    body = api.get("/api/reports/lead-generation", params=PERIOD).json()
    everyone = rows(api, Contact)
    # Every lead knows when it became one.
    assert all(c.lead_at is not None for c in everyone if c.lead_origin is not None)
    leads = [c for c in everyone if c.lead_origin is not None and SINCE <= c.lead_at < UNTIL]
    want = Counter(c.lead_origin for c in leads)
    assert {k: body["totals"][k] for k in ("inbound", "outbound", "sales")} == {
        k: want[k] for k in ("inbound", "outbound", "sales")
    }
    assert body["totals"]["total"] == len(leads)
    forms = Counter(c.lead_origin_form_id for c in leads if c.lead_origin == "inbound")
    assert {f["id"]: f["count"] for f in body["forms"]} == dict(forms)
    assert any(p["id"] == 4 for p in body["pages"])
    journeys = Counter(
        c.lead_origin_journey_id for c in leads if c.lead_origin == "outbound" and c.lead_origin_journey_id
    )
    assert {j["id"]: j["count"] for j in body["journeys"] if j["id"]} == dict(journeys)
    # The merged contact's lead is the survivor's now: counted once, on the survivor.
    assert journeys[world["journey_id"]] == 2
    assert {c["id"]: c["count"] for c in body["campaigns"]} == dict(
        Counter(c.lead_origin_campaign_id for c in leads if c.lead_origin_campaign_id)
    )
    assert {s["source"]: s["count"] for s in body["sources"]} == dict(Counter(c.source for c in leads))
    per_day: dict[date, Counter[str]] = defaultdict(Counter)
    for c in leads:
        per_day[c.lead_at.date()][c.lead_origin] += 1
    assert len(body["by_day"]) == 10
    for day in body["by_day"]:
        counted = per_day[date.fromisoformat(day["day"])]
        assert (day["inbound"], day["outbound"], day["sales"]) == (
            counted["inbound"],
            counted["outbound"],
            counted["sales"],
        )
    stages = Counter((c.lifecycle_stage, c.lead_origin) for c in leads)
    for stage in body["stages"]:
        assert stage["sales"] == stages[(stage["stage"], "sales")]
    exported = api.get("/api/reports/lead-generation", params={**PERIOD, "format": "csv"}).text
    assert exported.lstrip("\ufeff").startswith("day,inbound,outbound,sales,total")


def test_the_pipeline_report_matches_the_contacts(api: Api, world: dict[str, Any]) -> None:
    body = api.get("/api/reports/pipeline", params=PERIOD).json()
    leads = [c for c in rows(api, Contact) if c.lead_origin and SINCE <= c.lead_at < UNTIL]
    want = Counter((c.lifecycle_stage, c.lead_origin) for c in leads)
    for stage in body["stages"]:
        for origin in ("inbound", "outbound", "sales"):
            assert stage[origin] == want[(stage["stage"], origin)], (stage, origin)
    assert body["total"] == len(leads)
    assert next(s for s in body["stages"] if s["stage"] == "opportunity")["count"] >= 4
    narrowed = api.get("/api/reports/pipeline", params={**PERIOD, "segment_id": world["segment_id"]}).json()
    assert narrowed["total"] == 2


def test_reports_refuse_bad_filters_naming_them(api: Api) -> None:
    for path in ("/api/reports/roi", "/api/reports/lead-generation", "/api/reports/pipeline"):
        missing = api.get(path, params={"segment_id": 987654})
        assert missing.status_code == 400 and missing.json()["error"]["field"] == "segment_id", missing.text
        backwards = api.get(path, params={"from": "2026-03-02", "to": "2026-03-01"})
        assert backwards.status_code == 400 and backwards.json()["error"]["field"] == "from"
        before = datetime.now(UTC).date().isoformat()
        default = api.get(path)
        after = datetime.now(UTC).date().isoformat()
        assert default.status_code == 200 and default.json()["to"] in (before, after)
