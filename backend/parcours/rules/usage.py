"""Which rules read a field: a field (a custom field, a model's score) cannot be deleted while a
segment, a journey or a scoring model still reads it, or they would break without warning."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import select
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.errors import Conflict
from parcours.rules.language import RuleError, Schema, parse
from parcours.rules.service import current_schema

ENDED_JOURNEYS = ("stopped", "finished")


def _journey_rules(definition: dict[str, Any], settings: dict[str, Any]) -> Iterator[str]:
    for node in definition.get("nodes") or ():
        rule = (node.get("config") or {}).get("rule")
        if isinstance(rule, str):
            yield rule
    goal = (settings or {}).get("goal") or {}
    if isinstance(goal.get("rule"), str):
        yield goal["rule"]


async def _rules(session: AsyncSession) -> list[tuple[str, str]]:
    """(where, rule text) of every rule over contact fields."""
    from parcours.journeys.models import Journey
    from parcours.scoring.models import ScoringModel
    from parcours.segments.models import Segment

    found = [(f"segment '{name}'", rule) for name, rule in (await session.execute(
        select(Segment.name, Segment.rule).where(Segment.rule.is_not(None)))).all()]  # type: ignore[union-attr]
    for name, definition, settings in (await session.execute(select(Journey.name, Journey.definition, Journey.settings)
                                                             .where(Journey.status.not_in(ENDED_JOURNEYS)))).all():  # type: ignore[attr-defined]
        found += [(f"journey '{name}'", rule) for rule in _journey_rules(definition, settings)]
    for name, model_rules in (await session.execute(select(ScoringModel.name, ScoringModel.rules))).all():
        found += [(f"scoring model '{name}'", r["rule"]) for r in model_rules
                  if r.get("kind") == "attribute" and isinstance(r.get("rule"), str)]
    return found


def readers(rules: Iterable[tuple[str, str]], names: set[str], schema: Schema) -> list[str]:
    """Where a rule reads one of these fields (a mention in a text is not enough: the parse says)."""
    mention = re.compile(r"\b(?:" + "|".join(map(re.escape, sorted(names))) + r")\b")
    out: list[str] = []
    for where, text in rules:
        if where in out or not mention.search(text):
            continue
        try:
            if parse(text, schema).fields & names:
                out.append(where)
        except RuleError:
            continue
    return out


async def refuse_if_read(session: AsyncSession, names: set[str], what: str, field: str) -> None:
    """Conflict naming the rules that still read these fields, if any."""
    found = readers(await _rules(session), names, await current_schema(session))
    if found:
        shown = ", ".join(found[:5]) + (f" and {len(found) - 5} more" if len(found) > 5 else "")
        raise Conflict(f"Rules still read {what}: {shown}. Change them first.", field, used_by=found)
