"""Who of an audience a message would reach, asked before queueing it: the send-time policy
(`policy.refusal`) run on each contact's facts as they are now, counted by reason."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import msgspec
from sqlalchemy import Select, select
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.channels import policy, store
from parcours.channels.schemas import LeftOut, Someone
from parcours.clock import utcnow
from parcours.emails import service as emails
from parcours.emails import topics

CHUNK = 1000


class Reach(msgspec.Struct, kw_only=True):
    """An audience before sending: how many, how many the policy leaves out and why (each
    contact under its first reason, in policy.REASONS order), and the first few who would receive."""

    total: int = 0
    left_out: dict[str, int] = msgspec.field(default_factory=dict)
    sample: list[Someone] = msgspec.field(default_factory=list)

    @property
    def receiving(self) -> int:
        return self.total - sum(self.left_out.values())

    def reasons(self) -> list[LeftOut]:
        """The left-out counts in the order the policy checks them."""
        return left_out_list({r: self.left_out[r] for r in policy.REASONS if r in self.left_out})


def left_out_list(counts: dict[str, int]) -> list[LeftOut]:
    return [LeftOut(reason=reason, count=count) for reason, count in counts.items() if count]


def someone(contact_id: int, row: Any) -> Someone:
    name = " ".join(part for part in (row.get("first_name"), row.get("last_name")) if part)
    return Someone(id=contact_id, name=name, email=str(row.get("email") or ""))


async def people(session: AsyncSession, contact_ids: list[int]) -> list[Someone]:
    """These contacts as a sample shows them, in this order (those deleted left out)."""
    found = await emails.personalizations(session, contact_ids, False)
    return [someone(cid, found[cid][0]) for cid in contact_ids if cid in found]


async def reach(
    session: AsyncSession,
    people: Select[Any],
    *,
    kind: str,
    topic: str | None,
    minimum_consent: str | None,
    frequency_cap: int,
    sample_size: int = 5,
) -> Reach:
    """`people` (contact id, address) as the delivery loop would judge them now, a chunk at a time."""
    found = people.subquery()
    contact_id, address = found.c[0], found.c[1]
    since = utcnow() - timedelta(days=7)
    out, last = Reach(), 0
    while True:
        rows = (
            await session.execute(
                select(contact_id, address).where(contact_id > last).order_by(contact_id).limit(CHUNK)
            )
        ).all()
        if not rows:
            return out
        ids = [int(row[0]) for row in rows]
        last = ids[-1]
        people_now = await emails.personalizations(session, ids, False)
        suppressed = await store.suppressed(session, sorted({row[1] for row in rows}))
        opted_out = await topics.opted_out(session, ids)
        counts = (
            await store.promotional_counts(session, ids, since) if frequency_cap and kind != "transactional" else {}
        )
        for cid, to in rows:
            person = people_now.get(cid)
            recipient = policy.recipient(
                person[0] if person else None, suppressed.get(to), opted_out.get(cid, frozenset()), counts.get(cid, 0)
            )
            code = policy.refusal(
                recipient, kind=kind, topic=topic, minimum_consent=minimum_consent, frequency_cap=frequency_cap
            )
            out.total += 1
            if code:
                out.left_out[code] = out.left_out.get(code, 0) + 1
            elif person is not None and len(out.sample) < sample_size:
                out.sample.append(someone(int(cid), person[0]))
