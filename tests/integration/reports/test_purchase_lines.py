"""The cohort and product reports read purchase lines, customers' firsts and the cohorts' revenue
(by first purchase, by creation) that the interaction stream keeps: each figure is recomputed from
the raw purchase interactions and contacts after purchases arrive, after a purchase older than a
customer's first arrives late, after a merge (the other contact bought first, and was created in
another month) and after an erasure, with buyers coming back to an order over several days,
switching between orders and sharing an order with another contact; the products report over many
periods (each starting before, on or after a purchase day); then after the schema is taken back
before the lines' days and markers and brought up again (the migration fills them for the lines
already there) and after purchases arrive since; a rebuild from the raw rows then changes no
answer. The module's database holds only these contacts, created in different months."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import inspect

from parcours.clock import clock
from parcours.reports import purchases
from tests.database import Database
from tests.factories import static_segment, unique_email
from tests.integration.reports.test_customers import NOW, at, month_of, months_back

START = at(months_back(8), 1)
Row = tuple[int, int, dt.datetime, float, dict[str, Any]]


@pytest.fixture(scope="module")
def database(database_url: str, api: Any) -> Iterator[Database]:
    opened = Database(database_url)
    yield opened
    opened.close()


def _moment(value: Any) -> dt.datetime:
    moment = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment


def raw(database: Database) -> list[Row]:
    rows = database.rows(
        "select id, contact_id, occurred_at, value, properties from interactions where type = 'purchase' order by id"
    )
    return [(i, c, _moment(m), float(v or 0), json.loads(p) if isinstance(p, str) else p) for i, c, m, v, p in rows]


def bought(contact_id: int, months_ago: int, amount: float, product: str, **more: Any) -> dict[str, Any]:
    moment = min(at(months_back(months_ago), more.pop("day", 12)), NOW - dt.timedelta(minutes=5))
    properties = {"amount": amount, "product": product, "category": more.pop("category", "misc"), **more}
    return {"type": "purchase", "contact_id": contact_id, "occurred_at": moment.isoformat(), "properties": properties}


def record(api: Any, database: Database, batch: list[dict[str, Any]]) -> None:
    response = api.post("/api/interactions", json={"batch": batch})
    assert response.status_code in (200, 202), response.text
    caught_up(api, database)


def caught_up(api: Any, database: Database) -> None:
    """Wait until the stream has given every purchase its line (and its customer a first)."""

    def done() -> bool:
        lines = database.rows("select count(*) from purchase_lines")[0][0]
        customers = database.rows("select count(*) from customer_firsts")[0][0]
        rows = raw(database)
        return bool(lines == len(rows) and customers == len({r[1] for r in rows}))

    assert api.eventually(done, 30)


def get(api: Any, path: str, **query: Any) -> dict[str, Any]:
    response = api.get(path, params=query)
    assert response.status_code == 200, response.text
    return dict(response.json())


def order(row: Row) -> str:
    """The order of a purchase: its order_id, or itself."""
    return str(row[4].get("order_id") or row[0])


def expected_lines(rows: list[Row], key: str) -> dict[str | None, dict[str, Any]]:
    found: dict[str | None, dict[str, Any]] = {}
    for name in {r[4].get(key) for r in rows}:
        mine = [r for r in rows if r[4].get(key) == name]
        per_buyer = {c: {order(r) for r in mine if r[1] == c} for c in {r[1] for r in mine}}
        revenue, orders = sum(r[3] for r in mine), {order(r) for r in mine}
        quantity = sum(q for r in mine if isinstance(q := r[4].get("quantity"), (int, float)))
        found[name] = {
            "revenue": round(revenue, 2),
            "orders": len(orders),
            "buyers": len(per_buyer),
            "quantity": float(quantity),
            "average_basket": round(revenue / len(orders), 2),
            "repeat_rate": round(sum(1 for o in per_buyer.values() if len(o) >= 2) / len(per_buyer), 4),
        }
    return found


def periods() -> list[tuple[dt.date, dt.date]]:
    """Periods starting the day before, on, and the day after a purchase day (the 12th) of the last
    months, or on the 1st; ending today, or on or just before a purchase day."""
    ends = [NOW.date(), at(months_back(1), 12).date(), at(months_back(3), 11).date()]
    starts = [at(months_back(n), day).date() for n in range(8) for day in (1, 11, 12, 13)]
    return [(start, end) for start in starts for end in ends if start <= end <= NOW.date()]


def reconcile_products(api: Any, rows: list[Row]) -> None:
    """The products and categories of the report over every period of periods() against the raw
    purchases of the period."""
    for start, end in periods():
        since = dt.datetime.combine(start, dt.time(), dt.UTC)
        until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), dt.UTC)
        period = [r for r in rows if since <= r[2] < until]
        answer = get(api, "/api/reports/products", **{"from": start.isoformat(), "to": end.isoformat()})
        for kind, key in (("products", "product"), ("categories", "category")):
            shown = {line["name"]: {k: v for k, v in line.items() if k != "name"} for line in answer[kind]}
            assert shown == expected_lines(period, key), (kind, start, end)


def firsts(rows: list[Row]) -> dict[int, Row]:
    """Each customer's first purchase: the earliest, then the lowest id."""
    found: dict[int, Row] = {}
    for row in sorted(rows, key=lambda r: (r[2], r[0])):
        found.setdefault(row[1], row)
    return found


def expected_starters(rows: list[Row], key: str, since: dt.datetime) -> dict[str | None, dict[str, Any]]:
    found: dict[str | None, dict[str, Any]] = defaultdict(lambda: {"customers": 0, "first": 0.0, "revenue": 0.0})
    for cid, first in firsts(rows).items():
        if first[2] >= since:
            line = found[first[4].get(key)]
            line["customers"] += 1
            line["first"] += sum(r[3] for r in rows if r[1] == cid and r[2] == first[2])
            line["revenue"] += sum(r[3] for r in rows if r[1] == cid)
    return {
        k: {"customers": v["customers"], "first": round(v["first"], 2), "revenue": round(v["revenue"], 2)}
        for k, v in found.items()
    }


def index(month: str) -> int:
    return int(month[:4]) * 12 + int(month[5:7]) - 1


def expected_cohorts(database: Database, rows: list[Row], basis: str, months: int) -> dict[str, dict[str, Any]]:
    created = {c: _moment(m) for c, m in database.rows("select id, created_at from contacts")}
    first = {cid: row[2] for cid, row in firsts(rows).items()}
    joined = first if basis == "first_purchase" else created
    current = index(month_of(NOW))
    out = {}
    for n in range(months - 1, -1, -1):
        month = months_back(n)
        members = {c for c, moment in joined.items() if month_of(moment) == month}
        customers = len(members & first.keys())
        mine = [r for r in rows if r[1] in members]
        ltv: list[float | None] = []
        for offset in range(months):
            cumulated = sum(r[3] for r in mine if max(0, index(month_of(r[2])) - index(month)) <= offset)
            reached = customers and index(month) + offset <= current
            ltv.append(round(cumulated / customers, 2) if reached else None)
        out[month] = {
            "size": len(members),
            "customers": customers,
            "revenue": round(sum(r[3] for r in mine), 2),
            "new_customers": sum(1 for moment in first.values() if month_of(moment) == month),
            "ltv": ltv,
        }
    return out


def kept_created(database: Database) -> dict[tuple[int, int], float]:
    """The kept revenue by (creation month, month), cells moved back to nothing left out."""
    rows = database.rows("select cohort, month, revenue from created_cohort_months")
    return {(c, m): round(v, 2) for c, m, v in rows if round(v, 2)}


def expected_kept(database: Database, rows: list[Row]) -> dict[tuple[int, int], float]:
    """Every purchase's revenue by (its contact's creation month, its month), from the raw rows."""
    created = {c: index(month_of(_moment(m))) for c, m in database.rows("select id, created_at from contacts")}
    cells: dict[tuple[int, int], float] = defaultdict(float)
    for _, cid, moment, amount, _ in rows:
        cells[(created[cid], index(month_of(moment)))] += amount
    return {cell: round(v, 2) for cell, v in cells.items() if round(v, 2)}


def reconcile(api: Any, database: Database, segment: tuple[int, set[int]] | None = None) -> dict[str, Any]:
    """The products and cohorts reports (products only, for a segment's members), each figure
    checked against the raw purchases."""
    rows = [r for r in raw(database) if segment is None or r[1] in segment[1]]
    period = [r for r in rows if r[2] >= START]
    query = {"from": START.date().isoformat(), "to": NOW.date().isoformat()}
    answer = get(api, "/api/reports/products", **query, **({"segment_id": segment[0]} if segment else {}))
    for kind, key in (("products", "product"), ("categories", "category")):
        shown = {line["name"]: {k: v for k, v in line.items() if k != "name"} for line in answer[kind]}
        assert shown == expected_lines(period, key), kind
    for kind, key in (("starters", "product"), ("starter_categories", "category")):
        shown = {
            s["name"]: {"customers": s["customers"], "first": s["first_revenue"], "revenue": s["revenue"]}
            for s in answer[kind]
        }
        assert shown == expected_starters(rows, key, START), kind
    if segment:
        return answer
    reconcile_products(api, rows)
    assert kept_created(database) == expected_kept(database, rows)
    for basis in ("first_purchase", "created"):
        cohorts = get(api, "/api/reports/cohorts", basis=basis, months=12)
        shown = {
            r["month"]: {k: r[k] for k in ("size", "customers", "revenue", "new_customers", "ltv")}
            for r in cohorts["rows"]
        }
        assert shown == expected_cohorts(database, rows, basis, 12), basis
    return answer


@pytest.fixture(scope="module")
def people(api: Any) -> dict[str, int]:
    """Ada created 3 months ago, Bob 7 (before his first purchase), Cyd 1 month ago (after her
    only purchase), Dee now; Eve and Fay 8 months ago."""
    ids = {}
    for name, days_ago in (("ada", 95), ("bob", 215), ("cyd", 32), ("dee", 0), ("eve", 245), ("fay", 245)):
        clock.advance(dt.timedelta(days=-days_ago))
        try:
            made = api.post("/api/contacts", json={"email": unique_email(name)})
        finally:
            clock.reset()
        assert made.status_code == 201, made.text
        ids[name] = made.json()["id"]
    return ids


def test_purchases_as_they_arrive(api: Any, database: Database, people: dict[str, int]) -> None:
    ada, bob, cyd, dee = (people[n] for n in ("ada", "bob", "cyd", "dee"))
    record(
        api,
        database,
        [
            bought(ada, 2, 50.0, "scarf", category="accessories", order_id="a1", quantity=1),
            bought(ada, 1, 70.0, "boots", category="shoes", quantity=2),
            # One order of two lines: the first recorded names Bob's first product.
            bought(bob, 4, 30.0, "hat", category="accessories", order_id="b1"),
            bought(bob, 4, 10.0, "gloves", category="accessories", order_id="b1"),
            bought(bob, 0, 25.0, "hat", category="accessories", order_id="b2"),
            bought(cyd, 3, 200.0, "coat", category="outerwear", order_id="c1"),
            # A quantity that is no number counts as none.
            bought(dee, 5, 40.0, "boots", category="shoes", order_id="d1", quantity="two"),
        ],
    )
    answer = reconcile(api, database)
    starters = {s["name"]: s for s in answer["starters"]}
    assert starters["hat"]["first_revenue"] == 40.0 and starters["hat"]["revenue"] == 65.0
    assert {p["name"]: p["quantity"] for p in answer["products"]}["boots"] == 2.0
    # A purchase older than Dee's first arrives late: it becomes her first.
    record(api, database, [bought(dee, 6, 15.0, "socks", category="accessories", order_id="d0")])
    answer = reconcile(api, database)
    assert {s["name"]: s["customers"] for s in answer["starters"]}["socks"] == 1
    assert "boots" not in {s["name"] for s in answer["starters"]}  # Ada started with a scarf
    segment = static_segment(api, [ada, dee])
    mine = reconcile(api, database, (segment, {ada, dee}))
    assert {s["name"]: s["customers"] for s in mine["starters"]} == {"scarf": 1, "socks": 1}


def test_a_merge_and_an_erasure(api: Any, database: Database, people: dict[str, int]) -> None:
    ada, bob, cyd = people["ada"], people["bob"], people["cyd"]
    merged = api.post(f"/api/contacts/{ada}/merge", json={"other_id": bob})
    assert merged.status_code == 200, merged.text
    assert api.delete(f"/api/contacts/{cyd}").status_code == 204
    caught_up(api, database)
    answer = reconcile(api, database)
    # Bob bought first: Ada now started with his hat, and has bought everything of both.
    starters = {s["name"]: s for s in answer["starters"]}
    assert "scarf" not in starters and starters["hat"]["customers"] == 1
    assert starters["hat"]["revenue"] == 50.0 + 70.0 + 30.0 + 10.0 + 25.0
    assert "coat" not in {p["name"] for p in answer["products"]}  # Cyd's purchases went with her
    # Bob's purchases moved to the cohort of the month Ada was created in.
    created = {r["month"]: r for r in get(api, "/api/reports/cohorts", basis="created", months=12)["rows"]}
    ada_month = month_of(_moment(database.rows("select created_at from contacts where id = :a", a=ada)[0][0]))
    assert created[ada_month]["revenue"] == 50.0 + 70.0 + 30.0 + 10.0 + 25.0
    assert created[ada_month]["customers"] == 1
    assert database.rows("select count(*) from purchase_lines where contact_id in (:b, :c)", b=bob, c=cyd) == [(0,)]


def test_repeat_buyers_and_shared_orders_over_any_period(api: Any, database: Database, people: dict[str, int]) -> None:
    eve, fay = people["eve"], people["fay"]
    record(
        api,
        database,
        [
            # Eve: lamps in order e1, then e2, then e1 again over two days (one order), then e3.
            bought(eve, 6, 20.0, "lamp", category="home", order_id="e1", quantity=1),
            bought(eve, 4, 22.0, "lamp", category="home", order_id="e2", quantity=1),
            bought(eve, 4, 8.0, "rug", category="home", order_id="e2", day=13),
            bought(eve, 2, 20.0, "lamp", category="home", order_id="e1", day=11),
            bought(eve, 2, 21.0, "lamp", category="home", order_id="e1", day=12),
            bought(eve, 1, 23.0, "lamp", category="home", order_id="e3", day=13),
            # Fay's order g1 is Eve's too (a gift bought together): one order, two buyers.
            bought(fay, 3, 30.0, "lamp", category="home", order_id="g1"),
            bought(eve, 3, 5.0, "lamp", category="home", order_id="g1", day=13),
            bought(fay, 1, 31.0, "lamp", category="home", order_id="f1"),
        ],
    )
    reconcile(api, database)
    # Eve bought lamps in three orders the last 2 months (e1 twice), Fay in one.
    two_months = {"from": at(months_back(2), 1).date().isoformat(), "to": NOW.date().isoformat()}
    lamp = next(p for p in get(api, "/api/reports/products", **two_months)["products"] if p["name"] == "lamp")
    assert (lamp["orders"], lamp["buyers"], lamp["repeat_rate"]) == (3, 2, 0.5)
    # A purchase older than all of Eve's arrives late: the lines after it count from it.
    record(api, database, [bought(eve, 7, 19.0, "lamp", category="home", order_id="e3")])
    reconcile(api, database)
    # Fay merged into Eve: the gift order is one buyer's.
    merged = api.post(f"/api/contacts/{eve}/merge", json={"other_id": fay})
    assert merged.status_code == 200, merged.text
    caught_up(api, database)
    reconcile(api, database)
    assert database.rows("select count(*) from purchase_lines where order_shared") == [(0,)]


def test_lines_written_before_the_migration(api: Any, database: Database, people: dict[str, int]) -> None:
    """The schema taken back before the lines' days and markers, and brought up again: the
    migration sets them for every line already there; purchases arriving since get theirs."""
    from alembic.script import ScriptDirectory

    from parcours import db

    config = db.alembic_config(database.engine.url.render_as_string(hide_password=False))
    before = ScriptDirectory.from_config(config).get_revision("0040").down_revision
    # Ada's order a1 is Dee's too, before the migration: the migration flags both lines.
    record(api, database, [bought(people["dee"], 2, 12.0, "boots", category="shoes", order_id="a1")])

    async def columns() -> set[str]:
        async with database.engine.connect() as conn:
            found = await conn.run_sync(lambda sync: inspect(sync).get_columns("purchase_lines"))
        return {column["name"] for column in found}

    database.migrate(str(before), down=True)
    assert not {"day", "product_bought_before", "order_shared"} & database.run(columns())
    database.migrate("head")
    assert database.rows("select count(*) from purchase_lines where order_shared") == [(2,)]
    reconcile(api, database)
    # Ada alone: the order she shares with Dee counts once, for her line only.
    reconcile(api, database, (static_segment(api, [people["ada"]]), {people["ada"]}))
    record(
        api,
        database,
        [
            bought(people["ada"], 0, 15.0, "scarf", category="accessories", order_id="a9", day=1),
            bought(people["ada"], 3, 14.0, "scarf", category="accessories", order_id="a8"),
            bought(people["dee"], 0, 9.0, "boots", category="shoes", order_id="a1", day=1),
        ],
    )
    reconcile(api, database)


def test_a_rebuild_from_the_raw_rows_changes_no_answer(api: Any, database: Database, people: dict[str, int]) -> None:
    before = [get(api, "/api/reports/products", **{"from": START.date().isoformat()})]
    before += [get(api, "/api/reports/cohorts", months=12, basis=basis) for basis in ("first_purchase", "created")]

    async def rebuild() -> int:
        from parcours import db

        async with db.transaction(database.sessions) as session:
            return await purchases.rebuild(session)

    assert database.loop.run_until_complete(rebuild()) == len(raw(database))
    after = [get(api, "/api/reports/products", **{"from": START.date().isoformat()})]
    after += [get(api, "/api/reports/cohorts", months=12, basis=basis) for basis in ("first_purchase", "created")]
    for old, new in zip(before, after, strict=True):
        old.pop("as_of"), new.pop("as_of")
        assert old == new
    reconcile(api, database)
