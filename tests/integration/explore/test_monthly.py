"""Distinct contacts month by month, through the real app: answered from the monthly counts
(explore.monthly) and reconciled with the raw rows after the stream, a merge, an erasure and a
rebuild; the questions those counts cannot answer exactly read the raw rows."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import defaultdict
from typing import Any

from sqlalchemy import text

from parcours.settings import async_url
from tests.database import Database
from tests.factories import unique_email
from tests.integration.explore.test_explore import as_dict, ask, raw


def kinds() -> tuple[str, str]:
    tag = unique_email("monthly").split("@")[0].replace(".", "_").replace("+", "_")
    return f"{tag}_a", f"{tag}_b"


def month(moment: Any) -> str:
    at = moment if isinstance(moment, dt.datetime) else dt.datetime.fromisoformat(moment)
    return (at.astimezone(dt.UTC) if at.tzinfo else at).strftime("%Y-%m")


def from_rows(api: Any, types: tuple[str, ...]) -> dict[tuple[str, str], int]:
    """Distinct contacts by (month, type), counted in Python from the raw interactions."""
    listed = ", ".join(f"'{t}'" for t in types)
    people: dict[tuple[str, str], set[int]] = defaultdict(set)
    for contact_id, at, kind in raw(
        api, f"select contact_id, occurred_at, type from interactions where type in ({listed})"
    ):
        people[(month(at), kind)].add(contact_id)
    return {key: len(ids) for key, ids in people.items()}


def by_month_and_type(api: Any, types: tuple[str, ...]) -> dict[str, Any]:
    question = {
        "dataset": "interactions",
        "filters": {"types": list(types)},
        "group_by": ["month", "type"],
        "measures": [{"kind": "contacts"}],
    }
    return ask(api, question)


def answered(answer: dict[str, Any]) -> dict[tuple[str, str], int]:
    return {key: values[0] for key, values in as_dict(answer, 2).items()}


def send(contact_id: int, kind: str, at: str) -> dict[str, Any]:
    return {"type": kind, "contact_id": contact_id, "occurred_at": at}


def test_distinct_contacts_by_month_follow_merges_and_erasures(api: Any) -> None:
    a, b = kinds()
    ann, bob, cat = (api.post("/api/contacts", json={"email": unique_email(n)}).json()["id"] for n in "abc")
    batch = [
        send(ann, a, "2026-01-15T10:00:00Z"),
        send(ann, a, "2026-01-20T10:00:00Z"),
        send(ann, b, "2026-01-20T11:00:00Z"),
        send(ann, a, "2026-02-03T10:00:00Z"),
        send(ann, b, "2026-02-10T10:00:00Z"),
        send(bob, a, "2026-01-31T23:30:00Z"),  # January in UTC, February in Paris
        send(bob, a, "2026-03-31T23:59:00Z"),
        send(cat, b, "2026-02-01T00:00:00Z"),
    ]
    assert api.post("/api/interactions", json={"batch": batch}).status_code in (200, 202)
    expected = {
        ("2026-01", a): 2,
        ("2026-01", b): 1,
        ("2026-02", a): 1,
        ("2026-02", b): 2,
        ("2026-03", a): 1,
    }
    assert from_rows(api, (a, b)) == expected
    # Until the stream has handed them on, the raw rows answer (and already match).
    answer = api.eventually(
        lambda: (
            (found := by_month_and_type(api, (a, b)))["source"] == "monthly" and answered(found) == expected and found
        )
    )
    assert answer, "the monthly counts never matched the raw rows"
    assert [tuple(row[:2]) for row in answer["rows"]] == sorted(expected)  # month by month

    # One type over whole months: the monthly counts; two types together, or a period cut
    # inside a month: a contact counts once, which only the raw rows can say.
    one = {
        "dataset": "interactions",
        "filters": {"types": [a]},
        "group_by": ["month"],
        "measures": [{"kind": "contacts"}],
    }
    assert ask(api, one)["source"] == "monthly" and as_dict(ask(api, one)) == {
        "2026-01": [2],
        "2026-02": [1],
        "2026-03": [1],
    }
    both = ask(api, {**one, "filters": {"types": [a, b]}})
    assert both["source"] == "interactions" and as_dict(both) == {"2026-01": [2], "2026-02": [2], "2026-03": [1]}
    cut = ask(api, {**one, "filters": {"types": [a], "from": "2026-01-16", "to": "2026-02-28"}})
    assert cut["source"] == "interactions" and as_dict(cut) == {"2026-01": [2], "2026-02": [1]}
    whole = ask(api, {**one, "filters": {"types": [a], "from": "2026-02-01", "to": "2026-03-31"}})
    assert whole["source"] == "monthly" and as_dict(whole) == {"2026-02": [1], "2026-03": [1]}

    # Ann merged into Cat: February's b had both of them, now one; the rest moves to Cat.
    merged = api.post(f"/api/contacts/{cat}/merge", json={"other_id": ann})
    assert merged.status_code == 200, merged.text
    after_merge = {**expected, ("2026-02", b): 1}
    assert from_rows(api, (a, b)) == after_merge
    assert answered(by_month_and_type(api, (a, b))) == after_merge

    # Bob erased: January's a loses him, March had only him.
    assert api.delete(f"/api/contacts/{bob}").status_code == 204
    after_erasure = {key: n for key, n in after_merge.items() if key != ("2026-03", a)} | {("2026-01", a): 1}
    assert from_rows(api, (a, b)) == after_erasure
    assert answered(by_month_and_type(api, (a, b))) == after_erasure


def test_the_monthly_counts_are_rebuilt_from_the_raw_rows(api: Any) -> None:
    from parcours.db import create_engine, session_factory
    from parcours.explore import monthly

    a, b = kinds()
    people = [api.post("/api/contacts", json={"email": unique_email("rebuilt")}).json()["id"] for _ in range(3)]
    batch = [send(who, kind, f"2026-0{m}-1{who % 9}T08:00:00Z") for who in people for kind in (a, b) for m in (4, 5)]
    batch.append(send(people[0], a, "2026-04-28T08:00:00Z"))
    assert api.post("/api/interactions", json={"batch": batch}).status_code in (200, 202)
    expected = {(f"2026-0{m}", kind): 3 for m in (4, 5) for kind in (a, b)}
    counted = api.eventually(lambda: (found := by_month_and_type(api, (a, b)))["source"] == "monthly" and found)
    assert counted and api.eventually(lambda: answered(by_month_and_type(api, (a, b))) == expected)

    async def on_database(rebuilding: bool) -> int:
        engine = create_engine(async_url(api.app.state.runtime.settings.database_url))
        try:
            if rebuilding:  # a day inside each end month: whole months are recounted
                return await monthly.rebuild(session_factory(engine), dt.date(2026, 4, 20), dt.date(2026, 5, 2))
            async with engine.begin() as connection:
                for table in ("explore_monthly", "explore_monthly_contacts"):
                    await connection.execute(text(f"delete from {table} where type in ('{a}', '{b}')"))
            return 0
        finally:
            await engine.dispose()

    asyncio.run(on_database(rebuilding=False))
    assert by_month_and_type(api, (a, b))["rows"] == []
    assert asyncio.run(on_database(rebuilding=True)) >= 4
    assert answered(by_month_and_type(api, (a, b))) == expected == from_rows(api, (a, b))


def test_the_migration_counts_the_interactions_already_handed_on(api: Any, database_url: str) -> None:
    """Migration 0042 fills the monthly counts from the raw rows the stream has handed on: once
    the schema is taken down to 0041 and brought up again, every month's count is the raw rows'."""
    a, b = kinds()
    people = [api.post("/api/contacts", json={"email": unique_email("migrated")}).json()["id"] for _ in range(2)]
    batch = [send(who, a, f"2026-06-0{who % 9 + 1}T08:00:00Z") for who in people]
    batch += [send(people[0], b, "2026-06-30T23:00:00Z"), send(people[0], b, "2026-07-01T00:30:00Z")]
    assert api.post("/api/interactions", json={"batch": batch}).status_code in (200, 202)
    expected = {("2026-06", a): 2, ("2026-06", b): 1, ("2026-07", b): 1}
    assert api.eventually(
        lambda: (found := by_month_and_type(api, (a, b)))["source"] == "monthly" and answered(found) == expected
    )
    database = Database(database_url)
    try:
        database.migrate("0041", down=True)
        database.migrate("head")
        kept = {
            (str(m)[:7], kind): n for m, kind, n in database.rows("select month, type, contacts from explore_monthly")
        }
    finally:
        database.close()
    every_type = tuple({kind for _, _, kind in raw(api, "select contact_id, occurred_at, type from interactions")})
    assert kept == from_rows(api, every_type) and kept[("2026-06", a)] == 2
    answer = by_month_and_type(api, (a, b))
    assert answer["source"] == "monthly" and answered(answer) == expected
