"""Contacts as CSV: the list a marketer is looking at, streamed in batches."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from typing import Any

from sqlalchemy import Select

from parcours.contacts import custom_fields, service
from parcours.contacts.schemas import ContactFilters, ContactOut
from parcours.db import Sessions, transaction

_FIELDS = [f for f in ContactOut.__struct_fields__ if f != "custom"]


def _line(values: list[Any]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerow(["" if v is None else v for v in values])
    return buffer.getvalue()


async def contacts_csv(
    sessions: Sessions, filters: ContactFilters, among: Select[Any] | None = None
) -> AsyncIterator[str]:
    async with transaction(sessions) as session:
        names = [f.name for f in await custom_fields.list_fields(session)]
        # A BOM lets Excel open accented names correctly.
        yield "\ufeff" + _line(_FIELDS + [f"custom.{n}" for n in names])
        async for batch, account_names in service.iterate_contacts(session, filters, among=among):
            chunk = []
            computed = await service.values_of(session, [c.id for c in batch if c.id is not None])
            for contact in batch:
                row = [getattr(contact, f, None) for f in _FIELDS]
                if contact.id in computed:
                    row[_FIELDS.index("scores")] = service.with_values(contact.scores, computed[contact.id])
                row[_FIELDS.index("account_name")] = (
                    account_names.get(contact.account_id) if contact.account_id else None
                )
                chunk.append(_line(row + [contact.custom.get(n) for n in names]))
            yield "".join(chunk)
