"""The rule language's edge: the schema of the current database (standard and custom fields)."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.clock import utcnow
from parcours.contacts import custom_fields
from parcours.errors import InvalidInput
from parcours.rules.builder import OPERATORS, Builder, family, from_text, to_text
from parcours.rules.fields import JOURNEY_FIELDS, ComputedInfo, CustomFieldInfo, ScoreInfo, catalog
from parcours.rules.language import Checked, RuleError, Schema, parse
from parcours.rules.schemas import FieldOut


async def current_schema(session: AsyncSession) -> Schema:
    # scoring and behaviour check their own rules with this module
    from parcours.behaviour import catalog as behaviour
    from parcours.scoring import catalog as scoring

    key = (
        tuple(await custom_fields.infos(session)),
        tuple(await scoring.score_infos(session)),
        tuple(await behaviour.computed_infos(session)),
    )
    found = _schemas.get(key)
    if found is None:
        if len(_schemas) >= 100:  # fields change rarely: past this, start again rather than grow
            _schemas.clear()
        found = _schemas[key] = Schema(catalog(*key), utcnow)
    return found


# Schemas by what they are built from: building one (its catalog, its key) took a tenth of a
# contact's real-time evaluation. A Schema is never changed once built.
_schemas: dict[tuple[tuple[CustomFieldInfo, ...], tuple[ScoreInfo, ...], tuple[ComputedInfo, ...]], Schema] = {}


def journey_schema(schema: Schema) -> Schema:
    """The fields of a journey's conditions: the contact's, and what it did in its run."""
    found = _journey_schemas.get(schema.key)
    if found is None:
        if len(_journey_schemas) >= 100:
            _journey_schemas.clear()
        found = _journey_schemas[schema.key] = Schema(
            {**schema.fields, **{f.name: f for f in JOURNEY_FIELDS}}, schema.clock
        )
    return found


_journey_schemas: dict[int, Schema] = {}


async def schema_for(session: AsyncSession, scope: str) -> Schema:
    """The schema of rules written for this scope: "contact" (segments, scores) or "journey"."""
    schema = await current_schema(session)
    return journey_schema(schema) if scope == "journey" else schema


def _invalid(exc: RuleError, field: str) -> InvalidInput:
    extra = {"suggestions": list(exc.suggestions)} if exc.suggestions else {}
    return InvalidInput(exc.message, field, position=exc.position, **extra)


def check(text: str, schema: Schema, field: str = "rule") -> Checked:
    """Parse a rule for the API: a RuleError becomes a 400 naming the field, the position and the
    fields the marketer may have meant."""
    try:
        return parse(text, schema)
    except RuleError as exc:
        raise _invalid(exc, field) from None


def builder_text(builder: Builder, schema: Schema) -> str:
    try:
        text = to_text(builder, schema)
    except RuleError as exc:
        raise InvalidInput(exc.message, "builder") from None
    if text:
        check(text, schema, "builder")
    return text


def read_builder(text: str, schema: Schema) -> Builder | None:
    try:
        return from_text(text, schema)
    except RuleError as exc:
        raise _invalid(exc, "rule") from None


def describe_fields(schema: Schema) -> list[FieldOut]:
    return [
        FieldOut(
            name=f.name,
            type=f.type,
            label_en=f.label_en,
            label_fr=f.label_fr,
            group=f.group,
            nullable=f.nullable,
            choices=[{"value": c.value, "label_en": c.label_en, "label_fr": c.label_fr} for c in f.choices],
            operators=list(OPERATORS[family(f)]),
        )
        for f in schema.fields.values()
    ]
