"""Every table that holds a contact reference is covered by erasure and by the data export.

The tables come from the models' metadata (a column named contact_id or *_contact_id, or a foreign
key to contacts): a new one fails here until it is declared below, with what erasing the contact
does to its rows and where the contact's data export shows them (or why it deliberately does not).
Each table gets a row about the contact, every text in it carrying a marker; the export must show
the row, and after the erasure no row may keep the contact's id, nor the marker in what a row
kept for the figures still holds."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import pytest
from sqlalchemy import JSON, Boolean, Date, DateTime, Float, Integer, LargeBinary, String, Table, select
from sqlalchemy.types import TypeDecorator
from sqlmodel import SQLModel

import parcours.models  # noqa: F401  (every table in the metadata)
from parcours.clock import utcnow
from parcours.db import transaction
from tests import factories
from tests.conftest import Api

DELETED, UNLINKED = "deleted", "unlinked"
EXCLUDED = "excluded: "

# (table, column) -> what erasing the contact does to the rows whose column is its id.
ERASURE: dict[tuple[str, str], str] = {
    ("consent_events", "contact_id"): DELETED,
    ("contact_computed", "contact_id"): DELETED,
    ("contact_distinct_pairs", "high_id"): DELETED,
    ("contact_distinct_pairs", "low_id"): DELETED,
    ("contact_merges", "survivor_id"): DELETED,
    ("contact_rfm", "contact_id"): DELETED,
    ("contact_scores", "contact_id"): DELETED,
    ("customer_firsts", "contact_id"): DELETED,
    ("event_registrations", "contact_id"): DELETED,
    ("explore_monthly_contacts", "contact_id"): DELETED,
    # Kept for the forms' figures, without what was typed or where from.
    ("form_submissions", "contact_id"): UNLINKED,
    ("interactions", "contact_id"): DELETED,
    ("journey_left_out", "contact_id"): DELETED,
    ("journey_runs", "contact_id"): DELETED,
    ("opportunities", "contact_id"): DELETED,
    # Another contact's opportunity the erased one brought: it stays, no longer naming who brought it.
    ("opportunities", "lead_contact_id"): UNLINKED,
    # Kept for the emails' figures, without the address, the subject or the message.
    ("outbox", "contact_id"): UNLINKED,
    ("purchase_lines", "contact_id"): DELETED,
    ("rfm_monthly", "contact_id"): DELETED,
    ("score_changes", "contact_id"): DELETED,
    ("segment_members", "contact_id"): DELETED,
    ("topic_opt_outs", "contact_id"): DELETED,
    ("visitors", "contact_id"): DELETED,
    ("webhook_deliveries", "contact_id"): DELETED,
}

# Where the contact's data export shows each table's rows, or why it does not.
EXPORT: dict[str, str] = {
    "consent_events": "consent_history",
    "contact_computed": "contact",  # the computed and behavioural values are among the contact's scores
    "contact_distinct_pairs": EXCLUDED
    + "a marketer's decision that two records are different people: no data of theirs",
    "contact_merges": "merged_records",
    "contact_rfm": "rfm",
    "contact_scores": "scores",
    "customer_firsts": EXCLUDED + "the first of its purchase interactions, read once for the reports (exported)",
    "event_registrations": "event_registrations",
    "explore_monthly_contacts": EXCLUDED + "the months it had each type of interaction, read from them for the figures",
    "form_submissions": "form_submissions",
    "interactions": "interactions",
    "journey_left_out": "journeys_left_out",
    "journey_runs": "journey_runs",
    "opportunities": "opportunities",
    "outbox": "messages",
    "purchase_lines": EXCLUDED + "its purchase interactions, read once for the reports (exported)",
    "rfm_monthly": "rfm_months",
    "score_changes": "score_changes",
    "segment_members": "segment_memberships",
    "topic_opt_outs": "topic_opt_outs",
    "visitors": "visitors",
    "webhook_deliveries": EXCLUDED + "copies of its interactions sent to the organization's own systems (exported)",
}

# What a row kept for the figures still holds: codes and keys, never the person's words or address.
KEPT = {
    "form_submissions": {"status", "spam_reason"},
    "outbox": {"idempotency_key", "channel", "kind", "variant", "node_id", "status", "reason_code", "message_id"},
    # Another contact's opportunity: all of it is that contact's.
    "opportunities": None,
}
# The export shows these through the contact itself, not as rows (no marker to look for).
SHOWN_AS_VALUES = {"contact_computed", "interactions"}

MARKER = "zq" + uuid.uuid4().hex[:5]


def contact_references() -> dict[tuple[str, str], Table]:
    found: dict[tuple[str, str], Table] = {}
    for table in SQLModel.metadata.sorted_tables:
        for column in table.columns:
            to_contacts = any(fk.column.table.name == "contacts" for fk in column.foreign_keys)
            if column.name == "contact_id" or column.name.endswith("_contact_id") or to_contacts:
                found[(table.name, column.name)] = table
    return found


def test_every_table_with_a_contact_reference_is_declared() -> None:
    references = contact_references()
    assert sorted(set(references) - set(ERASURE)) == [], "declare what erasure does with these"
    assert sorted(set(ERASURE) - set(references)) == [], "these no longer exist"
    tables = {table for table, _ in references}
    assert sorted(tables ^ set(EXPORT)) == [], "declare where the export shows these, or why not"


class Seeder:
    """Rows with every column filled: the contacts where a column refers to one, the first row of
    the referred table for any other foreign key, the marker in every text."""

    def __init__(self, parents: dict[str, Any]) -> None:
        self.parents, self.count = parents, 0

    def value(self, column: Any) -> Any:
        self.count += 1
        kind = base(column.type)
        if isinstance(kind, JSON):
            return {"marker": MARKER, "note": f"{MARKER} typed this"}
        if isinstance(kind, LargeBinary):
            return MARKER.encode()
        if isinstance(kind, String):
            text = f"{MARKER}{self.count}"
            return text[: kind.length] if kind.length else text
        if isinstance(kind, Boolean):
            return False
        if isinstance(kind, Float):
            return 1.0
        if isinstance(kind, DateTime):
            return utcnow()
        if isinstance(kind, Date):
            return date.today()
        if isinstance(kind, Integer):
            return 1
        return str(MARKER)

    def row(self, table: Table, contacts: dict[str, int]) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for column in table.columns:
            if column.name in contacts:
                values[column.name] = contacts[column.name]
            elif column is table.autoincrement_column:
                continue
            elif column.foreign_keys:
                parent = next(iter(column.foreign_keys)).column.table.name
                assert parent in self.parents or column.nullable, f"make a row of {parent} in parents()"
                values[column.name] = self.parents.get(parent)
            else:
                values[column.name] = self.value(column)
        return values


def base(kind: Any) -> Any:
    return kind.impl_instance if isinstance(kind, TypeDecorator) else kind


def has_text(table: Table) -> bool:
    return any(isinstance(base(c.type), (String, JSON)) and not c.foreign_keys for c in table.columns)


def marked(value: Any) -> bool:
    if isinstance(value, bytes):
        return MARKER.encode() in value
    return MARKER in str(value)


@pytest.fixture(scope="module")
def parents(api: Api) -> None:
    """One of each thing a contact's row may point to, made through the product."""
    definition = factories.chain(("start", "entry.interaction", {"type": "coverage"}), ("out", "flow.exit", {}))
    factories.published(api, factories.journey(api, definition)["id"])
    made = [
        api.post("/api/forms", json={"name": "Coverage", "slug": "coverage", "fields": []}),
        api.post(
            "/api/webhooks", json={"name": "Coverage", "url": "https://1.1.1.1/hook", "events": ["contact.created"]}
        ),
        api.post(
            "/api/computed-fields",
            json={"name": "coverage", "label": "Coverage", "aggregate": "count", "interaction_type": "purchase"},
        ),
    ]
    assert [m.status_code for m in made] == [201] * len(made), [m.text for m in made]
    factories.event(api)
    factories.email(api, "Coverage")


def test_erasure_and_export_cover_every_table(api: Api, parents: None) -> None:
    other = factories.contact(api)
    person = factories.contact(api, first_name="Zélie")
    factories.static_segment(api, [other["id"]])
    runtime = api.app.state.runtime
    references = contact_references()

    async def seed() -> None:
        async with transaction(runtime.sessions) as session:
            firsts: dict[str, Any] = {}
            for name in SQLModel.metadata.tables:
                table = SQLModel.metadata.tables[name]
                key = next(iter(table.primary_key.columns))
                first = (await session.execute(select(key).order_by(key).limit(1))).scalar()
                if first is not None:
                    firsts[name] = first
            seeder = Seeder(firsts)
            for (name, column), table in sorted(references.items()):
                own = [c for (t, c) in references if t == name]
                contacts = {c: other["id"] for c in own} | {column: person["id"]}
                await session.execute(table.insert().values(seeder.row(table, contacts)))

    api.blocking_portal.call(seed)

    data = api.get(f"/api/contacts/{person['id']}/export").json()
    for name, where in EXPORT.items():
        if where.startswith(EXCLUDED):
            continue
        assert where in data, f"the export has no {where} ({name})"
        if name not in SHOWN_AS_VALUES:
            table = SQLModel.metadata.tables[name]
            shown = marked(data[where]) if has_text(table) else bool(data[where])
            assert shown, f"the export's {where} does not show the contact's row of {name}"

    async def counts() -> dict[str, int]:
        async with transaction(runtime.sessions) as session:
            return {
                name: len((await session.execute(select(table))).all())
                for name, table in {t.name: t for t in references.values()}.items()
            }

    before = api.blocking_portal.call(counts)
    assert api.delete(f"/api/contacts/{person['id']}").status_code == 204

    async def left() -> list[str]:
        wrong: list[str] = []
        async with transaction(runtime.sessions) as session:
            for (name, column), table in references.items():
                still = (await session.execute(select(table).where(table.c[column] == person["id"]))).all()
                if still:
                    wrong.append(f"{name}.{column}: {len(still)} rows still name the contact")
                if ERASURE[(name, column)] != UNLINKED:
                    continue
                kept = KEPT[name]
                for row in (await session.execute(select(table))).mappings().all():
                    if kept is None:
                        continue
                    leaks = [c for c, v in row.items() if c not in kept and marked(v)]
                    if leaks:
                        wrong.append(f"{name} kept {leaks} of the erased contact")
        return wrong

    assert api.blocking_portal.call(left) == []
    after = api.blocking_portal.call(counts)
    for (name, _column), how in ERASURE.items():
        if how == UNLINKED:
            # One row was seeded per reference: those of the deleted references go, the others stay.
            deleted = sum(1 for (t, _c), h in ERASURE.items() if t == name and h == DELETED)
            assert after[name] == before[name] - deleted, f"{name}: rows kept for the figures were deleted"
