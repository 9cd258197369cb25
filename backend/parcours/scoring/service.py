"""Scoring models (check, save, ship), contacts' scores in real time, and their breakdown."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import msgspec
from sqlalchemy import Select, delete, func, insert, select
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.auth.service import system_actor
from parcours.clock import utcnow
from parcours.contacts import service as contacts
from parcours.db import dialect_name, move_rows, rows_about
from parcours.errors import NotFound, ParcoursError, Unprocessable
from parcours.interactions import service as interactions
from parcours.interactions.batch import RuleRow, Stored
from parcours.jobs import service as jobs
from parcours.jobs.enqueue import Enqueue
from parcours.jobs.names import JobName
from parcours.pipeline.stages import SALES_READY, is_before
from parcours.rules import service as rules
from parcours.rules import usage
from parcours.rules.cache import RuleCache
from parcours.rules.cache import rules as rule_cache
from parcours.rules.context import context_values
from parcours.rules.fields import GRADE_PREFIX, SCORE_PREFIX
from parcours.rules.language import Schema
from parcours.scoring import bulk, notify, points
from parcours.scoring.models import ContactScore, ScoreChange, ScoringModel
from parcours.scoring.points import Compiled, Event, GradeBand, ModelProblem, Rule
from parcours.scoring.schemas import (
    ContactScoreOut,
    GradeCount,
    GroupScoreOut,
    ModelIn,
    ModelOut,
    Recompute,
    ScoreChangeOut,
)

log = logging.getLogger(__name__)
RECOMPUTE_KIND = "scoring_recompute"
# What changes a contact's fields (attribute rules look again).
FIELD_EVENTS = frozenset({"contact_created", "contact_updated"})
_SETTINGS = ("threshold", "grades", "rules", "active")


# ---- models ---------------------------------------------------------------------------------------


async def scoring_schema(session: AsyncSession) -> Schema:
    return scoring_fields(await rules.current_schema(session))


def scoring_fields(schema: Schema) -> Schema:
    """The contact fields a scoring rule may use: all but scores (no model feeds on another) and
    segment memberships (scores are computed for contacts outside any segment refresh)."""
    fields = {n: f for n, f in schema.fields.items() if f.group != "score" and f.type != "segments"}
    return Schema(fields, schema.clock)


def id_of(row: ScoringModel) -> int:
    assert row.id is not None, "a stored model has its id"
    return row.id


def definition(row: ScoringModel) -> tuple[list[GradeBand], list[Rule]]:
    return msgspec.convert(row.grades, list[GradeBand]), msgspec.convert(row.rules, list[Rule])


def check(key: str, threshold: Any, grades: Sequence[GradeBand], rules_: Sequence[Rule], schema: Schema) -> Compiled:
    try:
        return points.check_model(key, threshold, grades, rules_, schema)
    except ModelProblem as exc:
        raise Unprocessable(
            exc.message, exc.field, **({"position": exc.position} if exc.position is not None else {})
        ) from None


def compiled(row: ScoringModel, schema: Schema, cache: RuleCache = rule_cache) -> Compiled:
    """The model checked once per version and schema (kept in the rule cache): parsing 50 rules
    takes milliseconds, scoring one interaction must not."""

    def build() -> Compiled:
        grades, rules_ = definition(row)
        return points.check_model(row.key, row.threshold, grades, rules_, schema)

    return cache.built(("scoring model", row.id, row.updated_at), schema, build)


async def list_models(session: AsyncSession) -> Sequence[ScoringModel]:
    return (await session.execute(select(ScoringModel).order_by(col(ScoringModel.id)))).scalars().all()


async def get_model(session: AsyncSession, model_id: int) -> ScoringModel:
    row = await session.get(ScoringModel, model_id)
    if row is None:
        raise NotFound("This scoring model does not exist.", "model_id")
    return row


async def model_out(session: AsyncSession, row: ScoringModel) -> ModelOut:
    grades, rules_ = definition(row)
    recompute = None
    if row.recompute_job_id:
        try:
            job = await jobs.get_job(session, row.recompute_job_id)
            recompute = Recompute(job_id=job.id, status=job.status, progress=job.progress)
        except NotFound:
            recompute = None
    return ModelOut(
        id=id_of(row),
        key=row.key,
        name=row.name,
        description=row.description,
        kind=row.kind,
        threshold=row.threshold,
        grades=sorted(grades, key=lambda g: -g.min),
        rules=rules_,
        active=row.active,
        drives_stage=row.drives_stage,
        notify_email=row.notify_email,
        notify_webhook=row.notify_webhook,
        created_at=row.created_at,
        updated_at=row.updated_at,
        recompute=recompute,
    )


async def create_model(session: AsyncSession, enqueue: Enqueue, values: dict[str, Any], by: str) -> ScoringModel:
    model = check(values["key"], values["threshold"], values["grades"], values["rules"], await scoring_schema(session))
    if (await session.execute(select(col(ScoringModel.id)).where(col(ScoringModel.key) == values["key"]))).first():
        raise Unprocessable(f"A scoring model with the key '{values['key']}' already exists.", "key")
    row = ScoringModel(
        **{
            **values,
            "threshold": model.threshold,
            "grades": msgspec.to_builtins(values["grades"]),
            "rules": msgspec.to_builtins(values["rules"]),
        }
    )
    session.add(row)
    await session.flush()
    if row.active:
        await start_recompute(session, enqueue, row, "Model created", by)
    return row


async def update_model(
    session: AsyncSession, enqueue: Enqueue, model_id: int, changes: dict[str, Any], by: str
) -> ScoringModel:
    row = await get_model(session, model_id)
    if "key" in changes and changes["key"] != row.key:
        raise Unprocessable(
            "The key cannot change: rules read this model as score_" + row.key + ". Create a new model instead.", "key"
        )
    grades, rules_ = definition(row)
    grades, rules_ = changes.get("grades", grades), changes.get("rules", rules_)
    model = check(row.key, changes.get("threshold", row.threshold), grades, rules_, await scoring_schema(session))
    rescore = any(f in changes and changes[f] != getattr(row, f) for f in ("threshold", "active")) or (
        "grades" in changes or "rules" in changes
    )
    for field, value in changes.items():
        setattr(row, field, msgspec.to_builtins(value) if field in ("grades", "rules") else value)
    row.threshold = model.threshold
    row.updated_at = utcnow()
    await session.flush()
    if rescore and row.active:
        await start_recompute(session, enqueue, row, "Model changed", by)
    return row


async def delete_model(session: AsyncSession, model_id: int) -> None:
    row = await get_model(session, model_id)
    await usage.refuse_if_read(
        session, {SCORE_PREFIX + row.key, GRADE_PREFIX + row.key}, f"the score of '{row.name}'", "model_id"
    )
    await contacts.remove_scores(session, [SCORE_PREFIX + row.key, GRADE_PREFIX + row.key])
    for table in (ContactScore, ScoreChange):
        await session.execute(delete(table).where(col(table.model_id) == row.id))
    await session.delete(row)


async def start_recompute(session: AsyncSession, enqueue: Enqueue, row: ScoringModel, reason: str, by: str) -> str:
    job = await jobs.create_job(
        session,
        kind=RECOMPUTE_KIND,
        task=JobName.RECOMPUTE_SCORES,
        params={"model_id": row.id, "reason": reason},
        created_by=by,
        enqueue=enqueue,
    )
    row.recompute_job_id = job.id
    return job.id


async def load_shipped(session: AsyncSession, rules_dir: Path, enqueue: Enqueue) -> int:
    """The models of rules/scoring/*.json, on first start (when there is no model yet)."""
    files = sorted((rules_dir / "scoring").glob("*.json"))
    if not files or (await session.execute(select(func.count()).select_from(ScoringModel))).scalar_one():
        return 0
    for path in files:
        shipped = msgspec.json.decode(path.read_bytes(), type=ModelIn)
        await create_model(session, enqueue, {f: getattr(shipped, f) for f in shipped.__struct_fields__}, "Parcours")
    return len(files)


# ---- scoring contacts in real time ------------------------------------------------------------------


Active = tuple[list[tuple[ScoringModel, Compiled]], Schema]


async def active_models(session: AsyncSession, schema: Schema | None = None, cache: RuleCache = rule_cache) -> Active:
    """The active models, checked, and the schema they were checked with (`schema`: the current
    rule schema, when the caller has it)."""
    schema = scoring_fields(schema) if schema is not None else await scoring_schema(session)
    found = []
    for row in await list_models(session):
        if not row.active:
            continue
        try:
            found.append((row, compiled(row, schema, cache)))
        except ModelProblem as exc:  # e.g. a custom field it used was deleted: the editor says so
            log.warning("scoring model %s cannot be used: %s (%s)", row.key, exc.message, exc.field)
    return found, schema


async def events_of(
    session: AsyncSession, contact_ids: Iterable[int], types: set[str], since: datetime | None
) -> dict[int, list[Event]]:
    found = await interactions.of_types(session, contact_ids, types, since)
    return {
        cid: [Event(type=kind, occurred_at=at, properties=properties) for kind, at, properties in rows]
        for cid, rows in found.items()
    }


def _window(models: Sequence[tuple[ScoringModel, Compiled]], now: datetime) -> datetime | None:
    windows = [model.window(now) for _, model in models if model.interaction_rules]
    return None if any(w is None for w in windows) or not windows else min(w for w in windows if w is not None)


async def score_contacts(
    session: AsyncSession,
    enqueue: Enqueue,
    reasons: dict[int, str],
    base_url: str = "",
    now: datetime | None = None,
    active: Active | None = None,
) -> int:
    """Score these contacts with every active model (`active`: as active_models answers, when the
    caller has it already); store what changed (with its reason), move contacts that cross a
    stage-driving threshold to sales_ready and tell sales. Returns how many scores changed."""
    changed, _ = await rescore(session, enqueue, reasons, base_url, now, active)
    return changed


async def rescore(
    session: AsyncSession,
    enqueue: Enqueue,
    reasons: dict[int, str],
    base_url: str = "",
    now: datetime | None = None,
    active: Active | None = None,
    known: Mapping[int, RuleRow] | None = None,
) -> tuple[int, set[int]]:
    """score_contacts, given the contacts as rules read them when the caller has them (`known`);
    also answers which contacts were written (their scores or their stage changed)."""
    now = now or utcnow()
    models, schema = active or await active_models(session)
    if not models or not reasons:
        return 0, set()
    people = (
        {cid: known[cid] for cid in reasons if cid in known}
        if known is not None
        else await contacts.rule_rows(session, reasons)
    )
    types = set().union(*(model.interaction_types for _, model in models))
    events = await events_of(session, people, types, _window(models, now))
    stored = {
        (cid, mid): (score, grade, ready)
        for cid, mid, score, grade, ready in (
            await session.execute(
                select(
                    col(ContactScore.contact_id),
                    col(ContactScore.model_id),
                    col(ContactScore.score),
                    col(ContactScore.grade),
                    col(ContactScore.sales_ready),
                ).where(col(ContactScore.contact_id).in_(list(people)))
            )
        ).all()
    }
    upserts: list[dict[str, Any]] = []
    history: list[dict[str, Any]] = []
    fields: dict[int, dict[str, Any]] = defaultdict(dict)
    crossings: list[tuple[ScoringModel, dict[str, Any], points.Score]] = []
    for cid, (contact, account) in sorted(people.items()):
        values = context_values(contact, account, (), schema.fields)
        for row, model in models:
            result = points.score(model, values, events.get(cid, []), now)
            before = stored.get((cid, id_of(row)), points.unscored(model))
            if (result.score, result.grade, result.sales_ready) == before:
                continue
            upserts.append(
                {
                    "contact_id": cid,
                    "model_id": row.id,
                    "score": result.score,
                    "grade": result.grade,
                    "sales_ready": result.sales_ready,
                    "updated_at": now,
                }
            )
            if result.score != before[0]:
                history.append(
                    {
                        "contact_id": cid,
                        "model_id": row.id,
                        "previous": before[0],
                        "score": result.score,
                        "reason": reasons[cid][:300],
                        "at": now,
                    }
                )
            fields[cid].update({SCORE_PREFIX + row.key: result.score, GRADE_PREFIX + row.key: result.grade})
            if points.crossed(before[0], result.score, model.threshold):
                crossings.append((row, contact, result))
    # Contacts first, locked in id order (as a recompute locks them): a contact's scores rows are
    # then only written by the transaction that holds the contact.
    await contacts.set_scores(session, fields)
    if upserts:
        await session.execute(bulk.replacing_scores(bulk.score_insert(await dialect_name(session))), upserts)
    if history:
        await session.execute(insert(ScoreChange.metadata.tables[ScoreChange.__tablename__]), history)
    for row, contact, result in crossings:
        await _sales_ready(session, enqueue, row, contact, result, now, base_url)
    return len(upserts), set(fields)


async def _sales_ready(
    session: AsyncSession,
    enqueue: Enqueue,
    row: ScoringModel,
    contact: dict[str, Any],
    result: points.Score,
    now: datetime,
    base_url: str,
) -> None:
    if row.drives_stage and is_before(contact["lifecycle_stage"], SALES_READY):
        try:
            async with session.begin_nested():
                await contacts.update_contact(
                    session, contact["id"], {"lifecycle_stage": SALES_READY}, system_actor(f"Scoring {row.name}")
                )
            contact = {**contact, "lifecycle_stage": SALES_READY}
        except ParcoursError as exc:
            log.warning("contact %s could not become sales-ready: %s", contact["id"], exc.message)
    await notify.sales_ready(
        session,
        enqueue,
        model_id=id_of(row),
        model_key=row.key,
        model_name=row.name,
        notify_email=row.notify_email,
        notify_webhook=row.notify_webhook,
        contact=contact,
        score=result.score,
        grade=result.grade,
        threshold=row.threshold,
        now=now,
        base_url=base_url,
    )


def reasons_of(batch: Sequence[Stored], types: set[str], with_fields: bool) -> dict[int, str]:
    """Why each contact of a stream batch is scored again, as its history says it."""
    seen: dict[int, dict[str, int]] = defaultdict(dict)
    for row in batch:
        if row.type in types or (with_fields and row.type in FIELD_EVENTS):
            counts = seen[row.contact_id]
            counts[row.type] = counts.get(row.type, 0) + 1
    return {cid: ", ".join(f"{t} ×{n}" if n > 1 else t for t, n in counts.items()) for cid, counts in seen.items()}


# ---- reading scores ------------------------------------------------------------------------------


_KIND_ORDER = {"firmographic": 0, "demographic": 1, "behavioural": 2}


async def group_scores(session: AsyncSession, members: Select[Any], size: int) -> list[GroupScoreOut]:
    """Each model's average, best score and grade distribution over a group of `size` contacts
    (`members`: a query of their ids); firmographic models first."""
    rows = (
        await session.execute(
            select(
                col(ContactScore.model_id),
                col(ContactScore.grade),
                func.count(),
                func.coalesce(func.sum(col(ContactScore.score)), 0),
                func.max(col(ContactScore.score)),
            )
            .where(col(ContactScore.contact_id).in_(members))
            .group_by(col(ContactScore.model_id), col(ContactScore.grade))
        )
    ).all()
    stored: dict[int, list[tuple[str, int, int, int]]] = defaultdict(list)
    for model_id, grade, count, total, best in rows:
        stored[model_id].append((grade, int(count), int(total), int(best or 0)))
    out = []
    for row in sorted(await list_models(session), key=lambda r: (_KIND_ORDER.get(r.kind, 3), r.name)):
        bands = sorted(row.grades, key=lambda band: -band["min"])
        counts = {band["grade"]: 0 for band in bands}
        scored = total = best = 0
        for grade, count, points_sum, top in stored.get(id_of(row), []):
            counts[grade] = counts.get(grade, 0) + count
            scored, total, best = scored + count, total + points_sum, max(best, top)
        if bands and size > scored:
            counts[bands[-1]["grade"]] += size - scored
        out.append(
            GroupScoreOut(
                model_id=id_of(row),
                model=row.name,
                key=row.key,
                kind=row.kind,
                active=row.active,
                contacts=size,
                average=round(total / size, 1) if size else 0.0,
                max=best,
                grades=[GradeCount(grade=g, count=c) for g, c in counts.items()],
            )
        )
    return out


# ---- reading a contact's scores -----------------------------------------------------------------


async def contact_scores(session: AsyncSession, contact_id: int) -> list[ContactScoreOut]:
    """One entry per model: the stored score, and the breakdown of why, as of now."""
    await contacts.get_contact(session, contact_id)
    schema = await scoring_schema(session)
    rows = [(row, compiled(row, schema)) for row in await list_models(session)]
    people = await contacts.rule_rows(session, [contact_id])
    contact, account = people[contact_id]
    values = context_values(contact, account, (), schema.fields)
    now = utcnow()
    types = set().union(*(model.interaction_types for _, model in rows)) if rows else set()
    events = (await events_of(session, [contact_id], types, _window(rows, now))).get(contact_id, [])
    stored = {
        mid: (score, grade, ready)
        for mid, score, grade, ready in (
            await session.execute(
                select(
                    col(ContactScore.model_id),
                    col(ContactScore.score),
                    col(ContactScore.grade),
                    col(ContactScore.sales_ready),
                ).where(col(ContactScore.contact_id) == contact_id)
            )
        ).all()
    }
    out = []
    for row, model in rows:
        live = points.score(model, values, events, now)
        score, grade, ready = stored.get(id_of(row), points.unscored(model))
        out.append(
            ContactScoreOut(
                model_id=id_of(row),
                model=row.name,
                key=row.key,
                score=score,
                grade=grade,
                sales_ready=ready,
                breakdown=live.breakdown,
            )
        )
    return out


async def score_history(session: AsyncSession, contact_id: int, limit: int) -> list[ScoreChangeOut]:
    await contacts.get_contact(session, contact_id)
    rows = await session.execute(
        select(ScoreChange, col(ScoringModel.name))
        .join(ScoringModel, col(ScoringModel.id) == col(ScoreChange.model_id))
        .where(col(ScoreChange.contact_id) == contact_id)
        .order_by(col(ScoreChange.id).desc())
        .limit(limit)
    )
    return [
        ScoreChangeOut(
            model_id=change.model_id,
            model=name,
            score=change.score,
            previous=change.previous,
            reason=change.reason,
            at=change.at,
        )
        for change, name in rows.all()
    ]


def contact_merger(
    enqueue: Enqueue, base_url: str = ""
) -> Callable[[AsyncSession, int, int], Awaitable[dict[str, int]]]:
    """What scoring does when a contact is merged into another: the other's score history becomes
    the survivor's, whose scores are then computed again from its whole history (the timeline it
    now has)."""

    async def merge_contacts(session: AsyncSession, survivor_id: int, other_id: int) -> dict[str, int]:
        moved = await move_rows(session, ScoreChange, "contact_id", other_id, survivor_id)
        await session.execute(delete(ContactScore).where(col(ContactScore.contact_id) == other_id))
        await score_contacts(session, enqueue, {survivor_id: f"merged with contact #{other_id}"}, base_url)
        return {"score_changes": moved}

    return merge_contacts


async def contact_data(session: AsyncSession, contact_id: int) -> dict[str, list[dict[str, Any]]]:
    """The contact's scores and how they moved, for its data export."""
    return {
        "scores": await rows_about(session, ContactScore, "contact_id", contact_id),
        "score_changes": await rows_about(session, ScoreChange, "contact_id", contact_id),
    }
