"""Which rules read a field: a field (a custom field, a model's score) cannot be deleted while a
segment, a journey or a scoring model still reads it, or they would break without warning."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import NamedTuple, Protocol

from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.errors import Conflict
from parcours.rules.language import RuleError, Schema, parse
from parcours.rules.service import current_schema, journey_schema


class HeldRule(NamedTuple):
    """A rule over contact fields that a feature keeps (a segment's, a journey step's...)."""

    kind: str  # what holds it, as a marketer names it: "segment", "journey", "scoring model"
    id: int
    name: str
    rule: str


class RuleHolder(Protocol):
    """A feature that keeps rules: lists them, so that a field they read is not deleted."""

    async def __call__(self, session: AsyncSession) -> list[HeldRule]: ...


# Registered by the composition (parcours.stream.wire), in the order they are listed in a refusal.
_holders: list[RuleHolder] = []


def register(holders: Iterable[RuleHolder]) -> None:
    """The features that keep rules (all of them, replacing any registered before)."""
    _holders[:] = holders


async def _rules(session: AsyncSession) -> list[tuple[str, str]]:
    """(where, rule text) of every rule over contact fields."""
    found: list[tuple[str, str]] = []
    for holder in _holders:
        found += [(f"{held.kind} '{held.name}'", held.rule) for held in await holder(session)]
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
    # The journey schema holds every field: a journey's condition on what the contact did still reads fields.
    found = readers(await _rules(session), names, journey_schema(await current_schema(session)))
    if found:
        shown = ", ".join(found[:5]) + (f" and {len(found) - 5} more" if len(found) > 5 else "")
        raise Conflict(f"Rules still read {what}: {shown}. Change them first.", field, used_by=found)
