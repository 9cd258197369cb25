"""An import of several batches: the companies its rows name are linked first, one batch at a
time, then the contacts are written (two batches at a time on PostgreSQL). A company named in
every batch is created once and every contact reaches it, whatever batch wrote it.

The job runs through its real task function on the real database (no worker: the test runs it)."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlmodel import col

from parcours.assembly import Product, open_product
from parcours.auth.service import system_actor
from parcours.contacts import import_service
from parcours.contacts.importing import ImportOptions
from parcours.contacts.models import Account, Contact
from parcours.db import transaction
from parcours.jobs.models import Job

# Three batches, each naming every company: written two at a time on PostgreSQL.
ROWS = 3 * import_service.WRITE_BATCH
COMPANIES = ["Acme", "Globex", "Initech", "Umbrella", "Hooli"]


@pytest.fixture(scope="module")
async def product(app_settings: Any) -> AsyncIterator[Product]:
    opened = await open_product(app_settings, migrate=True)
    yield opened
    await opened.close()


async def test_companies_named_in_every_batch_are_created_once_and_reach_every_contact(product: Product) -> None:
    runtime = product.runtime
    lines = "".join(f"lead.{i}@batches.example,{COMPANIES[i % len(COMPANIES)]},Lead {i}\n" for i in range(ROWS))
    async with transaction(runtime.sessions) as session:
        import_id = await import_service.start_import(
            session,
            runtime.enqueue,
            filename="fair.csv",
            content=("email,company,last_name\n" + lines).encode(),
            mapping={"email": "email", "company": "company", "last_name": "last_name"},
            options=ImportOptions(),
            actor=system_actor("test"),
        )
    await import_service.run_import(runtime.sessions, import_id)

    async with transaction(runtime.read_sessions) as session:
        job = await session.get(Job, import_id)
        assert job is not None and job.status == "done", job
        assert job.result is not None and (job.result["created"], job.result["rows"]) == (ROWS, ROWS)
        assert job.message == f"{ROWS} created, 0 updated, 0 rows rejected"
        accounts = (await session.execute(select(col(Account.name), func.count()).group_by(col(Account.name)))).all()
        linked = (
            await session.execute(
                select(col(Account.name), func.count())
                .join(Contact, col(Contact.account_id) == col(Account.id))
                .where(col(Contact.email).like("%@batches.example"))
                .group_by(col(Account.name))
            )
        ).all()
        names = dict((await session.execute(select(col(Contact.email), col(Contact.last_name)))).all())
    assert dict(accounts) == {name: 1 for name in COMPANIES}
    assert dict(linked) == Counter(COMPANIES[i % len(COMPANIES)] for i in range(ROWS))
    assert all(names[f"lead.{i}@batches.example"] == f"Lead {i}" for i in range(ROWS))
