"""Each KPI of a program's progress reconciled with the raw rows: journey runs, the outbox, purchases
and contacts written for a past quarter, counted again here in SQL, month by month (each point
counts from the program's first day to the month's last)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Select, case, func, insert, select, update

from parcours import db
from parcours.channels.models import OutboxMessage
from parcours.contacts.models import Contact
from parcours.interactions.models import Interaction
from parcours.journeys.models import JourneyRun, JourneyVersion
from tests import database as test_database
from tests.factories import OPTED_IN, chain, contact, email, journey, published, static_segment, unique_type


def _month(day: date, plus: int) -> date:
    index = day.year * 12 + day.month - 1 + plus
    return date(index // 12, index % 12 + 1, 1)


TODAY = datetime.now(UTC).date()
FIRST = _month(TODAY, -5)
# Three whole months in the past: [M[0], M[3]).
M = [_month(FIRST, n) for n in range(4)]
PERIOD = {"starts_on": M[0].isoformat(), "ends_on": (M[3] - timedelta(days=1)).isoformat()}


def at(month: int, day: int = 10) -> datetime:
    return datetime(M[month].year, M[month].month, day, 12, tzinfo=UTC)


def midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


class Database(test_database.Database):
    def one(self, query: Select[Any]) -> Any:
        async def go() -> Any:
            async with db.transaction(self.sessions) as session:
                return (await session.execute(query)).one()

        return self.run(go())


@pytest.fixture(scope="module")
def database(database_url: str, api: Any) -> Iterator[Database]:
    opened = Database(database_url)
    yield opened
    opened.close()


@pytest.fixture(scope="module")
def plan(api: Any, database: Database) -> dict[str, Any]:
    """Six contacts, a published journey and a campaign with a quarter of history."""
    people = [contact(api, **OPTED_IN)["id"] for _ in range(6)]
    a, b, c, d, e, f = people
    segment = static_segment(api, [a, b, c])
    trip = journey(api, chain(("start", "entry.interaction", {"type": unique_type("kpi")}), ("out", "flow.exit", {})))
    published(api, trip["id"])
    version = database.one(select(JourneyVersion.id).where(JourneyVersion.journey_id == trip["id"]))[0]
    audience = static_segment(api, [f])
    sale = {"email_id": email(api, "KPI sale"), "segment_ids": [audience], "send_at": "2099-01-01T09:00:00+00:00"}
    campaign = api.post("/api/campaigns", json=sale).json()["id"]

    def run(who: int, entered: datetime, converted: datetime | None) -> dict[str, Any]:
        return {
            "journey_id": trip["id"],
            "version_id": version,
            "contact_id": who,
            "entry_key": f"k{who}",
            "node_id": "out",
            "status": "completed",
            "entered_at": entered,
            "updated_at": entered,
            "converted_at": converted,
            "error": "",
        }

    runs = [
        run(a, at(0), at(0, 20)),
        run(b, at(0), at(1, 5)),  # converted the month after entering
        run(c, at(1), None),
        run(d, at(2), at(2, 12)),
        run(e, at(0, 1) - timedelta(days=10), at(0, 3)),  # entered before the program
    ]

    def mail(who: int, sent: datetime, *, opened: bool = False, bounced: bool = False, **owner: Any) -> dict[str, Any]:
        return {
            "idempotency_key": f"kpi-{who}-{sent.isoformat()}-{owner}",
            "channel": "email",
            "kind": "promotional",
            "contact_id": who,
            "to_address": f"{who}@example.org",
            "status": "captured",
            "reason": "",
            "reason_code": "",
            "attempts": 1,
            "send_after": sent,
            "sent_at": sent,
            "subject": "KPI",
            "opened_at": sent + timedelta(hours=2) if opened else None,
            "opens": 1 if opened else 0,
            "clicks": 0,
            "bounced_at": sent if bounced else None,
            "message_id": "",
            "data": {},
            "created_at": sent,
            **owner,
        }

    mails = [
        mail(a, at(0), opened=True, journey_id=trip["id"], node_id="out"),
        mail(b, at(0), journey_id=trip["id"], node_id="out"),
        mail(c, at(1), bounced=True, journey_id=trip["id"], node_id="out"),
        mail(f, at(1), opened=True, campaign_id=campaign),
        mail(d, at(2), opened=True, campaign_id=campaign),
        mail(e, at(2), campaign_id=campaign),
        mail(a, at(0, 1) - timedelta(days=3), opened=True, campaign_id=campaign),  # before the program
    ]
    database.write(*[insert(JourneyRun).values(r) for r in runs])
    database.write(*[insert(OutboxMessage).values(m) for m in mails])
    # New leads by their structured origin: a (the journey) in month 0, f (the campaign) in month
    # 1, d (the journey) in month 2; b came through the journey before the program, c has no
    # origin, e came through a form that is no part of the program.
    before = at(0) - timedelta(days=20)
    for who, lead_at, kind, origin in [
        (a, at(0), "outbound", {"lead_origin_journey_id": trip["id"]}),
        (b, before, "outbound", {"lead_origin_journey_id": trip["id"]}),
        (c, at(1), None, {}),
        (d, at(2), "outbound", {"lead_origin_journey_id": trip["id"]}),
        (e, at(1), "inbound", {"lead_origin_form_id": 987654}),
        (f, at(1), "outbound", {"lead_origin_campaign_id": campaign}),
    ]:
        values = {"created_at": before, "lead_at": lead_at if kind else None, "lead_origin": kind, **origin}
        database.write(update(Contact).where(Contact.id == who).values(**values))

    purchases = [
        (a, at(0), 50.0),
        (a, at(1), 30.0),
        (b, at(1), 20.0),
        (c, at(2), 10.0),
        (c, at(2, 20), 15.0),
        (d, at(0), 99.0),  # not in the segment
        (b, at(0) - timedelta(days=15), 500.0),  # before the program
    ]
    batch = [
        {"type": "purchase", "contact_id": who, "occurred_at": when.isoformat(), "properties": {"amount": amount}}
        for who, when, amount in purchases
    ]
    stored = api.post("/api/interactions", json={"batch": batch})
    assert stored.status_code in (200, 202), stored.text
    count = select(func.count()).where(Interaction.type == "purchase", Interaction.contact_id.in_(people))
    api.eventually(lambda: database.one(count)[0] == len(purchases))
    return {"journey": trip["id"], "campaign": campaign, "segment": segment}


def _progress(api: Any, plan: dict[str, Any], kpi: dict[str, Any], target: float) -> dict[str, Any]:
    body = {
        "name": f"KPI {kpi['metric']}",
        "kpi": kpi,
        "target": target,
        "journey_ids": [plan["journey"]],
        "campaign_ids": [plan["campaign"]],
        **PERIOD,
    }
    made = api.post("/api/programs", json=body)
    assert made.status_code == 201, made.text
    answer = api.get(f"/api/programs/{made.json()['id']}/progress").json()
    api.delete(f"/api/programs/{made.json()['id']}")  # the next program takes the same journey
    assert [p["period"] for p in answer["series"]] == [f"{m.year:04d}-{m.month:02d}" for m in M[:3]]
    assert answer["value"] == answer["series"][-1]["value"] and answer["target"] == target
    return dict(answer)


def _windows() -> list[tuple[datetime, datetime]]:
    return [(midnight(M[0]), midnight(M[n])) for n in (1, 2, 3)]


def _rate(counted: int, divided_by: int) -> float | None:
    return round(counted / divided_by, 4) if divided_by else None


def test_conversion_rate_is_conversions_over_entered(api: Any, plan: dict[str, Any], database: Database) -> None:
    answer = _progress(api, plan, {"metric": "conversion_rate"}, 0.5)
    expected = []
    for start, end in _windows():
        entered, converted = database.one(
            select(func.count(), func.sum(case((JourneyRun.converted_at < end, 1), else_=0))).where(
                JourneyRun.journey_id == plan["journey"], JourneyRun.entered_at >= start, JourneyRun.entered_at < end
            )
        )
        expected.append(_rate(int(converted or 0), int(entered)))
    assert [p["value"] for p in answer["series"]] == expected == [0.5, 0.6667, 0.75]
    assert (answer["counted"], answer["denominator"]) == (3, 4)
    assert answer["reached"] == 1.5 and answer["divided_by"] == "contacts who entered"


def test_open_rate_is_unique_opens_over_delivered(api: Any, plan: dict[str, Any], database: Database) -> None:
    answer = _progress(api, plan, {"metric": "open_rate"}, 0.4)
    mine = (OutboxMessage.journey_id == plan["journey"]) | (OutboxMessage.campaign_id == plan["campaign"])
    expected = []
    for start, end in _windows():
        delivered, opened = database.one(
            select(func.count(), func.count(OutboxMessage.opened_at)).where(
                mine,
                OutboxMessage.status.in_(("sent", "captured")),
                OutboxMessage.bounced_at.is_(None),
                OutboxMessage.sent_at >= start,
                OutboxMessage.sent_at < end,
            )
        )
        expected.append(_rate(int(opened), int(delivered)))
    assert [p["value"] for p in answer["series"]] == expected == [0.5, 0.6667, 0.6]


def _purchases(start: datetime, end: datetime, among: list[int] | None = None) -> Any:
    where = [Interaction.type == "purchase", Interaction.occurred_at >= start, Interaction.occurred_at < end]
    if among is not None:
        where.append(Interaction.contact_id.in_(among))
    return where


def test_revenue_from_a_segment_sums_its_members_purchases(api: Any, plan: dict[str, Any], database: Database) -> None:
    members = [
        m["id"] for m in api.get(f"/api/segments/{plan['segment']}/members", params={"limit": 50}).json()["items"]
    ]
    answer = _progress(api, plan, {"metric": "segment_revenue", "segment_id": plan["segment"]}, 200)
    expected = [
        round(
            float(
                database.one(select(func.coalesce(func.sum(Interaction.value), 0)).where(*_purchases(s, e, members)))[0]
            ),
            2,
        )
        for s, e in _windows()
    ]
    assert [p["value"] for p in answer["series"]] == expected == [50.0, 100.0, 125.0]
    assert answer["reached"] == 0.625 and answer["divided_by"] is None


def test_repeat_purchase_rate_counts_customers_buying_twice(api: Any, plan: dict[str, Any], database: Database) -> None:
    members = [
        m["id"] for m in api.get(f"/api/segments/{plan['segment']}/members", params={"limit": 50}).json()["items"]
    ]
    for segment, among in ((plan["segment"], members), (None, None)):
        kpi = {"metric": "repeat_purchase_rate", **({"segment_id": segment} if segment else {})}
        answer = _progress(api, plan, kpi, 0.3)
        expected = []
        for start, end in _windows():
            per = (
                select(Interaction.contact_id, func.count().label("n"))
                .where(*_purchases(start, end, among))
                .group_by(Interaction.contact_id)
                .subquery()
            )
            customers, repeat = database.one(select(func.count(), func.sum(case((per.c.n >= 2, 1), else_=0))))
            expected.append(_rate(int(repeat or 0), int(customers)))
        assert [p["value"] for p in answer["series"]] == expected
    assert expected[-1] is not None and expected[0] == 0.0


def test_new_leads_come_from_the_programs_journeys_and_campaigns(
    api: Any, plan: dict[str, Any], database: Database
) -> None:
    answer = _progress(api, plan, {"metric": "new_leads"}, 10)
    expected = [
        float(
            database.one(
                select(func.count()).where(
                    Contact.lead_at >= s,
                    Contact.lead_at < e,
                    Contact.lead_origin.is_not(None),
                    (Contact.lead_origin_journey_id == plan["journey"])
                    | (Contact.lead_origin_campaign_id == plan["campaign"]),
                )
            )[0]
        )
        for s, e in _windows()
    ]
    assert [p["value"] for p in answer["series"]] == expected == [1.0, 2.0, 3.0]


def _saved(api: Any, question: dict[str, Any]) -> int:
    made = api.post("/api/explorations", json={"name": "Tracked", "question": question})
    assert made.status_code == 201, made.text
    return int(made.json()["id"])


def test_an_exploration_result_is_tracked_over_the_programs_months(
    api: Any, plan: dict[str, Any], database: Database
) -> None:
    revenue = _saved(api, {"dataset": "purchases", "measures": [{"kind": "sum", "field": "amount"}]})
    answer = _progress(api, plan, {"metric": "exploration", "exploration_id": revenue}, 200)
    expected = [
        round(float(database.one(select(func.coalesce(func.sum(Interaction.value), 0)).where(*_purchases(s, e)))[0]), 2)
        for s, e in _windows()
    ]
    assert [p["value"] for p in answer["series"]] == expected == [149.0, 199.0, 224.0]
    assert answer["reached"] == round(224 / 200, 4)

    # One row of a grouped question (not its largest: more opens than purchases), and its second
    # measure (distinct buyers: from the raw rows).
    someone = database.one(select(func.min(Interaction.contact_id)).where(Interaction.type == "purchase"))[0]
    opens = [{"type": "email_opened", "contact_id": someone, "occurred_at": at(0, 2).isoformat()}] * 9
    assert api.post("/api/interactions", json={"batch": opens}).status_code in (200, 202)
    counted = {"dataset": "interactions", "filters": {"types": ["email_opened"], "from": M[0].isoformat()}}
    api.eventually(lambda: api.post("/api/explore", json=counted).json()["rows"][0][0] >= 9)
    by_type = _saved(
        api,
        {
            "dataset": "interactions",
            "filters": {"types": ["purchase", "email_opened"]},
            "group_by": ["type"],
            "measures": [{"kind": "count"}, {"kind": "contacts"}],
        },
    )
    for measure, column in ((0, func.count()), (1, func.count(Interaction.contact_id.distinct()))):
        kpi = {"metric": "exploration", "exploration_id": by_type, "cell": ["purchase"], "measure": measure}
        answer = _progress(api, plan, kpi, 10)
        expected = [float(database.one(select(column).where(*_purchases(s, e)))[0]) for s, e in _windows()]
        assert [p["value"] for p in answer["series"]] == expected
    assert expected == [2.0, 3.0, 4.0]


def test_a_deleted_exploration_leaves_its_kpi_unavailable(api: Any, plan: dict[str, Any]) -> None:
    tracked = _saved(api, {"dataset": "contacts"})
    body = {"name": "Gone", "kpi": {"metric": "exploration", "exploration_id": tracked}, **PERIOD}
    made = api.post("/api/programs", json=body).json()
    assert api.get(f"/api/programs/{made['id']}/progress").json()["available"] is True
    assert api.delete(f"/api/explorations/{tracked}").status_code == 204
    answer = api.get(f"/api/programs/{made['id']}/progress").json()
    assert (answer["available"], answer["value"], answer["series"]) == (False, None, [])


def test_a_program_not_started_yet_has_no_figures(api: Any) -> None:
    later = _month(TODAY, 2)
    body = {
        "name": "Next",
        "kpi": {"metric": "open_rate"},
        "starts_on": later.isoformat(),
        "ends_on": later.isoformat(),
    }
    made = api.post("/api/programs", json=body).json()
    answer = api.get(f"/api/programs/{made['id']}/progress").json()
    assert (answer["value"], answer["series"], answer["reached"]) == (None, [], None)
