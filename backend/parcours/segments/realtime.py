"""Real time: a contact's dynamic segments evaluated in memory as soon as something about it
changes, and the interaction stream's segments consumer."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from functools import cache
from typing import Any

from sqlalchemy import ColumnElement
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.contacts import service as contacts
from parcours.db import dialect_name, serialize
from parcours.interactions import recording
from parcours.interactions.batch import Batch, Consumer, RuleRow
from parcours.jobs.enqueue import Enqueue, queue_after_commit
from parcours.jobs.names import JobName
from parcours.rules import service as rules
from parcours.rules.cache import rules as rule_cache
from parcours.rules.closures import Values
from parcours.rules.context import context_values
from parcours.rules.language import Checked, evaluation
from parcours.segments import members
from parcours.segments.definitions import memberships
from parcours.segments.reading import plan, version_column

# Above this many contacts changed at once (an import...), a full refresh in SQL beats
# evaluating each contact in memory.
REALTIME_LIMIT = 2_000


async def evaluate_contacts(
    session: AsyncSession, contact_ids: Iterable[int], batch: Batch | None = None
) -> tuple[int, int]:
    """Re-evaluate every dynamic segment for these contacts, in memory; apply what changed.
    Within the interaction stream, `batch` has the contacts, their memberships and the schema
    read already (and learns the memberships that change)."""
    ids = sorted(set(contact_ids))
    await serialize(session, members.MEMBERSHIP_LOCK)
    people: dict[int, RuleRow]
    if batch is not None:
        schema = await batch.schema()
        names, ordered = await plan(session, schema, batch.rules)
        known, current = await batch.people(), await batch.memberships()
        people = {cid: known[cid] for cid in ids if cid in known}
    else:
        schema = await rules.current_schema(session)
        # Each contact with its account, its memberships and the segments' version: one statement.
        rows = await contacts.rule_rows_with(session, ids, _with_memberships(await dialect_name(session)))
        if not rows:
            return 0, 0
        people = {cid: (contact, account) for cid, (contact, account, _) in rows.items()}
        current = {cid: members.segment_ids_value(extra[0]) for cid, (_, _, extra) in rows.items()}
        names, ordered = await plan(session, schema, rule_cache, next(iter(rows.values()))[2][1])
    if not people or not ordered:
        return 0, 0
    entered: list[tuple[int, int]] = []
    left: list[tuple[int, int]] = []
    with evaluation(schema) as evaluate:
        for cid, (contact, account) in people.items():
            before = current.get(cid, set())
            # One Values for all the rules: each field is resolved once per contact, not once per rule.
            values = Values(context_values(contact, account, before, schema.fields))

            def matches(rule: Checked, segment_ids: set[int], values: Values = values) -> bool:
                if "segments" in rule.fields:  # only rules that read memberships need them current
                    values.replace("segments", {float(m) for m in segment_ids})
                return evaluate(rule, values)

            after = memberships(ordered, before, matches)
            entered += [(sid, cid) for sid in after - before]
            left += [(sid, cid) for sid in before - after]
    await members.apply(session, names, entered, left)
    if batch is not None:
        batch.moved(entered, left)
    return len(entered), len(left)


@cache
def _with_memberships(dialect: str) -> Callable[[ColumnElement[Any]], Sequence[ColumnElement[Any]]]:
    """What evaluate_contacts reads with each contact: its segment ids and the segments' version
    (built once: building these expressions took a tenth of an evaluation)."""
    built: list[tuple[ColumnElement[Any], list[ColumnElement[Any]]]] = []

    def extra(contact_id: ColumnElement[Any]) -> Sequence[ColumnElement[Any]]:
        for column, columns in built:
            if column is contact_id:
                return columns
        built.append((contact_id, [members.segment_ids_column(dialect)(contact_id), version_column(dialect)]))
        return built[-1][1]

    return extra


def stream_consumer(enqueue: Enqueue) -> Consumer:
    """Evaluate the batch's changed contacts at once, or refresh everything in SQL when too many
    changed together."""

    async def consume(batch: Batch) -> None:
        changed = {row.contact_id for row in batch.rows if row.type not in recording.UNCHANGING_TYPES}
        if len(changed) > REALTIME_LIMIT:
            queue_after_commit(
                batch.session, enqueue, JobName.REFRESH_ALL_SEGMENTS, job_id=JobName.REFRESH_ALL_SEGMENTS
            )
        elif changed:
            await evaluate_contacts(batch.session, changed, batch)

    return consume
