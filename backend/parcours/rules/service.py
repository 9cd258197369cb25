"""The rule language's edge: the schema of the current database (standard and custom fields)."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.clock import utcnow
from parcours.contacts import custom_fields
from parcours.errors import InvalidInput
from parcours.rules.fields import CustomFieldInfo, catalog
from parcours.rules.language import Checked, RuleError, Schema, parse


async def current_schema(session: AsyncSession) -> Schema:
    infos = [CustomFieldInfo(name=f.name, label=f.label, type=f.type, choices=tuple(f.choices))
             for f in await custom_fields.list_fields(session)]
    return Schema(catalog(infos), utcnow)


def check(text: str, schema: Schema, field: str = "rule") -> Checked:
    """Parse a rule for the API: a RuleError becomes a 400 naming the field and the position."""
    try:
        return parse(text, schema)
    except RuleError as exc:
        raise InvalidInput(exc.message, field, position=exc.position) from None
