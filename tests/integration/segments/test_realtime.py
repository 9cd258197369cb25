"""evaluate_contacts on its own (outside the stream): the contact, its account and its memberships
read in one statement, and the segments as they are now, whatever changed since the last call."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import delete, select, update
from sqlmodel import col

from parcours import db
from parcours.contacts import service as contacts
from parcours.segments.models import Segment, SegmentMember
from parcours.segments.realtime import evaluate_contacts
from tests import database as test_database

MOMENT = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)


class Database(test_database.Database):
    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.run(db.migrate(self.engine))

    async def segment(self, rule: str, at: dt.datetime = MOMENT) -> int:
        async with db.transaction(self.sessions) as session:
            segment = Segment(name=f"Real time {rule}", kind="dynamic", rule=rule, updated_at=at)
            session.add(segment)
            await session.flush()
            assert segment.id is not None
            return segment.id

    async def evaluate(self, contact_id: int) -> set[int]:
        async with db.transaction(self.sessions) as session:
            await evaluate_contacts(session, [contact_id])
        async with db.transaction(self.sessions) as session:
            rows = await session.execute(
                select(col(SegmentMember.segment_id)).where(col(SegmentMember.contact_id) == contact_id)
            )
            return set(rows.scalars().all())

    async def contact(self, **row: Any) -> int:
        async with db.transaction(self.sessions) as session:
            return (await contacts.insert_many(session, [row]))[0]


@pytest.fixture(scope="module")
def database(database_url: str) -> Iterator[Database]:
    opened = Database(database_url)
    yield opened
    opened.close()


def test_each_call_sees_the_segments_as_they_are_now(database: Database) -> None:
    run = database.run
    french = run(database.segment('country == "FR" and email =~~ "@realtime[.]test$"'))
    opened = run(database.segment('opens_30d >= 1 and email =~~ "@realtime[.]test$"', MOMENT - dt.timedelta(seconds=1)))
    contact = run(database.contact(email="eva@realtime.test", country="FR", opens_30d=0))
    assert run(database.evaluate(contact)) == {french}
    # Another segment changed at the very moment the first one was saved (the newest change is
    # still that moment): it is read again.
    database.write(
        update(Segment)
        .where(col(Segment.id) == opened)
        .values(rule='country == "FR" and email =~~ "@realtime[.]test$"', updated_at=MOMENT)
    )
    assert run(database.evaluate(contact)) == {french, opened}
    database.write(
        delete(SegmentMember).where(col(SegmentMember.segment_id) == french),
        delete(Segment).where(col(Segment.id) == french),
    )
    assert run(database.evaluate(contact)) == {opened}
    later = run(database.segment('(city ?? "") == "" and email =~~ "@realtime[.]test$"'))
    assert run(database.evaluate(contact)) == {opened, later}
    # A contact with its memberships read back (the array, or SQLite's text), and one erased.
    assert run(database.evaluate(contact)) == {opened, later}
    assert run(database.evaluate(contact + 1000)) == set()
