"""The outbox on PostgreSQL is a table partitioned by month of a message's creation, like the
interactions: a message still goes out once when the job that queues it runs again in another month
(its key is claimed in outbox_keys, not held unique by the month's table); the schema goes down to
the plain table and up again with every message. Retention (PARCOURS_OUTBOX_RETENTION_DAYS) removes
the messages done long ago, whole months at a time on PostgreSQL, and keeps any still to send. On
SQLite, one plain table: the same promises through the same code."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
from sqlalchemy import literal, select, text

from parcours.channels import service as outbox
from parcours.channels.models import OUTBOX
from parcours.channels.tasks import purge_outbox
from parcours.clock import clock, utcnow
from parcours.contacts import service as contacts
from parcours.db import transaction
from parcours.partitions import first_of_month
from tests import factories
from tests.conftest import Api
from tests.database import Database

RETENTION_DAYS = 400


def _run(api: Api, work: Callable[[Any], Any]) -> Any:
    runtime = api.app.state.runtime

    async def go() -> Any:
        async with transaction(runtime.sessions) as session:
            return await work(session)

    return api.blocking_portal.call(go)


def _queue(api: Api, key: str, email_id: int, to: str, send_after: datetime | None = None) -> None:
    message = outbox.OutboxIn(key=key, email_id=email_id, to=to, subject="Hello", send_after=send_after)
    _run(api, lambda session: outbox.queue(session, api.app.state.runtime.enqueue, [message]))


def _messages(api: Api, email_id: int) -> dict[str, str]:
    """The email's messages in the Outbox screen: their status by address."""
    return {m["to_address"]: m["status"] for m in factories.outbox_of(api, email_id)}


def _done(api: Api, email_id: int, addresses: set[str]) -> bool:
    statuses = _messages(api, email_id)
    return all(statuses.get(a) not in (None, "queued", "sending") for a in addresses)


def test_a_message_queued_again_in_another_month_is_not_queued_twice(api: Api) -> None:
    email_id = factories.email(api, "Once a month")
    one, two = factories.contact(api), factories.contact(api)
    key = f"once:{email_id}:"
    _queue(api, key, email_id, one["email"])

    def audience(session: Any) -> Any:
        # As a campaign queues its audience (INSERT ... SELECT): here one contact.
        people = contacts.with_addresses(select(literal(two["id"])))
        message = outbox.OutboxIn(key=f"{key}audience:", email_id=email_id, subject="Hello")
        return outbox.queue_audience(session, api.app.state.runtime.enqueue, people, message)

    assert _run(api, audience) == 1
    # The job runs again 40 days later: another month, the same keys.
    clock.advance(timedelta(days=40))
    try:
        _queue(api, key, email_id, one["email"])
        assert _run(api, audience) == 0
    finally:
        clock.reset()
    assert api.eventually(lambda: _done(api, email_id, {one["email"], two["email"]}))
    assert len(factories.outbox_of(api, email_id)) == 2


def test_the_outbox_by_month_and_back(api: Api, backend: str, database_url: str) -> None:
    if backend == "sqlite":
        return
    email_id = factories.email(api, "By month")
    address = factories.unique_email("bymonth")
    _queue(api, f"bymonth:{email_id}", email_id, address)
    database = Database(database_url)
    try:
        (kind,) = database.rows("select relkind::text from pg_class where relname = 'outbox'")[0]
        assert kind == "p"
        where = "select tableoid::regclass::text from outbox where email_id = :e"
        assert database.rows(where, e=email_id) == [(OUTBOX.table_of(utcnow().date()),)]
        database.migrate("0044", down=True)
        (kind,) = database.rows("select relkind::text from pg_class where relname = 'outbox'")[0]
        assert kind == "r" and database.rows(where, e=email_id) == [("outbox",)]
        assert database.rows("select to_regclass('outbox_keys')::text") == [(None,)]
        database.migrate("head")
        assert database.rows(where, e=email_id) == [(OUTBOX.table_of(utcnow().date()),)]
        # The keys of the messages queued before came back: the same key is not queued again.
        _queue(api, f"bymonth:{email_id}", email_id, address)
        assert list(_messages(api, email_id)) == [address]
    finally:
        database.close()


def test_the_upgrade_waits_for_a_transaction_holding_a_contact_and_does_not_block_it(
    api: Api, backend: str, database_url: str
) -> None:
    """The product keeps running while the outbox is partitioned. A transaction of the product
    holding a contact, then reading the outbox, is not made to wait by the migration (which would
    then wait for it in turn, and fail after a minute): the migration takes the outbox and the
    tables it references all at once, once that transaction has ended."""
    if backend == "sqlite":
        return
    email_id = factories.email(api, "Held")
    contact_id = factories.contact(api)["id"]
    _queue(api, f"held:{email_id}", email_id, factories.unique_email("held"))
    database, product, migration = Database(database_url), Database(database_url), Database(database_url)
    background = ThreadPoolExecutor(max_workers=1)
    held = None
    try:
        database.migrate("0044", down=True)
        held = product.run(product.engine.connect())
        product.run(held.execute(text("SELECT id FROM contacts WHERE id = :id FOR UPDATE"), {"id": contact_id}))
        upgrading = background.submit(migration.migrate, "head")
        asking = "SELECT 1 FROM pg_stat_activity WHERE pid = :pid AND query ~ 'LOCK TABLE|SAVEPOINT'"
        assert api.eventually(lambda: migration.migration_pid and database.rows(asking, pid=migration.migration_pid))
        product.run(held.execute(text("SET LOCAL statement_timeout = '10s'")))
        queued = product.run(held.execute(text("SELECT count(*) FROM outbox WHERE email_id = :e"), {"e": email_id}))
        assert queued.scalar() == 1
        product.run(held.commit())
        upgrading.result(timeout=90)  # raises what the upgrade raised
        (kind,) = database.rows("select relkind::text from pg_class where relname = 'outbox'")[0]
        assert kind == "p"
    finally:
        if held is not None:
            product.run(held.close())  # a refused read's transaction is rolled back
        background.shutdown(wait=True)
        for each in (database, product, migration):
            each.close()


def test_retention_removes_messages_done_long_ago_and_keeps_those_to_send(
    api: Api, backend: str, database_url: str
) -> None:
    runtime = api.app.state.runtime

    def purge(days: int) -> int:
        settings = msgspec.structs.replace(runtime.settings, outbox_retention_days=days)
        keeping = dataclasses.replace(runtime, settings=settings)
        return api.blocking_portal.call(purge_outbox, {"runtime": keeping})

    purge(RETENTION_DAYS)  # old messages other tests left
    email_id = factories.email(api, "Retention")
    now = utcnow()
    two_years_ago = datetime(now.year - 2, now.month, 10, 12, tzinfo=UTC)
    three_years_ago = datetime(now.year - 3, now.month, 10, 12, tzinfo=UTC)
    ten_years_ago = datetime(now.year - 10, 1, 10, 12, tzinfo=UTC)
    if backend == "postgresql":
        # Two old months have tables of their own (a product running for years); ten years ago, none.
        _run(
            api, lambda s: s.run_sync(lambda c: OUTBOX.create_months(c.connection(), [two_years_ago, three_years_ago]))
        )
    sent: dict[str, datetime] = {}
    for moment in (two_years_ago, three_years_ago, ten_years_ago):
        address = factories.unique_email("old")
        clock.advance(moment - utcnow())
        try:
            # Due once the clock is back: the worker, running meanwhile, would otherwise claim it
            # under the moved clock, a claim that looks years stale once the clock is back.
            _queue(api, f"retention:{address}", email_id, address, send_after=now)
        finally:
            clock.reset()
        sent[address] = moment
    # Three years ago, one message was set to go much later: it is still to send.
    later = factories.unique_email("later")
    clock.advance(three_years_ago - utcnow())
    try:
        _queue(api, f"retention:{later}", email_id, later, send_after=now + timedelta(days=3650))
    finally:
        clock.reset()
    recent = factories.unique_email("recent")
    _queue(api, f"retention:{recent}", email_id, recent)
    assert api.eventually(lambda: _done(api, email_id, {*sent, recent}))
    assert _messages(api, email_id)[later] == "queued"

    assert purge(0) == 0  # the default keeps everything
    assert len(_messages(api, email_id)) == 5
    deleted = purge(RETENTION_DAYS)
    assert sorted(_messages(api, email_id)) == sorted([later, recent])
    database = Database(database_url)
    try:
        keys = {
            key
            for (key,) in database.rows(
                "select idempotency_key from outbox_keys where idempotency_key like 'retention:%'"
            )
        }
        assert {k.split(":", 1)[1] for k in keys} >= {later, recent}
        assert not {k.split(":", 1)[1] for k in keys} & set(sent)
        if backend == "postgresql":
            # Two years ago: the month went as a table; three years ago: kept for the message to send.
            assert deleted == 2
            exists = "select to_regclass(:t)::text"
            assert database.rows(exists, t=OUTBOX.table_of(first_of_month(two_years_ago))) == [(None,)]
            three = OUTBOX.table_of(first_of_month(three_years_ago))
            assert database.rows(exists, t=three) == [(three,)]
        else:
            assert deleted == 3
    finally:
        database.close()
    assert purge(RETENTION_DAYS) == 0
