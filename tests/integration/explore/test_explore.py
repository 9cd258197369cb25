"""Free exploration through the real app: answers reconciled with the raw rows (revenue by RFM
group, contacts by country x stage, purchases by month x category, median basket, a nested
property, a segment's members), the row limit, bad questions named, rights, a row made into a
segment, saved questions. The module's database holds only these contacts."""

from __future__ import annotations

import asyncio
import datetime as dt
import statistics
from collections import Counter, defaultdict
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from parcours.settings import async_url
from tests.factories import static_segment, unique_email

NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)
PEOPLE = [
    ("FR", "customer"),
    ("FR", "lead"),
    ("BE", "customer"),
    ("BE", "customer"),
    (None, "lead"),
    ("FR", "customer"),
]
# (person, days ago, amount, category, product)
PURCHASES = [
    (0, 5, 120.0, "shoes", "boot"),
    (0, 40, 80.0, "bags", "tote"),
    (2, 70, 35.5, "shoes", "sandal"),
    (3, 12, 300.0, "bags", "trunk"),
    (3, 100, 10.0, "shoes", "sock"),
    (3, 101, 12.0, "shoes", "sock"),
    (5, 200, 55.0, "hats", "cap"),
]


def raw(api: Any, sql: str) -> list[Any]:
    """Rows read straight from the module's database, to reconcile the answers with."""

    async def read() -> list[Any]:
        engine = create_async_engine(async_url(api.app.state.runtime.settings.database_url))
        try:
            async with engine.connect() as connection:
                return list((await connection.execute(text(sql))).all())
        finally:
            await engine.dispose()

    return asyncio.run(read())


def ask(api: Any, question: dict[str, Any], **headers: str) -> dict[str, Any]:
    response = api.post("/api/explore", json=question, headers=headers or None)
    assert response.status_code == 200, response.text
    return dict(response.json())


def as_dict(answer: dict[str, Any], groups: int = 1) -> dict[Any, Any]:
    return {tuple(r[:groups]) if groups > 1 else r[0]: r[groups:] for r in answer["rows"]}


@pytest.fixture(scope="module")
def base(api: Any) -> dict[str, Any]:
    ids = []
    for country, stage in PEOPLE:
        body: dict[str, Any] = {"email": unique_email("explore"), "lifecycle_stage": stage}
        if country:
            body["country"] = country
        response = api.post("/api/contacts", json=body)
        assert response.status_code == 201, response.text
        ids.append(response.json()["id"])
    batch: list[dict[str, Any]] = [
        {
            "type": "purchase",
            "contact_id": ids[who],
            "occurred_at": (NOW - dt.timedelta(days=days)).isoformat(),
            "properties": {"amount": amount, "category": category, "product": product, "order_id": f"o{n}"},
        }
        for n, (who, days, amount, category, product) in enumerate(PURCHASES)
    ]
    sources = ["newsletter", "newsletter", "ads", None]
    batch += [
        {
            "type": "page_visited",
            "contact_id": ids[i],
            "properties": {"url": "https://shop.example/", **({"utm": {"source": s}} if s else {})},
        }
        for i, s in enumerate(sources)
    ]
    response = api.post("/api/interactions", json={"batch": batch})
    assert response.status_code in (200, 202), response.text
    expected = len(batch)
    api.eventually(lambda: ask(api, {"dataset": "interactions"})["rows"][0][0] == expected)
    job = api.wait_job(api.post("/api/rfm/recompute").json()["job_id"])
    assert job["status"] == "done", job
    return {"ids": ids}


def test_revenue_by_rfm_group_reconciles_with_purchases(api: Any, base: dict[str, Any]) -> None:
    answer = ask(
        api,
        {
            "dataset": "purchases",
            "group_by": ["rfm_segment"],
            "measures": [{"kind": "sum", "field": "amount"}, {"kind": "contacts"}, {"kind": "count"}],
        },
    )
    assert [c["name"] for c in answer["columns"]] == ["rfm_segment", "sum(amount)", "contacts", "count"]
    assert answer["truncated"] is False and answer["as_of"]
    rows = raw(
        api,
        "select r.rfm_segment, i.value, i.contact_id from interactions i"
        " left join contact_rfm r on r.contact_id = i.contact_id where i.type = 'purchase'",
    )
    revenue: dict[Any, float] = defaultdict(float)
    buyers: dict[Any, set[int]] = defaultdict(set)
    for group, value, contact_id in rows:
        revenue[group] += value
        buyers[group].add(contact_id)
    got = as_dict(answer)
    assert set(got) == set(revenue)
    for group, (total, contacts, count) in got.items():
        assert total == pytest.approx(revenue[group])
        assert contacts == len(buyers[group])
        assert count == sum(1 for g, _, _ in rows if g == group)
    # The largest revenue first.
    assert [r[1] for r in answer["rows"]] == sorted((r[1] for r in answer["rows"]), reverse=True)


def test_contacts_by_country_and_stage(api: Any, base: dict[str, Any]) -> None:
    answer = ask(api, {"dataset": "contacts", "group_by": ["country", "lifecycle_stage"]})
    expected = Counter((c, s) for c, s in raw(api, "select country, lifecycle_stage from contacts"))
    assert {k: v[0] for k, v in as_dict(answer, 2).items()} == dict(expected)
    assert expected[("BE", "customer")] == 2


def test_purchases_by_month_and_category(api: Any, base: dict[str, Any]) -> None:
    answer = ask(
        api,
        {"dataset": "purchases", "group_by": ["month", "category"], "measures": [{"kind": "sum", "field": "amount"}]},
    )
    expected: dict[tuple[str, str], float] = defaultdict(float)
    for _who, days, amount, category, _product in PURCHASES:
        expected[((NOW - dt.timedelta(days=days)).strftime("%Y-%m"), category)] += amount
    got = {k: v[0] for k, v in as_dict(answer, 2).items()}
    assert got == pytest.approx(dict(expected))
    # Time goes in order.
    assert [r[0] for r in answer["rows"]] == sorted(r[0] for r in answer["rows"])


def test_weeks_start_on_monday(api: Any, base: dict[str, Any]) -> None:
    answer = ask(api, {"dataset": "purchases", "group_by": ["week"]})
    expected = Counter(
        (
            (NOW - dt.timedelta(days=days)).date() - dt.timedelta(days=(NOW - dt.timedelta(days=days)).weekday())
        ).isoformat()
        for _w, days, *_ in PURCHASES
    )
    assert {k: v[0] for k, v in as_dict(answer).items()} == dict(expected)


def test_median_basket_and_average(api: Any, base: dict[str, Any]) -> None:
    answer = ask(
        api,
        {
            "dataset": "purchases",
            "group_by": ["category"],
            "measures": [{"kind": "median", "field": "amount"}, {"kind": "avg", "field": "amount"}],
        },
    )
    by_category: dict[str, list[float]] = defaultdict(list)
    for _w, _d, amount, category, _p in PURCHASES:
        by_category[category].append(amount)
    got = as_dict(answer)
    for category, amounts in by_category.items():
        assert got[category][0] == pytest.approx(statistics.median(amounts))
        assert got[category][1] == pytest.approx(round(statistics.mean(amounts), 2))
    overall = ask(api, {"dataset": "purchases", "measures": [{"kind": "median", "field": "amount"}]})
    assert overall["rows"] == [[pytest.approx(statistics.median(p[2] for p in PURCHASES))]]


def test_nested_property_type_filter_and_period(api: Any, base: dict[str, Any]) -> None:
    answer = ask(
        api,
        {"dataset": "interactions", "filters": {"types": ["page_visited"]}, "group_by": ["property:utm.source"]},
    )
    assert {k: v[0] for k, v in as_dict(answer).items()} == {"newsletter": 2, "ads": 1, None: 1}
    recent = ask(
        api,
        {
            "dataset": "purchases",
            "filters": {"from": (NOW - dt.timedelta(days=45)).date().isoformat(), "to": NOW.date().isoformat()},
            "measures": [{"kind": "sum", "field": "amount"}],
        },
    )
    assert recent["rows"] == [[pytest.approx(120.0 + 80.0 + 300.0)]]
    by_property = ask(api, {"dataset": "purchases", "filters": {"properties": {"category": "shoes"}}})
    assert by_property["rows"] == [[4]]


def test_rule_filter_and_segment_membership(api: Any, base: dict[str, Any]) -> None:
    ids = base["ids"]
    segment_id = static_segment(api, [ids[0], ids[3]])
    answer = ask(
        api,
        {
            "dataset": "purchases",
            "filters": {"rule": 'country == "FR"'},
            "group_by": [f"segment:{segment_id}"],
            "measures": [{"kind": "sum", "field": "amount"}],
        },
    )
    # FR buyers: person 0 (in the segment: 200) and person 5 (out: 55).
    assert {k: v[0] for k, v in as_dict(answer).items()} == {"in": pytest.approx(200.0), "out": pytest.approx(55.0)}


def test_row_limit_truncates(api: Any, base: dict[str, Any]) -> None:
    kind = unique_email("many").split("@")[0].replace(".", "_")
    batch = [{"type": kind, "contact_id": base["ids"][0], "properties": {"n": n}} for n in range(1001)]
    for part in (batch[:500], batch[500:]):  # a batch holds up to 1,000
        assert api.post("/api/interactions", json={"batch": part}).status_code in (200, 202)
    question = {"dataset": "interactions", "filters": {"types": [kind]}, "group_by": ["property:n"]}
    api.eventually(lambda: ask(api, {"dataset": "interactions", "filters": {"types": [kind]}})["rows"] == [[1001]])
    answer = ask(api, question)
    assert answer["truncated"] is True and len(answer["rows"]) == 1000


@pytest.mark.parametrize(
    ("question", "field"),
    [
        ({"dataset": "contacts", "group_by": ["country", "shoe_size"]}, "group_by[1]"),
        ({"dataset": "purchases", "measures": [{"kind": "sum", "field": "country"}]}, "measures[0].field"),
        ({"dataset": "purchases", "measures": [{"kind": "count"}, {"kind": "avg"}]}, "measures[1].field"),
        ({"dataset": "contacts", "filters": {"rule": "country ="}}, "filters.rule"),
        ({"dataset": "contacts", "group_by": ["segment:999999"]}, "group_by[0]"),
        ({"dataset": "contacts", "group_by": ["property:x"]}, "group_by[0]"),
        ({"dataset": "interactions", "group_by": ["property:bad key"]}, "group_by[0]"),
        ({"dataset": "contacts", "group_by": ["created_at"]}, "group_by[0]"),
        ({"dataset": "purchases", "filters": {"stages": ["won"]}}, "filters.stages"),
        ({"dataset": "purchases", "filters": {"from": "2026-02-01", "to": "2026-01-01"}}, "filters.from"),
    ],
)
def test_bad_questions_name_the_field(api: Any, base: dict[str, Any], question: dict[str, Any], field: str) -> None:
    response = api.post("/api/explore", json=question)
    assert response.status_code == 400, response.text
    assert response.json()["error"]["field"] == field, response.json()


def test_unknown_dataset_and_three_groups_are_refused(api: Any) -> None:
    assert api.post("/api/explore", json={"dataset": "orders"}).status_code == 400
    three = {"dataset": "contacts", "group_by": ["country", "lifecycle_stage", "language"]}
    assert api.post("/api/explore", json=three).status_code == 400


def test_a_row_becomes_a_segment_of_its_contacts(api: Any, base: dict[str, Any]) -> None:
    question = {"dataset": "purchases", "group_by": ["category"], "measures": [{"kind": "contacts"}]}
    shoes = as_dict(ask(api, question))["shoes"][0]
    count = api.post("/api/explore/count", json={"question": question, "values": ["shoes"]})
    assert count.json() == {"contacts": shoes}
    made = api.post("/api/explore/segment", json={"question": question, "values": ["shoes"], "name": "Shoe buyers"})
    assert made.status_code == 201, made.text
    assert made.json()["size"] == shoes == 3
    segment = api.get(f"/api/segments/{made.json()['segment_id']}").json()
    assert segment["kind"] == "static" and segment["member_count"] == 3 and segment["name"] == "Shoe buyers"
    members = api.get(f"/api/segments/{segment['id']}/members").json()["items"]
    assert {m["id"] for m in members} == {base["ids"][i] for i in (0, 2, 3)}
    wrong = api.post("/api/explore/segment", json={"question": question, "values": [], "name": "x"})
    assert wrong.status_code == 400 and wrong.json()["error"]["field"] == "values"


def test_viewers_explore_but_do_not_make_segments(api: Any, base: dict[str, Any]) -> None:
    viewer = api.as_key(api.new_key("viewer"))
    question = {"dataset": "contacts", "group_by": ["country"]}
    assert api.post("/api/explore", json=question, headers=viewer).status_code == 200
    assert api.post("/api/explore/count", json={"question": question, "values": ["FR"]}, headers=viewer).json() == {
        "contacts": 3
    }
    made = api.post("/api/explore/segment", json={"question": question, "values": ["FR"], "name": "FR"}, headers=viewer)
    assert made.status_code == 403
    assert api.post("/api/explorations", json={"name": "x", "question": question}, headers=viewer).status_code == 403


def test_saved_questions_mine_and_shared(api: Any) -> None:
    alice, bob = api.as_key(api.new_key("marketer")), api.as_key(api.new_key("marketer"))
    question = {"dataset": "purchases", "group_by": ["rfm_segment"], "measures": [{"kind": "sum", "field": "amount"}]}
    made = api.post("/api/explorations", json={"name": "Revenue by RFM", "question": question}, headers=alice)
    assert made.status_code == 201, made.text
    saved = made.json()
    assert saved["mine"] is True and saved["shared"] is False and saved["chart"] == "bar"
    assert saved["question"]["group_by"] == ["rfm_segment"]
    assert api.get("/api/explorations", headers=bob).json()["total"] == 0
    assert api.get(f"/api/explorations/{saved['id']}", headers=bob).status_code == 404
    shared = api.patch(f"/api/explorations/{saved['id']}", json={"shared": True, "chart": "table"}, headers=alice)
    assert shared.status_code == 200 and shared.json()["shared"] is True
    seen = api.get("/api/explorations", headers=bob).json()
    assert [e["name"] for e in seen["items"]] == ["Revenue by RFM"] and seen["items"][0]["mine"] is False
    assert api.patch(f"/api/explorations/{saved['id']}", json={"name": "Mine"}, headers=bob).status_code == 403
    assert api.delete(f"/api/explorations/{saved['id']}", headers=bob).status_code == 403
    bad = api.post("/api/explorations", json={"name": "x", "question": {"dataset": "contacts", "group_by": 3}})
    assert bad.status_code == 400
    assert api.delete(f"/api/explorations/{saved['id']}", headers=alice).status_code == 204
    assert api.get(f"/api/explorations/{saved['id']}", headers=alice).status_code == 404


def test_opportunities_by_stage_and_close_month(api: Any, base: dict[str, Any]) -> None:
    ids = base["ids"]
    deals = [
        (ids[0], "won", "2026-03-10", 1000.0),
        (ids[1], "won", "2026-03-28", 500.0),
        (ids[2], "lost", "2026-04-02", None),
        (ids[3], "propose", "2026-05-15", None),
    ]
    for contact_id, stage, close, revenue in deals:
        body = {"name": f"Deal {stage}", "contact_id": contact_id, "stage": stage, "close_date": close}
        if revenue is not None:
            body["actual_revenue"] = revenue
        assert api.post("/api/opportunities", json=body).status_code == 201
    answer = ask(
        api,
        {
            "dataset": "opportunities",
            "filters": {"stages": ["won", "lost"], "from": "2026-03-01", "to": "2026-04-30"},
            "group_by": ["month", "stage"],
            "measures": [{"kind": "count"}, {"kind": "sum", "field": "actual_revenue"}],
        },
    )
    assert answer["rows"] == [["2026-03", "won", 2, pytest.approx(1500.0)], ["2026-04", "lost", 1, None]]


def test_time_and_type_questions_come_from_the_daily_counts(api: Any, base: dict[str, Any]) -> None:
    question = {
        "dataset": "interactions",
        "group_by": ["month", "type"],
        "measures": [{"kind": "count"}, {"kind": "sum", "field": "value"}, {"kind": "avg", "field": "value"}],
    }

    def from_rows() -> tuple[Counter[tuple[str, str]], dict[tuple[str, str], list[float]]]:
        counts: Counter[tuple[str, str]] = Counter()
        values: dict[tuple[str, str], list[float]] = defaultdict(list)
        for at, kind, value in raw(api, "select occurred_at, type, value from interactions"):
            moment = at if isinstance(at, dt.datetime) else dt.datetime.fromisoformat(at)
            key = ((moment.astimezone(dt.UTC) if moment.tzinfo else moment).strftime("%Y-%m"), kind)
            counts[key] += 1
            if value is not None:
                values[key].append(float(value))
        return counts, values

    def caught_up() -> Any:
        # Other tests' interactions reach the daily counts once the stream has handed them on.
        answer, (counts, values) = ask(api, question), from_rows()
        return (answer, counts, values) if {k: v[0] for k, v in as_dict(answer, 2).items()} == counts else None

    found = api.eventually(caught_up)
    assert found, "the daily counts never matched the raw rows"
    answer, counts, values = found
    assert answer["source"] == "daily" and answer["as_of"]
    got = as_dict(answer, 2)
    for key in counts:
        expected_sum = round(sum(values[key]), 2) if values[key] else None
        expected_avg = round(statistics.mean(values[key]), 2) if values[key] else None
        assert got[key][1:] == [pytest.approx(expected_sum), pytest.approx(expected_avg)], key
    # Distinct contacts do not add up across days: the raw rows answer, with the same groups.
    people = ask(api, {**question, "measures": [{"kind": "count"}, {"kind": "contacts"}]})
    assert people["source"] == "interactions"
    assert {k: v[0] for k, v in as_dict(people, 2).items()} == dict(counts)


def test_purchases_by_week_in_a_period_from_the_daily_counts(api: Any, base: dict[str, Any]) -> None:
    start, end = (NOW - dt.timedelta(days=75)).date(), (NOW - dt.timedelta(days=10)).date()
    answer = ask(
        api,
        {
            "dataset": "purchases",
            "filters": {"from": start.isoformat(), "to": end.isoformat()},
            "group_by": ["week"],
            "measures": [{"kind": "sum", "field": "amount"}, {"kind": "count"}],
        },
    )
    assert answer["source"] == "daily"
    expected: dict[str, list[float]] = defaultdict(lambda: [0.0, 0])
    for _who, days, amount, *_ in PURCHASES:
        day = (NOW - dt.timedelta(days=days)).date()
        if start <= day <= end:
            monday = (day - dt.timedelta(days=day.weekday())).isoformat()
            expected[monday][0] += amount
            expected[monday][1] += 1
    assert {k: v for k, v in as_dict(answer).items()} == {k: [pytest.approx(s), n] for k, (s, n) in expected.items()}


def test_an_erased_contact_leaves_the_daily_counts(api: Any) -> None:
    kind = unique_email("erased").split("@")[0].replace(".", "_")
    contact = api.post("/api/contacts", json={"email": unique_email("erased")}).json()
    other = api.post("/api/contacts", json={"email": unique_email("kept")}).json()
    batch = [{"type": kind, "contact_id": contact["id"], "properties": {"value": 2.5}} for _ in range(3)]
    batch.append({"type": kind, "contact_id": other["id"], "properties": {"value": 4.0}})
    assert api.post("/api/interactions", json={"batch": batch}).status_code in (200, 202)
    question = {
        "dataset": "interactions",
        "filters": {"types": [kind]},
        "measures": [{"kind": "count"}, {"kind": "sum", "field": "value"}],
    }
    api.eventually(lambda: ask(api, question)["rows"] == [[4, 11.5]])
    assert api.delete(f"/api/contacts/{contact['id']}").status_code == 204
    answer = ask(api, question)
    assert answer["source"] == "daily" and answer["rows"] == [[1, 4.0]]
    assert raw(api, f"select count(*), sum(value) from interactions where type = '{kind}'") == [(1, 4.0)]


def test_the_daily_counts_are_rebuilt_from_the_raw_rows(api: Any, base: dict[str, Any]) -> None:
    from parcours.db import create_engine, session_factory
    from parcours.explore import rollup

    question = {"dataset": "purchases", "group_by": ["month"], "measures": [{"kind": "sum", "field": "amount"}]}
    before = ask(api, question)
    assert before["source"] == "daily"

    async def on_database(rebuilding: bool) -> int:
        engine = create_engine(async_url(api.app.state.runtime.settings.database_url))
        try:
            if rebuilding:
                start = (NOW - dt.timedelta(days=400)).date()
                return await rollup.rebuild(session_factory(engine), start, NOW.date())
            async with engine.begin() as connection:
                await connection.execute(text("delete from explore_daily where type = 'purchase'"))
            return 0
        finally:
            await engine.dispose()

    asyncio.run(on_database(rebuilding=False))
    assert ask(api, question)["rows"] == []
    assert asyncio.run(on_database(rebuilding=True)) > 0
    assert ask(api, question)["rows"] == before["rows"]
