"""The test database as the tests themselves reach it (not through the product's API): raw SQL to
set up or read rows, and the schema moved to a revision and back, on its own event loop."""

from __future__ import annotations

import asyncio
from typing import Any

from alembic import command
from sqlalchemy import text

from parcours import db
from parcours.settings import async_url


class Database:
    def __init__(self, url: str) -> None:
        self.loop = asyncio.new_event_loop()
        self.engine = db.create_engine(async_url(url), pool_size=2)
        self.sessions = db.session_factory(self.engine)
        self.migration_pid: int | None = None  # PostgreSQL's process of the last migrate

    def run(self, coroutine: Any) -> Any:
        return self.loop.run_until_complete(coroutine)

    def rows(self, sql: str, **params: Any) -> list[Any]:
        async def go() -> list[Any]:
            async with db.transaction(self.sessions) as session:
                return list((await session.execute(text(sql), params)).all())

        return list(self.run(go()))

    def execute(self, sql: str, **params: Any) -> None:
        async def go() -> None:
            async with db.transaction(self.sessions) as session:
                await session.execute(text(sql), params)

        self.run(go())

    def write(self, *statements: Any) -> None:
        """SQLAlchemy statements, in one transaction."""

        async def go() -> None:
            async with db.transaction(self.sessions) as session:
                for statement in statements:
                    await session.execute(statement)

        self.run(go())

    def migrate(self, revision: str, *, down: bool = False) -> None:
        """The schema taken down (or up) to `revision`, as `parcours migrate` would."""
        config = db.alembic_config(self.engine.url.render_as_string(hide_password=False))

        def move(connection: Any) -> None:
            config.attributes["connection"] = connection
            (command.downgrade if down else command.upgrade)(config, revision)

        async def go() -> None:
            async with self.engine.connect() as connection:  # each migration commits its own transaction
                if connection.dialect.name == "postgresql":  # for a test that watches the migration
                    self.migration_pid = (await connection.execute(text("SELECT pg_backend_pid()"))).scalar()
                    await connection.commit()
                await connection.run_sync(move)

        self.run(go())

    def close(self) -> None:
        self.run(self.engine.dispose())
        self.loop.close()
