"""The marketing plan reads the messages sent per day (outbox_sent_daily), counted as each message
is recorded sent: checked against the outbox's own rows for messages sent on several days by two
journeys and a campaign, for a period that cuts some days off, after `parcours rebuild-rollups`
recounts the days, and for senders that add to one day's row at the same time."""

from __future__ import annotations

import asyncio
import random
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import select, text

from parcours.channels import sent_daily
from parcours.channels.models import OutboxSentDaily
from parcours.cli import main
from parcours.clock import clock
from parcours.db import retried
from tests.factories import OPTED_IN, chain, email, journey, published, static_segment, unique_type

Sends = dict[tuple[str, int, int], tuple[int, str, str]]


def _sent_messages(api: Any) -> list[dict[str, Any]]:
    rows = api.get("/api/outbox", params={"limit": 500}).json()["items"]
    return [r for r in rows if r["status"] in ("sent", "captured") and r["channel"] == "email"]


def _expected(api: Any, owners: dict[str, set[int]], start: date, end: date) -> Sends:
    """From the outbox's rows: (kind, owner, email) -> (sent, first sent_at, last sent_at) in the days."""
    found: dict[tuple[str, int, int], list[datetime]] = defaultdict(list)
    for m in _sent_messages(api):
        at = datetime.fromisoformat(m["sent_at"])
        if not start <= at.astimezone(UTC).date() <= end:
            continue
        for kind, column in (("journey", "journey_id"), ("campaign", "campaign_id")):
            if m[column] in owners[kind]:
                found[(kind, m[column], m["email_id"])].append(at)
    return {key: (len(times), min(times).isoformat(), max(times).isoformat()) for key, times in found.items()}


def _plan(api: Any, owners: dict[str, set[int]], start: date, end: date) -> Sends:
    answer = api.get("/api/reports/plan", params={"from": start.isoformat(), "to": end.isoformat()})
    assert answer.status_code == 200, answer.text
    return {
        (row["kind"], row["id"], m["email_id"]): (
            m["sent"],
            datetime.fromisoformat(m["first_sent_at"]).isoformat(),
            datetime.fromisoformat(m["last_sent_at"]).isoformat(),
        )
        for row in answer.json()["rows"]
        if row["id"] in owners.get(row["kind"], set())
        for m in row["messages"]
    }


def _enter(api: Any, kind: str, count: int) -> list[dict[str, Any]]:
    """`count` new contacts take the journey entry `kind`."""
    people = [
        api.post("/api/contacts", json={"email": f"p{n}.{unique_type('x')}@example.org", **OPTED_IN}).json()
        for n in range(count)
    ]
    api.post("/api/interactions", json={"batch": [{"contact_id": p["id"], "type": kind} for p in people]})
    return people


@pytest.fixture(scope="module")
def sent(api: Any) -> dict[str, Any]:
    """Three days: journey A (two emails) and journey B (one) send on the first two, B and a
    campaign on the last (today)."""
    today = datetime.now(UTC).date()
    kind_a, kind_b = unique_type("joined_a"), unique_type("joined_b")
    welcome, follow_up, tip = email(api, "Welcome"), email(api, "Follow-up"), email(api, "Tip")
    clock.advance(timedelta(days=-2))
    try:
        a = journey(
            api,
            chain(
                ("start", "entry.interaction", {"type": kind_a}),
                ("hello", "action.email", {"email_id": welcome}),
                ("more", "action.email", {"email_id": follow_up}),
            ),
        )
        b = journey(
            api,
            chain(("start", "entry.interaction", {"type": kind_b}), ("tip", "action.email", {"email_id": tip})),
        )
        published(api, a["id"])
        published(api, b["id"])

        def out(count: int) -> None:
            assert api.eventually(lambda: len(_sent_messages(api)) >= count, timeout=60), "messages not sent"

        _enter(api, kind_a, 2)
        _enter(api, kind_b, 1)
        out(5)
        clock.advance(timedelta(days=1))
        _enter(api, kind_a, 1)
        _enter(api, kind_b, 2)
        out(9)
    finally:
        clock.reset()
    people = _enter(api, kind_b, 1)
    news = email(api, "News")
    campaign = api.post(
        "/api/campaigns", json={"email_id": news, "segment_ids": [static_segment(api, [people[0]["id"]])]}
    )
    assert campaign.status_code in (200, 201), campaign.text
    api.eventually(lambda: len(_sent_messages(api)) >= 11, timeout=60)
    return {
        "today": today,
        "owners": {"journey": {a["id"], b["id"]}, "campaign": {campaign.json()["id"]}},
        "emails": {"welcome": welcome, "follow_up": follow_up, "tip": tip, "news": news},
        "journeys": {"a": a["id"], "b": b["id"]},
    }


def test_the_plan_counts_each_days_messages_as_the_outbox_holds_them(api: Any, sent: dict[str, Any]) -> None:
    today, owners = sent["today"], sent["owners"]
    whole = _expected(api, owners, today - timedelta(days=5), today)
    assert _plan(api, owners, today - timedelta(days=5), today) == whole
    a, b = sent["journeys"]["a"], sent["journeys"]["b"]
    emails = sent["emails"]
    # Per owner and email: A's two emails to 3 people over two days, B's tip to 4 over three.
    assert {key: n for key, (n, _f, _l) in whole.items()} == {
        ("journey", a, emails["welcome"]): 3,
        ("journey", a, emails["follow_up"]): 3,
        ("journey", b, emails["tip"]): 4,
        ("campaign", next(iter(owners["campaign"])), emails["news"]): 1,
    }
    # B's tip went out on three different days: its first and last are two days apart.
    _n, first, last = whole[("journey", b, emails["tip"])]
    assert (datetime.fromisoformat(last).date() - datetime.fromisoformat(first).date()).days == 2
    # A period without the first day: its messages are not counted, first moves to the next day.
    later = _expected(api, owners, today - timedelta(days=1), today)
    assert _plan(api, owners, today - timedelta(days=1), today) == later
    assert later[("journey", a, emails["welcome"])][0] == 1 and later[("journey", b, emails["tip"])][0] == 3
    only_first = _expected(api, owners, today - timedelta(days=2), today - timedelta(days=2))
    assert _plan(api, owners, today - timedelta(days=2), today - timedelta(days=2)) == only_first
    assert {key[0] for key in only_first} == {"journey"}


def test_rebuild_rollups_recounts_the_days_from_the_outbox(
    api: Any, sent: dict[str, Any], database_url: str, redis_url: str, app_settings: Any
) -> None:
    today, owners = sent["today"], sent["owners"]
    before = _plan(api, owners, today - timedelta(days=5), today)

    async def damage() -> None:
        # As a counting bug would leave them: a day lost, another counted twice.
        async with api.app.state.runtime.sessions() as session, session.begin():
            await session.execute(text("DELETE FROM outbox_sent_daily WHERE day = :day"), {"day": today})
            await session.execute(
                text("UPDATE outbox_sent_daily SET sent = sent * 2 WHERE day = :day"),
                {"day": today - timedelta(days=1)},
            )

    api.blocking_portal.call(damage)
    assert _plan(api, owners, today - timedelta(days=5), today) != before
    env = {
        "PARCOURS_DATABASE_URL": database_url,
        "PARCOURS_REDIS_URL": redis_url,
        "PARCOURS_DATA_DIR": str(app_settings.data_dir),
    }
    period = ["--from", (today - timedelta(days=5)).isoformat(), "--to", today.isoformat()]
    done = CliRunner().invoke(main, ["rebuild-rollups", *period], env=env)
    assert done.exit_code == 0, done.output
    assert "rows of messages sent per day" in done.output
    assert (
        _plan(api, owners, today - timedelta(days=5), today)
        == before
        == _expected(api, owners, today - timedelta(days=5), today)
    )


def test_senders_adding_to_one_days_row_at_once_count_exactly(api: Any) -> None:
    """Forty transactions add to the same rows at the same time (PostgreSQL runs them together,
    SQLite one after another): every message counted once, first and last the extremes."""
    day = date(2001, 2, 3)
    key = 900_000 + random.randrange(100_000)
    moments = [datetime(2001, 2, 3, 8, tzinfo=UTC) + timedelta(seconds=37 * n) for n in range(40)]
    random.shuffle(moments)

    class Message:
        def __init__(self, email_id: int) -> None:
            self.channel, self.journey_id, self.campaign_id, self.email_id = "email", key, None, email_id

    async def send(session: Any, at: datetime) -> None:
        await sent_daily.add(session, sent_daily.increments([Message(1), Message(2), Message(1)], at))

    async def all_at_once() -> list[tuple[Any, ...]]:
        sessions = api.app.state.runtime.sessions
        await asyncio.gather(*(retried(sessions, send, at) for at in moments))
        async with sessions() as session:
            rows = await session.execute(
                select(
                    OutboxSentDaily.email_id,
                    OutboxSentDaily.sent,
                    OutboxSentDaily.first_sent_at,
                    OutboxSentDaily.last_sent_at,
                )
                .where(OutboxSentDaily.day == day, OutboxSentDaily.journey_id == key)
                .order_by(OutboxSentDaily.email_id)
            )
            return [tuple(row) for row in rows.all()]

    assert api.blocking_portal.call(all_at_once) == [
        (1, 80, min(moments), max(moments)),
        (2, 40, min(moments), max(moments)),
    ]
