"""Alembic environment: migrations run on a connection handed over by parcours.db.migrate."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine
from sqlmodel import SQLModel

from parcours import models  # noqa: F401  (registers every table on the metadata)

target_metadata = SQLModel.metadata


def run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        # Each revision commits on its own: the locks one takes (a table partitioned, with those its
        # foreign keys reference) are let go before the next revision asks for others, instead of
        # piling up while a running product's transactions wait on them in another order.
        transaction_per_migration=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def run_online() -> None:
    url = context.config.get_main_option("sqlalchemy.url")
    if url is None:
        raise RuntimeError("alembic needs sqlalchemy.url (or a connection) to migrate")
    engine = create_async_engine(url)
    async with engine.connect() as conn:  # the migrations begin and commit their own transactions
        await conn.run_sync(run)
    await engine.dispose()


connection = context.config.attributes.get("connection")
if connection is not None:
    run(connection)
else:
    asyncio.run(run_online())
