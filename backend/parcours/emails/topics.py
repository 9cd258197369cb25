"""Subscription topics and the contacts who opted out of each."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import msgspec
from sqlalchemy import delete, select
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.emails.models import Topic, TopicOptOut
from parcours.errors import Conflict, InvalidInput, NotFound


async def list_topics(session: AsyncSession) -> Sequence[Topic]:
    return (await session.execute(select(Topic).order_by(Topic.key))).scalars().all()


async def create_topic(session: AsyncSession, values: dict[str, str]) -> Topic:
    if await session.get(Topic, values["key"]) is not None:
        raise Conflict(f"A topic '{values['key']}' already exists.", "key")
    topic = Topic(**values)
    session.add(topic)
    await session.flush()
    return topic


async def delete_topic(session: AsyncSession, key: str) -> None:
    topic = await session.get(Topic, key)
    if topic is None:
        raise NotFound("This topic does not exist.", "key")
    await session.delete(topic)


async def require_topic(session: AsyncSession, key: str | None, field: str = "topic") -> None:
    if key and await session.get(Topic, key) is None:
        raise InvalidInput(f"There is no subscription topic '{key}' (an admin can add it in Settings).", field)


async def opted_out(session: AsyncSession, contact_ids: Sequence[int]) -> dict[int, frozenset[str]]:
    found: dict[int, set[str]] = defaultdict(set)
    rows = await session.execute(
        select(col(TopicOptOut.contact_id), col(TopicOptOut.topic)).where(col(TopicOptOut.contact_id).in_(contact_ids))
    )
    for cid, topic in rows.all():
        found[cid].add(topic)
    return {cid: frozenset(topics) for cid, topics in found.items()}


def opt_outs_table() -> Any:
    """topic_opt_outs (contact_id, topic), for reports counting opt-ins per topic: read-only."""
    return TopicOptOut.metadata.tables["topic_opt_outs"]


async def set_opt_outs(session: AsyncSession, contact_id: int, topics: set[str]) -> None:
    known = {t.key for t in await list_topics(session)}
    await session.execute(delete(TopicOptOut).where(col(TopicOptOut.contact_id) == contact_id))
    session.add_all(TopicOptOut(contact_id=contact_id, topic=t) for t in sorted(topics & known))
    await session.flush()


async def load_shipped(session: AsyncSession, rules_dir: Path) -> int:
    """The default topics of rules/consent/topics.json, when the base has none."""
    source = rules_dir / "consent" / "topics.json"
    if not source.exists() or await list_topics(session):
        return 0
    defaults = msgspec.json.decode(source.read_bytes(), type=list[dict[str, str]])
    session.add_all(Topic(**d) for d in defaults)
    await session.flush()
    return len(defaults)
