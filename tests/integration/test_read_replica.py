"""PARCOURS_READ_DATABASE_URL: reports, exports and exploration read the replica; everything else
reads and writes the database itself. A second database stands in for the replica (streaming
replication is PostgreSQL's job, not ours): what only the replica holds shows in reports and
exports, and never in the contact list."""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import Iterator
from typing import Any

import msgspec
import pytest
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours import db
from parcours.contacts.models import Contact
from parcours.settings import async_url
from tests.conftest import Api, recreate_postgres, signed_in


async def _migrate_and_add(url: str, emails: list[str]) -> None:
    engine = db.create_engine(async_url(url))
    await db.migrate(engine)
    async with AsyncSession(engine) as session:
        session.add_all(Contact(email=email, first_name="Only", last_name="Replica") for email in emails)
        await session.commit()
    await engine.dispose()


ON_REPLICA = ["only.on.replica@example.org", "also.on.replica@example.org"]


@pytest.fixture(scope="module")
def replica_url(backend: str, database_url: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('replica') / 'replica.db'}"
    base, _, name = database_url.rpartition("/")
    replica = f"{name}_replica"
    asyncio.run(recreate_postgres(database_url, replica))
    return f"{base}/{replica}"


@pytest.fixture(scope="module")
def api_with_replica(app_settings: Any, replica_url: str) -> Iterator[Api]:
    asyncio.run(_migrate_and_add(replica_url, ON_REPLICA))
    with signed_in(msgspec.structs.replace(app_settings, read_database_url=replica_url)) as api:
        yield api


def test_reports_and_exports_read_the_replica_and_the_rest_the_database(api_with_replica: Api) -> None:
    api = api_with_replica
    created = api.post("/api/contacts", json={"email": "on.primary@example.org"})
    assert created.status_code == 201, created.text

    listed = {c["email"] for c in api.get("/api/contacts").json()["items"]}
    assert "on.primary@example.org" in listed and not listed & set(ON_REPLICA)

    exported = api.get("/api/contacts/export.csv")
    assert exported.status_code == 200, exported.text
    emails = {row["email"] for row in csv.DictReader(io.StringIO(exported.text))}
    assert emails == set(ON_REPLICA)

    figures = {f["key"]: f["value"] for f in api.get("/api/reports/overview").json()["figures"]}
    assert figures["contacts"] == len(ON_REPLICA)
