"""The customer reports through the real app, each figure recomputed from the raw rows (contacts,
interactions, contact_rfm, spend): audience, RFM groups and moves, churn, cohorts with CAC and
LTV, products and what first-time buyers started with. The module's database holds only these."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter, defaultdict
from collections.abc import Iterator
from typing import Any

import pytest

from tests.database import Database
from tests.factories import static_segment, unique_email

NOW = dt.datetime.now(dt.UTC)


def as_moment(value: Any) -> dt.datetime:
    """A timestamp as either database gives it back (SQLite: text), in UTC."""
    moment = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment


def month_of(moment: dt.datetime) -> str:
    return f"{moment.year:04d}-{moment.month:02d}"


def months_back(n: int) -> str:
    index = NOW.year * 12 + NOW.month - 1 - n
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def at(month: str, day: int = 10) -> dt.datetime:
    return dt.datetime.fromisoformat(f"{month}-{day:02d}T12:00:00+00:00")


@pytest.fixture(scope="module")
def database(database_url: str, api: Any) -> Iterator[Database]:
    opened = Database(database_url)
    yield opened
    opened.close()


PEOPLE = [
    # (fields, purchases as (months ago, day, amount, product, category, order_id))
    (
        {
            "gender": "female",
            "birth_date": "1990-05-01",
            "country": "FR",
            "city": "Lyon",
            "language": "fr",
            "source": "webinar",
            "email_opt_in": True,
            "phone": "+33612345678",
            "sms_opt_in": True,
        },
        [
            (5, 3, 100.0, "boots", "shoes", "o1"),
            (5, 3, 20.0, "socks", "accessories", "o1"),
            (3, 8, 60.0, "boots", "shoes", "o2"),
            (0, 1, 40.0, "socks", "accessories", None),
        ],
    ),
    (
        {
            "gender": "male",
            "birth_date": "1960-01-01",
            "country": "FR",
            "city": "Paris",
            "language": "fr",
            "source": "fair",
            "email_opt_in": True,
        },
        [(5, 20, 30.0, "socks", "accessories", "o3")],
    ),
    (
        {
            "gender": "female",
            "country": "BE",
            "city": "Liège",
            "language": "fr",
            "email_opt_in": True,
            "unsubscribed": True,
        },
        [(2, 5, 250.0, "coat", "outerwear", "o4"), (1, 5, 80.0, "boots", "shoes", "o5")],
    ),
    (
        {"country": "DE", "city": "Berlin", "language": "de", "birth_date": "2012-03-03"},
        [(0, 1, 15.0, "socks", "accessories", "o6")],
    ),
    ({"source": "webinar", "email_opt_in": True}, []),
    (
        {"gender": "other", "country": "FR", "city": "Lyon", "job_title": "Buyer"},
        [(14, 2, 500.0, "coat", "outerwear", "o7")],
    ),
]


def purchase(
    contact_id: int, months_ago: int, day: int, amount: float, product: str, category: str, order: str | None
) -> dict[str, Any]:
    moment = min(at(months_back(months_ago), day), NOW - dt.timedelta(minutes=5))
    properties: dict[str, Any] = {"amount": amount, "product": product, "category": category, "quantity": 1}
    if order:
        properties["order_id"] = order
    return {"type": "purchase", "contact_id": contact_id, "occurred_at": moment.isoformat(), "properties": properties}


@pytest.fixture(scope="module")
def base(api: Any, database: Database) -> dict[str, Any]:
    ids = []
    batch = []
    for fields, purchases in PEOPLE:
        made = api.post("/api/contacts", json={"email": unique_email("cust"), **fields})
        assert made.status_code == 201, made.text
        ids.append(made.json()["id"])
        batch += [purchase(ids[-1], *p) for p in purchases]
    response = api.post("/api/interactions", json={"batch": batch})
    assert response.status_code in (200, 202), response.text
    # Cohorts and products read the purchase lines the stream keeps: wait until it has.
    assert api.eventually(lambda: database.rows("select count(*) from purchase_lines") == [(len(batch),)], 30)
    recompute(api)
    # Last month's groups as a recompute then left them: the first customer was elsewhere, the
    # second in the same group, and a customer who is one no longer (erased since) was "lost".
    current = dict(database.rows("select contact_id, rfm_segment from contact_rfm"))
    database.execute(
        "insert into rfm_monthly (month, contact_id, rfm_segment) values (:m, :a, 'hibernating'), (:m, :b, :same), (:m, 999999, 'lost')",
        m=months_back(1),
        a=ids[0],
        b=ids[1],
        same=current[ids[1]],
    )
    # Tonight's recompute: the whole base's report counted against those groups.
    recompute(api)
    return {"ids": ids}


def recompute(api: Any) -> None:
    recomputed = api.post("/api/rfm/recompute")
    assert recomputed.status_code == 202, recomputed.text
    assert api.wait_job(recomputed.json()["job_id"])["status"] == "done"


def report(api: Any, path: str, **query: Any) -> dict[str, Any]:
    response = api.get(path, params=query)
    assert response.status_code == 200, response.text
    return dict(response.json())


def purchases(database: Database) -> list[tuple[int, dt.datetime, float, dict[str, Any]]]:
    rows = database.rows("select contact_id, occurred_at, value, properties from interactions where type = 'purchase'")
    out = []
    for cid, moment, value, properties in rows:
        if isinstance(properties, str):
            properties = json.loads(properties)
        out.append((cid, as_moment(moment), float(value or 0), properties))
    return out


def refreshed_audience(api: Any) -> dict[str, Any]:
    """The whole base's audience once counted again (the report reads that count)."""
    started = dt.datetime.now(dt.UTC)
    refresh = api.post("/api/reports/audience/refresh")
    assert refresh.status_code == 202, refresh.text
    assert api.wait_job(refresh.json()["job_id"])["status"] == "done"
    answer = report(api, "/api/reports/audience")
    assert dt.datetime.fromisoformat(answer["as_of"]) >= started - dt.timedelta(seconds=1)
    return answer


def test_audience_distributions_completeness_opt_ins_reconcile(
    api: Any, database: Database, base: dict[str, Any]
) -> None:
    answer = refreshed_audience(api)
    raw = database.rows(
        "select gender, country, city, language, source, job_title, phone, email_opt_in, sms_opt_in, unsubscribed, bounced, created_at from contacts"
    )
    assert answer["contacts"] == len(raw) == len(PEOPLE)
    for dim, index in (("gender", 0), ("country", 1), ("city", 2), ("language", 3), ("source", 4)):
        expected = Counter(r[index] for r in raw)
        assert {b["key"]: b["contacts"] for b in answer["distributions"][dim]} == dict(expected), dim
    ages = {b["key"]: b["contacts"] for b in answer["distributions"]["age_band"]}
    assert ages == {"35-44": 1, "65+": 1, "under_18": 1, None: 3}
    filled = {c["field"]: c["filled"] for c in answer["completeness"]}
    assert filled["job_title"] == sum(1 for r in raw if r[5])
    assert filled["gender"] == sum(1 for r in raw if r[0])
    opt = {o["key"]: o for o in answer["opt_in"]}
    emailable = sum(1 for r in raw if r[7] and not r[9])
    assert opt["email"]["contacts"] == emailable == 3
    assert opt["email"]["share"] == round(emailable / len(raw), 4)
    assert opt["sms"]["contacts"] == sum(1 for r in raw if r[8] and r[6]) == 1
    created = Counter(month_of(as_moment(r[11])) for r in raw)
    assert {g["month"]: g["new"] for g in answer["growth"] if g["new"]} == dict(created)
    assert len(answer["growth"]) >= 12


def test_the_whole_base_is_read_from_its_last_count_a_segment_live(
    api: Any, database: Database, base: dict[str, Any]
) -> None:
    before = refreshed_audience(api)
    made = api.post("/api/contacts", json={"email": unique_email("late"), "gender": "male", "email_opt_in": True})
    assert made.status_code == 201, made.text
    alone = static_segment(api, [made.json()["id"]])
    live = report(api, "/api/reports/audience", segment_id=alone)
    assert live["contacts"] == 1 and dt.datetime.fromisoformat(live["as_of"]) > dt.datetime.fromisoformat(
        before["as_of"]
    )
    after = refreshed_audience(api)
    assert after["contacts"] == before["contacts"] + 1 == database.rows("select count(*) from contacts")[0][0]
    genders = {b["key"]: b["contacts"] for b in after["distributions"]["gender"]}
    assert genders["male"] == {b["key"]: b["contacts"] for b in before["distributions"]["gender"]}["male"] + 1
    opt = {o["key"]: o["contacts"] for o in after["opt_in"]}
    assert opt["email"] == {o["key"]: o["contacts"] for o in before["opt_in"]}["email"] + 1
    segments = {b["key"]: b["contacts"] for b in after["distributions"]["segment"]}
    assert segments[str(alone)] == 1
    api.delete(f"/api/contacts/{made.json()['id']}")
    refreshed_audience(api)


def test_audience_of_a_segment_and_its_csv(api: Any, base: dict[str, Any]) -> None:
    segment = static_segment(api, base["ids"][:2])
    answer = report(api, "/api/reports/audience", segment_id=segment)
    assert answer["contacts"] == 2
    assert {b["key"]: b["contacts"] for b in answer["distributions"]["gender"]} == {"female": 1, "male": 1}
    assert {b["key"]: b["contacts"] for b in answer["distributions"]["segment"]}[str(segment)] == 2
    csv = api.get("/api/reports/audience", params={"segment_id": segment, "format": "csv"})
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    assert "distribution,gender,female,1,0.5" in csv.text
    missing = api.get("/api/reports/audience", params={"segment_id": 987654})
    assert missing.status_code == 400 and missing.json()["error"]["field"] == "segment_id"


def test_each_customers_rfm_row_keeps_its_last_purchase_and_revenue(database: Database, base: dict[str, Any]) -> None:
    computed_at, period = database.rows("select computed_at, period_days from rfm_runs order by id desc limit 1")[0]
    since = as_moment(computed_at) - dt.timedelta(days=period)
    last: dict[int, dt.datetime] = {}
    ever: dict[int, float] = defaultdict(float)
    recent: dict[int, float] = defaultdict(float)
    for cid, moment, value, _ in purchases(database):
        last[cid] = max(last.get(cid, moment), moment)
        ever[cid] += value
        recent[cid] += value if moment >= since else 0.0
    kept = database.rows("select contact_id, last_purchase_at, period_revenue, lifetime_revenue from contact_rfm")
    assert {cid: (as_moment(at), round(p, 2), round(e, 2)) for cid, at, p, e in kept} == {
        cid: (last[cid], round(recent[cid], 2), round(ever[cid], 2)) for cid in last
    }


def test_rfm_groups_moves_grid_and_churn_reconcile(api: Any, database: Database, base: dict[str, Any]) -> None:
    answer = report(api, "/api/reports/rfm")
    current = dict(database.rows("select contact_id, rfm_segment from contact_rfm"))
    groups = {g["group"]: g for g in answer["groups"]}
    assert {g: v["contacts"] for g, v in groups.items() if v["contacts"]} == dict(Counter(current.values()))
    computed_at = dt.datetime.fromisoformat(answer["computed_at"])
    assert answer["as_of"] == answer["computed_at"] and answer["period_days"] == 365
    # Revenue: what each group's customers bought over the RFM period, as of the recompute.
    since = computed_at - dt.timedelta(days=answer["period_days"])
    revenue: dict[str, float] = defaultdict(float)
    for cid, moment, value, _ in purchases(database):
        if moment >= since:
            revenue[current[cid]] += value
    assert {g: v["revenue"] for g, v in groups.items() if v["revenue"]} == {
        g: round(v, 2) for g, v in revenue.items() if v
    }
    previous = dict(database.rows("select contact_id, rfm_segment from rfm_monthly where month = :m", m=months_back(1)))
    assert answer["compared_with"] == months_back(1)
    for name, group in groups.items():
        assert group["moved_in"] == sum(1 for c, g in current.items() if g == name and previous.get(c) != name), name
        assert group["moved_out"] == sum(1 for c, g in previous.items() if g == name and current.get(c) != name), name
    assert groups["lost"]["moved_out"] >= 1  # the customer gone since last month
    # The recompute kept this month's groups for next month's comparison.
    kept = dict(database.rows("select contact_id, rfm_segment from rfm_monthly where month = :m", m=month_of(NOW)))
    assert kept == current
    scores = Counter((r, f) for r, f in database.rows("select rfm_recency, rfm_frequency from contact_rfm"))
    assert {(c["recency"], c["frequency"]): c["contacts"] for c in answer["grid"] if c["contacts"]} == dict(scores)
    last: dict[int, dt.datetime] = {}
    spent: dict[int, float] = defaultdict(float)
    for cid, moment, value, _ in purchases(database):
        last[cid] = max(last.get(cid, moment), moment)
        spent[cid] += value
    expected: dict[str, list[float]] = defaultdict(lambda: [0, 0.0])
    for cid, moment in last.items():
        days = (computed_at - moment).days
        name = next(
            (b for b, hi in (("0-30", 30), ("31-90", 90), ("91-180", 180), ("181-365", 365)) if days <= hi), "365+"
        )
        expected[name][0] += 1
        expected[name][1] += spent[cid]
    assert {c["bucket"]: [c["customers"], c["revenue"]] for c in answer["churn"] if c["customers"]} == {
        b: [v[0], round(v[1], 2)] for b, v in expected.items()
    }
    csv = api.get("/api/reports/rfm", params={"format": "csv"})
    assert csv.status_code == 200 and "group,contacts,revenue" in csv.text


def test_the_whole_base_rfm_is_the_last_recomputes_a_segment_live(
    api: Any, database: Database, base: dict[str, Any]
) -> None:
    stored = report(api, "/api/reports/rfm")
    # One more of last month's champions, no customer now: not in the figures the recompute counted...
    gone = base["ids"][4]
    database.execute(
        "insert into rfm_monthly (month, contact_id, rfm_segment) values (:m, :c, 'champions')",
        m=months_back(1),
        c=gone,
    )
    assert report(api, "/api/reports/rfm") == stored
    member = static_segment(api, [gone])
    assert {g["group"]: g["moved_out"] for g in report(api, "/api/reports/rfm", segment_id=member)["groups"]}[
        "champions"
    ] == 1
    # ...counted live the same way (a run from before the figures were kept), that move aside.
    database.execute("update rfm_runs set figures = null")
    live = report(api, "/api/reports/rfm")
    moved = {g["group"]: g["moved_out"] for g in live["groups"]}
    assert moved["champions"] == {g["group"]: g["moved_out"] for g in stored["groups"]}["champions"] + 1
    expected = {**stored, "groups": [{**g, "moved_out": moved[g["group"]]} for g in stored["groups"]]}
    assert live == expected
    # The next recompute counts it, as of then.
    recompute(api)
    after = report(api, "/api/reports/rfm")
    assert after["as_of"] > stored["as_of"] and after["groups"] == live["groups"]
    database.execute("delete from rfm_monthly where contact_id = :c", c=gone)
    recompute(api)
    assert report(api, "/api/reports/rfm")["groups"] == stored["groups"]


def test_rfm_of_a_segment_counts_its_members_only(api: Any, database: Database, base: dict[str, Any]) -> None:
    members = base["ids"][:3]
    answer = report(api, "/api/reports/rfm", segment_id=static_segment(api, members))
    current = {c: g for c, g in database.rows("select contact_id, rfm_segment from contact_rfm") if c in members}
    groups = {g["group"]: g for g in answer["groups"]}
    assert answer["customers"] == len(current) == 3
    assert {g: v["contacts"] for g, v in groups.items() if v["contacts"]} == dict(Counter(current.values()))
    previous = {
        c: g
        for c, g in database.rows("select contact_id, rfm_segment from rfm_monthly where month = :m", m=months_back(1))
        if c in members
    }
    for name, group in groups.items():
        assert group["moved_in"] == sum(1 for c, g in current.items() if g == name and previous.get(c) != name), name
        assert group["moved_out"] == sum(1 for c, g in previous.items() if g == name and current.get(c) != name), name
    assert sum(c["customers"] for c in answer["churn"]) == 3
    assert sum(c["contacts"] for c in answer["grid"]) == 3
    everything = sum(v for c, _, v, _ in purchases(database) if c in members)
    assert round(sum(c["revenue"] for c in answer["churn"]), 2) == round(everything, 2)


def test_cohorts_ltv_and_cac_reconcile(api: Any, database: Database, base: dict[str, Any]) -> None:
    for month, channel, amount in (
        (months_back(5), "ads", 300.0),
        (months_back(5), "email", 60.0),
        (months_back(2), "ads", 100.0),
    ):
        assert (
            api.post("/api/marketing-spend", json={"month": month, "channel": channel, "amount": amount}).status_code
            == 201
        )
    answer = report(api, "/api/reports/cohorts", basis="first_purchase", months=12)
    assert len(answer["rows"]) == 12 and answer["rows"][-1]["month"] == month_of(NOW)
    first: dict[int, dt.datetime] = {}
    for cid, moment, _, _ in purchases(database):
        first[cid] = min(first.get(cid, moment), moment)
    rows = {r["month"]: r for r in answer["rows"]}
    by_cohort: dict[str, list[int]] = defaultdict(list)
    for cid, moment in first.items():
        by_cohort[month_of(moment)].append(cid)
    for month, row in rows.items():
        members = by_cohort.get(month, [])
        assert row["size"] == row["customers"] == row["new_customers"] == len(members), month
        assert row["revenue"] == round(sum(v for c, _, v, _ in purchases(database) if c in members), 2)
    five = rows[months_back(5)]
    assert five["spend"] == 360.0 and five["cac"] == round(360.0 / five["new_customers"], 2)
    index = lambda m: int(m[:4]) * 12 + int(m[5:7])
    members = by_cohort[months_back(5)]
    for offset in range(6):
        cumulated = sum(
            v
            for c, moment, v, _ in purchases(database)
            if c in members and index(month_of(moment)) - index(months_back(5)) <= offset
        )
        assert five["ltv"][offset] == round(cumulated / len(members), 2)
    assert five["ltv"][6] is None  # not reached yet
    assert five["ltv_cac"] == round(five["ltv"][5] / five["cac"], 2)
    assert rows[months_back(2)]["cac"] == 100.0  # one new customer that month
    assert rows[months_back(4)]["cac"] is None  # no new customers: no CAC
    created = report(api, "/api/reports/cohorts", basis="created", months=3)
    this_month = created["rows"][-1]
    assert this_month["size"] == len(PEOPLE) and this_month["customers"] == len(first)
    # Everyone was created this month: their earlier purchases count in its month 0.
    everything = sum(v for _, _, v, _ in purchases(database))
    assert this_month["revenue"] == round(everything, 2)
    assert this_month["ltv"][0] == round(everything / len(first), 2) and this_month["ltv"][1] is None
    assert [r["revenue"] for r in created["rows"][:-1]] == [0.0, 0.0]
    assert this_month["new_customers"] == rows[month_of(NOW)]["new_customers"]
    csv = api.get("/api/reports/cohorts", params={"format": "csv", "months": 3})
    assert csv.status_code == 200 and "ltv_m2" in csv.text
    bad = api.get("/api/reports/cohorts", params={"months": 99})
    assert bad.status_code == 400 and "months" in bad.text
    bad = api.get("/api/reports/cohorts", params={"basis": "ever"})
    assert bad.status_code == 400 and "basis" in bad.text


def test_products_and_starters_reconcile(api: Any, database: Database, base: dict[str, Any]) -> None:
    start = at(months_back(6), 1)
    answer = report(api, "/api/reports/products", **{"from": start.date().isoformat(), "to": NOW.date().isoformat()})
    rows = [p for p in purchases(database) if p[1] >= start]
    for line in answer["products"]:
        mine = [p for p in rows if p[3]["product"] == line["name"]]
        orders = {p[3].get("order_id") or id(p) for p in mine}
        per_buyer = Counter()
        for cid in {p[0] for p in mine}:
            per_buyer[cid] = len({p[3].get("order_id") or id(p) for p in mine if p[0] == cid})
        assert line["revenue"] == round(sum(p[2] for p in mine), 2)
        assert line["orders"] == len(orders)
        assert line["buyers"] == len(per_buyer)
        assert line["average_basket"] == round(line["revenue"] / len(orders), 2)
        assert line["repeat_rate"] == round(sum(1 for n in per_buyer.values() if n >= 2) / len(per_buyer), 4)
    assert {c["name"] for c in answer["categories"]} == {p[3]["category"] for p in rows}
    boots = next(p for p in answer["products"] if p["name"] == "boots")
    assert boots["repeat_rate"] == 0.5  # the first customer bought boots twice, the third once
    everything = purchases(database)
    first: dict[int, dt.datetime] = {}
    for cid, moment, _, _ in everything:
        first[cid] = min(first.get(cid, moment), moment)
    starters = {s["name"]: s for s in answer["starters"]}
    newcomers = {cid for cid, moment in first.items() if moment >= start}
    assert sum(s["customers"] for s in starters.values()) == len(newcomers)
    # The first customer's first order holds boots and socks: the first row recorded names it.
    assert {name: s["customers"] for name, s in starters.items()} == {"boots": 1, "socks": 2, "coat": 1}
    assert starters["boots"]["first_revenue"] == 120.0 and starters["boots"]["revenue"] == 220.0
    total = sum(v for c, _, v, _ in everything if c in newcomers)
    assert round(sum(s["revenue"] for s in starters.values()), 2) == round(total, 2)
    csv = api.get("/api/reports/products", params={"format": "csv"})
    assert csv.status_code == 200 and "average_basket" in csv.text


def test_a_cohort_by_creation_and_an_rfm_group_become_segments(api: Any, base: dict[str, Any]) -> None:
    month, following = months_back(0), months_back(-1)
    # The rules the Value page writes for "Create a segment from this".
    rule = f'created_at >= d"{month}-01T00:00:00+00:00" and created_at < d"{following}-01T00:00:00+00:00"'
    cohort = api.post("/api/segments", json={"name": "Created this month", "kind": "dynamic", "rule": rule})
    assert cohort.status_code == 201, cohort.text
    group = api.post("/api/segments", json={"name": "RFM lost", "kind": "dynamic", "rule": 'rfm_segment == "lost"'})
    assert group.status_code == 201, group.text
    preview = api.post("/api/segments/preview", json={"rule": rule})
    assert preview.status_code == 200, preview.text
    assert preview.json()["count"] == len(PEOPLE)
