"""Custom fields: the contact attributes an admin adds (text, number, date, yes/no, choice)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, func, select, update
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.contacts import normalize as n
from parcours.contacts.importing import CustomFieldSpec
from parcours.contacts.models import CONTACTS, CustomField
from parcours.contacts.vocabulary import COMPUTED_FIELDS, IMPORTABLE_FIELDS
from parcours.db import dialect_name
from parcours.errors import Conflict, InvalidInput, NotFound
from parcours.rules.fields import CustomFieldInfo

RESERVED = (
    set(IMPORTABLE_FIELDS)
    | set(COMPUTED_FIELDS)
    | {"id", "account_id", "custom", "bounced", "created_at", "updated_at"}
)


async def list_fields(session: AsyncSession) -> Sequence[CustomField]:
    return (await session.execute(select(CustomField).order_by(CustomField.label))).scalars().all()


async def infos(session: AsyncSession) -> list[CustomFieldInfo]:
    """The fields as rules read them, from plain rows (loading models took twice as long)."""
    rows = await session.execute(
        select(col(CustomField.name), col(CustomField.label), col(CustomField.type), col(CustomField.choices)).order_by(
            col(CustomField.label)
        )
    )
    return [
        CustomFieldInfo(name=name, label=label, type=type_, choices=tuple(choices))
        for name, label, type_, choices in rows.all()
    ]


async def specs(session: AsyncSession) -> dict[str, CustomFieldSpec]:
    return {f.name: CustomFieldSpec(type=f.type, choices=list(f.choices)) for f in await list_fields(session)}


async def validate_values(session: AsyncSession, given: dict[str, Any], current: dict[str, Any]) -> dict[str, Any]:
    """`current` with `given` merged in, each value checked against its field; null clears a field."""
    if not given:
        return dict(current)
    known = await specs(session)
    merged = dict(current)
    for name, value in given.items():
        spec = known.get(name)
        if spec is None:
            raise InvalidInput(
                f"There is no custom field named '{name}' (an admin can add it in Settings).", f"custom.{name}"
            )
        if value is None or value == "":
            merged.pop(name, None)
            continue
        try:
            merged[name] = n.coerce_custom(spec.type, spec.choices, value)
        except ValueError as exc:
            raise InvalidInput(str(exc), f"custom.{name}") from None
    return merged


def _check_choices(field_type: str, choices: list[str]) -> list[str]:
    cleaned = [c.strip() for c in choices if c.strip()]
    if field_type == "choice" and not cleaned:
        raise InvalidInput("A choice field needs at least one choice.", "choices")
    if field_type != "choice" and cleaned:
        raise InvalidInput("Only choice fields have choices.", "choices")
    if len({c.lower() for c in cleaned}) != len(cleaned):
        raise InvalidInput("Each choice must be different.", "choices")
    return cleaned


async def create_field(
    session: AsyncSession, name: str, label: str, field_type: str, choices: list[str]
) -> CustomField:
    if name in RESERVED:
        raise InvalidInput(f"'{name}' is already a standard contact field: pick another name.", "name")
    if (await session.execute(select(col(CustomField.id)).where(col(CustomField.name) == name))).first():
        raise Conflict(f"A custom field named '{name}' already exists.", "name")
    field = CustomField(name=name, label=label.strip(), type=field_type, choices=_check_choices(field_type, choices))
    session.add(field)
    await session.flush()
    return field


async def get_field(session: AsyncSession, field_id: int) -> CustomField:
    field = await session.get(CustomField, field_id)
    if field is None:
        raise NotFound("This custom field does not exist.")
    return field


async def update_field(session: AsyncSession, field_id: int, changes: dict[str, Any]) -> CustomField:
    field = await get_field(session, field_id)
    if "label" in changes:
        field.label = changes["label"].strip()
    if "choices" in changes:
        field.choices = _check_choices(field.type, changes["choices"])
    await session.flush()
    return field


async def delete_field(session: AsyncSession, field_id: int) -> None:
    """The definition and every contact's value for it go together."""
    field = await get_field(session, field_id)
    holds: ColumnElement[Any]
    stripped: ColumnElement[Any]
    if await dialect_name(session) == "postgresql":
        holds = CONTACTS.c.custom.op("?")(field.name)
        stripped = CONTACTS.c.custom.op("-")(field.name)
    else:
        path = f'$."{field.name}"'
        holds, stripped = func.json_type(CONTACTS.c.custom, path).isnot(None), func.json_remove(CONTACTS.c.custom, path)
    await session.execute(update(CONTACTS).where(holds).values(custom=stripped))
    await session.delete(field)
