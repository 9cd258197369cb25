"""Scoring's worker side: the stream consumer, the bulk recompute job, expiring points, and
delivering notifications to sales."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import select
from sqlmodel import col

from parcours.clock import utcnow
from parcours.contacts import service as contacts
from parcours.db import dialect_name, retried, transaction
from parcours.interactions import service as interactions
from parcours.interactions.batch import Batch, Consumer, Stored
from parcours.jobs.enqueue import Enqueue
from parcours.jobs.service import JobProgress
from parcours.runtime import WorkerContext
from parcours.scoring import bulk, service
from parcours.scoring.models import ContactScore, ScoringModel
from parcours.scoring.points import Compiled

log = logging.getLogger(__name__)
CHUNK = 50_000
# Chunks written at the same time on PostgreSQL: most of a chunk's time is spent writing rows
# (contacts, contact_scores, score_changes, each with its indexes and foreign-key checks), work
# the database does on one core per connection. SQLite writes one transaction at a time.
PARALLEL_CHUNKS = 2
# Expired points are looked for over this much past time on each run (runs are every 15 minutes:
# a worker stopped for less than this misses nothing).
EXPIRY_LOOKBACK = timedelta(days=1)
# A stream batch of at least this many contacts whose fields alone changed, with ids close together
# (an import, a bulk update), is scored set-wise like a recompute of their id range: rule by rule in
# Python it took a third of an import's time. Sales are not told one by one on that path.
SET_WISE_FROM = 200


def set_wise_range(batch: Sequence[Stored], reasons: dict[int, str], types: set[str]) -> tuple[int, int] | None:
    """The id range [low, high) to score set-wise, or None to score contact by contact."""
    if len(reasons) < SET_WISE_FROM or any(row.type in types for row in batch):
        return None
    low, high = min(reasons), max(reasons) + 1
    return (low, high) if high - low <= 2 * len(reasons) else None


def stream_consumer(enqueue: Enqueue, base_url: str = "") -> Consumer:
    """Each new interaction scores its contact with every active model; a change of fields
    re-scores attribute rules. The contacts whose scores (or stage) changed are read again in the
    batch: segments and journeys read them next."""

    async def consume(batch: Batch) -> None:
        session = batch.session
        active = await service.active_models(session, await batch.schema(), batch.rules)
        models, _ = active
        if not models:
            return
        types = set().union(*(model.interaction_types for _, model in models))
        with_fields = any(model.attribute_rules for _, model in models)
        reasons = service.reasons_of(batch.rows, types, with_fields)
        if not reasons:
            return
        span = set_wise_range(batch.rows, reasons, types)
        if span is None:
            _, changed = await service.rescore(
                session, enqueue, reasons, base_url, active=active, known=await batch.people_of(reasons)
            )
            await batch.refresh_people(changed)
            return
        now, reason = utcnow(), reasons[min(reasons)]
        await bulk.recompute_chunk(session, [_scoring(row, model) for row, model in models], reason, now, *span)
        await batch.refresh_people(reasons)

    return consume


def _scoring(row: ScoringModel, model: Compiled) -> bulk.Scoring:
    return bulk.Scoring(service.id_of(row), model, row.drives_stage, f"Scoring {row.name}")


async def recompute_scores(ctx: WorkerContext, job_id: str) -> None:
    """Score the whole base with one model, by chunks of contact ids (each chunk one transaction;
    on PostgreSQL, PARALLEL_CHUNKS of them at a time)."""
    runtime = ctx["runtime"]
    progress = JobProgress(runtime.sessions, job_id)
    job = await progress.load()
    if job.status in ("done", "failed"):
        return
    model_id, reason = int(job.params["model_id"]), str(job.params.get("reason", "Recomputed"))
    async with transaction(runtime.read_sessions) as session:
        row = await session.get(ScoringModel, model_id)
        if row is None or row.recompute_job_id != job_id or not row.active:
            await progress.finish({"changed": 0, "promoted": 0}, "Nothing to do: the model changed or was removed.")
            return
        model = service.compiled(row, await service.scoring_schema(session))
        bounds = await contacts.id_bounds(session)
        scorings = [_scoring(row, model)]
        parallel = PARALLEL_CHUNKS if await dialect_name(session) == "postgresql" else 1
    await progress.start("Scoring contacts")
    totals = {"changed": 0, "promoted": 0, "chunks": 0}
    if bounds is not None:
        low, high = bounds[0], bounds[1] + 1
        now = utcnow()
        chunks = iter(range(low, high, CHUNK))
        count = len(range(low, high, CHUNK))
        reporting = asyncio.Lock()

        async def score_chunks() -> None:
            for start in chunks:  # shared by the workers: each chunk is taken once
                end = min(high, start + CHUNK)
                # A chunk that loses a deadlock (to an import, another model's recompute) runs again.
                changed, promoted = await retried(
                    runtime.sessions, bulk.recompute_chunk, scorings, reason, now, start, end
                )
                async with reporting:
                    totals["changed"] += changed
                    totals["promoted"] += promoted
                    totals["chunks"] += 1
                    await progress.report(
                        totals["chunks"] / count,
                        f"Scored {totals['chunks']} of {count} chunks of "
                        f"{CHUNK} contact ids: {totals['changed']} changed",
                    )

        async with asyncio.TaskGroup() as workers:
            for _ in range(min(parallel, count)):
                workers.create_task(score_chunks())
    changed, promoted = totals["changed"], totals["promoted"]
    await progress.finish(
        {"changed": changed, "promoted": promoted}, f"{changed} scores changed, {promoted} contacts became sales-ready"
    )


async def expire_points(ctx: WorkerContext) -> int:
    """Re-score contacts whose behavioural points expired since the last runs."""
    runtime = ctx["runtime"]
    now = utcnow()
    async with transaction(runtime.sessions) as session:
        models, _ = await service.active_models(session)
        ids: set[int] = set()
        for row, model in models:
            for rule, _, _ in model.interaction_rules:
                if rule.decay_days is None:
                    continue
                edge = now - timedelta(days=float(rule.decay_days))
                scored = select(col(ContactScore.contact_id)).where(
                    col(ContactScore.model_id) == row.id, col(ContactScore.score) != 0
                )
                expired = interactions.contacts_with(rule.interaction_type, edge - EXPIRY_LOOKBACK, edge)
                found = await session.execute(expired.where(expired.selected_columns[0].in_(scored)))
                ids.update(found.scalars().all())
    ordered = sorted(ids)
    for start in range(0, len(ordered), 1000):
        reasons = {cid: "Points expired" for cid in ordered[start : start + 1000]}
        await retried(runtime.sessions, service.score_contacts, runtime.enqueue, reasons, runtime.settings.base_url)
    return len(ordered)
