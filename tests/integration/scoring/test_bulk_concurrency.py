"""Bulk writers of the same contacts at the same time on PostgreSQL: a full score recompute and an
import both finish with the right values, and a transaction that still loses a deadlock runs again.

The jobs run through their real task functions on the real database, in one event loop, so that
they overlap for sure: the recompute starts once the import has saved its first batch, and both
then write the same contacts (the import in its file's order, shuffled against the ids).
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import AsyncIterator
from typing import Any

import msgspec
import pytest
from sqlalchemy import select, text, update
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.assembly import Product, open_product
from parcours.auth.service import system_actor
from parcours.contacts import import_service
from parcours.contacts import service as contacts
from parcours.contacts.importing import ImportOptions
from parcours.contacts.models import Contact
from parcours.db import retried, transaction
from parcours.jobs.models import Job
from parcours.runtime import Runtime
from parcours.scoring import service as scoring
from parcours.scoring import tasks as scoring_tasks
from parcours.scoring.models import ContactScore
from parcours.scoring.schemas import ModelIn

# Three import batches: the recompute runs while the last two are written.
CONTACTS = 3 * import_service.WRITE_BATCH
MODEL = {
    "key": "fit",
    "name": "Fit",
    "threshold": 15,
    "grades": [{"grade": "A", "min": 15}, {"grade": "B", "min": 0}],
    "rules": [
        {"id": "fr", "label": "In France", "kind": "attribute", "rule": 'country == "FR"', "points": 10},
        {"id": "de", "label": "In Germany", "kind": "attribute", "rule": 'country == "DE"', "points": 20},
    ],
}


@pytest.fixture(scope="module")
def app_settings(app_settings: Any, backend: str) -> Any:
    if backend != "postgresql":
        pytest.skip("SQLite writes one transaction at a time: only PostgreSQL's row locks can deadlock")
    return app_settings


@pytest.fixture(scope="module")
async def product(app_settings: Any) -> AsyncIterator[Product]:
    """The product's resources without its worker: the tests run the jobs themselves."""
    opened = await open_product(app_settings, migrate=True)
    yield opened
    await opened.close()


@pytest.fixture(scope="module")
def runtime(product: Product) -> Runtime:
    return product.runtime


def email(i: int) -> str:
    return f"person.{i}@example.org"


async def seed(runtime: Runtime, count: int, first: int = 0) -> list[int]:
    rows = [
        {"email": email(i), "country": "FR" if i % 2 else "DE", "job_title": "Before"}
        for i in range(first, first + count)
    ]
    ids: list[int] = []
    for start in range(0, count, 5_000):
        async with transaction(runtime.sessions) as session:
            ids += await contacts.insert_many(session, rows[start : start + 5_000])
    return ids


async def job(runtime: Runtime, job_id: str) -> Job:
    async with transaction(runtime.read_sessions) as session:
        found = await session.get(Job, job_id)
        assert found is not None
        return found


async def saved_a_batch(runtime: Runtime, job_id: str, importing: asyncio.Task[None]) -> None:
    deadline = time.monotonic() + 30
    while not (await job(runtime, job_id)).message.startswith("Saved"):
        assert not importing.done() and time.monotonic() < deadline, await job(runtime, job_id)
        await asyncio.sleep(0.02)


async def test_a_full_recompute_and_an_import_of_the_same_contacts_both_finish(
    product: Product, runtime: Runtime
) -> None:
    await seed(runtime, CONTACTS)
    order = list(range(CONTACTS))
    random.Random(7).shuffle(order)
    csv = ("email,job_title\n" + "".join(f"{email(i)},After {i}\n" for i in order)).encode()
    async with transaction(runtime.sessions) as session:
        model_in = msgspec.convert(MODEL, ModelIn)
        model = await scoring.create_model(
            session, runtime.enqueue, {f: getattr(model_in, f) for f in model_in.__struct_fields__}, "test"
        )
        recompute_id, model_id = model.recompute_job_id, model.id
        import_id = await import_service.start_import(
            session,
            runtime.enqueue,
            filename="titles.csv",
            content=csv,
            mapping={"email": "email", "job_title": "job_title"},
            options=ImportOptions(merge_policy="overwrite"),
            actor=system_actor("test"),
        )
    assert recompute_id is not None

    importing = asyncio.create_task(import_service.run_import(runtime.sessions, import_id))
    await saved_a_batch(runtime, import_id, importing)
    recomputing = scoring_tasks.recompute_scores(product.worker_context(), recompute_id)
    await asyncio.wait_for(asyncio.gather(recomputing, importing), timeout=60)

    recomputed, imported = await job(runtime, recompute_id), await job(runtime, import_id)
    assert (recomputed.status, recomputed.result) == ("done", {"changed": CONTACTS, "promoted": 0})
    assert imported.status == "done" and imported.result is not None
    assert (imported.result["updated"], imported.result["created"]) == (CONTACTS, 0)
    # They did overlap: the recompute started before the import's last batch was saved.
    assert recomputed.started_at and imported.finished_at and recomputed.started_at < imported.finished_at
    async with transaction(runtime.read_sessions) as session:
        titles = dict((await session.execute(select(Contact.email, Contact.job_title))).all())
        scored = (
            await session.execute(
                select(Contact.country, ContactScore.score, ContactScore.grade, Contact.scores)
                .join(ContactScore, ContactScore.contact_id == Contact.id)
                .where(ContactScore.model_id == model_id)
            )
        ).all()
    assert titles == {email(i): f"After {i}" for i in range(CONTACTS)}
    expected = {"FR": (10, "B"), "DE": (20, "A")}
    assert len(scored) == CONTACTS
    assert all(
        (score, grade) == expected[country] and fields == {"score_fit": score, "grade_fit": grade}
        for country, score, grade, fields in scored
    )


async def test_a_transaction_that_loses_a_deadlock_runs_again(runtime: Runtime) -> None:
    """Two transactions lock two contacts in opposite orders. The one that waits first is the one
    PostgreSQL cancels (its deadlock check runs first): run by `retried`, it runs again once the
    other has committed, and both changes are kept."""
    first, second = await seed(runtime, 2, first=CONTACTS)
    loser_holds_first, other_holds_second = asyncio.Event(), asyncio.Event()
    attempts = 0

    async def write(session: AsyncSession, contact_id: int, title: str) -> None:
        await session.execute(update(Contact).where(Contact.id == contact_id).values(job_title=title))  # type: ignore[arg-type]

    async def loser(session: AsyncSession) -> int:
        nonlocal attempts
        attempts += 1
        await write(session, first, "Loser")
        loser_holds_first.set()
        await other_holds_second.wait()
        await write(session, second, "Loser")
        return attempts

    async def other() -> None:
        async with transaction(runtime.sessions) as session:
            check = (
                await session.execute(text("SELECT extract(epoch FROM current_setting('deadlock_timeout')::interval)"))
            ).scalar_one()
            await loser_holds_first.wait()
            await write(session, second, "Other")
            other_holds_second.set()
            await asyncio.sleep(float(check) / 3)  # the loser waits for `second` meanwhile
            await write(session, first, "Other")

    ran, _ = await asyncio.wait_for(asyncio.gather(retried(runtime.sessions, loser), other()), timeout=30)
    assert ran == 2
    async with transaction(runtime.read_sessions) as session:
        titles = dict(
            (await session.execute(select(Contact.id, Contact.job_title).where(Contact.id.in_([first, second])))).all()
        )  # type: ignore[union-attr]
    assert titles == {first: "Loser", second: "Loser"}
