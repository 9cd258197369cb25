"""API shapes for the rule language."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from msgspec import Meta

from parcours.api import Strict
from parcours.rules.builder import Builder

RuleText = Annotated[str, Meta(max_length=20_000)]
# Where a rule is written: on contacts (segments, scoring, emails), or in a journey, where it may
# also ask what the contact did in its run (opened a step's email, attended an event...).
Scope = Literal["contact", "journey"]


class RuleIn(Strict):
    rule: RuleText
    scope: Scope = "contact"


class RuleValid(msgspec.Struct):
    valid: bool
    fields: list[str]


class FieldOut(msgspec.Struct, kw_only=True):
    name: str
    type: str
    label_en: str
    label_fr: str
    group: str
    nullable: bool
    choices: list[dict[str, str]]
    # What the visual builder offers for this field, in order.
    operators: list[str]


class BuilderIn(Strict):
    builder: Builder
    scope: Scope = "contact"


class RuleOut(msgspec.Struct):
    rule: str


class BuilderOut(msgspec.Struct):
    """A rule as the visual builder shows it, or why it cannot (then only the text editor can)."""

    builder: Builder | None
    reason: str | None = None
