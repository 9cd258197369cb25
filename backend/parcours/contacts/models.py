"""Contacts, accounts, custom fields, consent history, erasure tombstones, import files."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, LargeBinary, Table, Text, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from parcours.clock import utcnow
from parcours.contacts.origin import CONTACT_COLUMNS, Origin
from parcours.contacts.origin import read as read_origin
from parcours.db import BigId, UTCDateTime

# JSONB on PostgreSQL: indexable and comparable; plain JSON text on SQLite.
JsonDoc = JSON().with_variant(JSONB(), "postgresql")


class Account(SQLModel, table=True):
    __tablename__ = "accounts"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    # The name compared case-insensitively, computed in Python (SQLite's lower() is ASCII-only).
    name_key: str = Field(max_length=200, unique=True)
    # Normalized ("acme.fr", see normalize.normalize_domain): imports match accounts on it.
    domain: str | None = Field(default=None, max_length=200, index=True)
    website: str | None = Field(default=None, max_length=300)
    industry: str | None = Field(default=None, max_length=100)
    size: int | None = None
    annual_revenue: float | None = None
    country: str | None = Field(default=None, max_length=2)
    city: str | None = Field(default=None, max_length=100)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


LEAD_COLUMNS = (
    "id",
    "lead_origin",
    "lead_origin_form_id",
    "lead_origin_page_id",
    "lead_origin_journey_id",
    "lead_origin_campaign_id",
    "lifecycle_stage",
    "source",
)


class Contact(SQLModel, table=True):
    __tablename__ = "contacts"
    __table_args__ = (
        Index("ix_contacts_lifecycle_stage_id", "lifecycle_stage", "id"),
        Index("ix_contacts_country_id", "country", "id"),
        # The list's most common filter pair: its exact total is counted from the index alone.
        Index("ix_contacts_country_stage_id", "country", "lifecycle_stage", "id"),
        Index("ix_contacts_last_name_id", "last_name", "id"),
        Index("ix_contacts_updated_at_id", "updated_at", "id"),
        # Duplicates are found by equality on these (see contacts.duplicates).
        Index("ix_contacts_email_key", "email_key"),
        Index("ix_contacts_phone", "phone"),
        Index("ix_contacts_account_person", "account_id", "person_key"),
        # The Home counts contacts created before a day and per day.
        Index("ix_contacts_created_at", "created_at"),
        # Lead generation and the pipeline group a period's leads by their origin, stage and source:
        # on PostgreSQL from this index alone, without reading the contacts' rows.
        Index(
            "ix_contacts_leads",
            "lead_at",
            postgresql_include=[*LEAD_COLUMNS],
            postgresql_where=text("lead_at IS NOT NULL"),
            sqlite_where=text("lead_at IS NOT NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=320, unique=True)
    first_name: str | None = Field(default=None, max_length=100)
    last_name: str | None = Field(default=None, max_length=100)
    phone: str | None = Field(default=None, max_length=32)
    job_title: str | None = Field(default=None, max_length=200)
    account_id: int | None = Field(default=None, foreign_key="accounts.id", ondelete="SET NULL", index=True)
    country: str | None = Field(default=None, max_length=2)
    city: str | None = Field(default=None, max_length=100)
    language: str | None = Field(default=None, max_length=8)
    birth_date: date | None = None
    gender: str | None = Field(default=None, max_length=16)
    lifecycle_stage: str = Field(default="subscriber", max_length=32)
    source: str | None = Field(default=None, max_length=100)
    # Where the lead came from: inbound (a form, a page, tracked behaviour), outbound (a journey, a
    # campaign, an import) or sales (entered by sales), with a detail such as "import: fairs.csv".
    lead_origin: str | None = Field(default=None, max_length=16)
    lead_origin_detail: str | None = Field(default=None, max_length=200)
    # The journey, campaign, form and landing page that created or converted it (ids, kept when
    # they are deleted: no foreign key). See contacts/origin.py.
    lead_origin_form_id: int | None = None
    lead_origin_page_id: int | None = None
    lead_origin_journey_id: int | None = None
    lead_origin_campaign_id: int | None = None
    # When it became a lead (its origin was first set): lead generation counts it that day. Every
    # path that sets lead_origin sets it (editing, forms, imports, bulk inserts, merges).
    lead_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    consent_level: str = Field(default="none", max_length=16)
    email_opt_in: bool = False
    sms_opt_in: bool = False
    unsubscribed: bool = False
    bounced: bool = False
    custom: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JsonDoc, nullable=False))
    # score_<key> and grade_<key> of each scoring model, kept by scoring so rules read them like fields.
    scores: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column(JsonDoc, nullable=False, default=dict, server_default=text("'{}'"))
    )
    # Names and email folded (lower case, no accents): "lefevre" finds "Lefèvre". See search_text().
    search_text: str = Field(default="", max_length=800)
    # The mailbox the email reaches and the folded names (contacts.matching): two contacts with the
    # same email_key, or the same person_key at the same account, are probably one person.
    email_key: str | None = Field(default=None, max_length=320)
    person_key: str | None = Field(default=None, max_length=200)
    # Computed from interactions (see interactions.service); rules read them like any field.
    last_interaction_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    opens_30d: int = 0
    clicks_30d: int = 0
    visits_30d: int = 0
    purchases: int = 0
    total_revenue: float = 0.0
    last_purchase_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    first_seen_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    @property
    def origin(self) -> Origin | None:
        """Its structured origin (the contract's `origin`), read from the lead_origin* columns."""
        return read_origin(self, CONTACT_COLUMNS)


class ContactRfm(SQLModel, table=True):
    """A customer's RFM scores (1-5), their digits ("545") and named group, kept by rfm's nightly
    recompute; a contact who never bought has no row (its RFM fields are empty). A narrow table of
    its own rather than columns of contacts: rewriting 400,000 wide contact rows (and all their
    indexes) each night took minutes at 1,000,000 contacts; rules join it by primary key.
    No foreign key: checking 400,000 keys took as long as writing the rows. Every read starts from
    contacts, so the row of a contact deleted since is never seen; erasure removes it at once and
    the next recompute in any case."""

    __tablename__ = "contact_rfm"

    contact_id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    rfm_recency: int
    rfm_frequency: int
    rfm_monetary: int
    rfm_score: str = Field(max_length=3)
    rfm_segment: str = Field(max_length=24)
    # What the RFM report sums, as of the same recompute (so that it never scans the purchases):
    # the last purchase, the amounts bought over the RFM period and ever. None and 0 until the
    # first recompute that wrote them.
    last_purchase_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    period_revenue: float = Field(default=0.0, sa_column_kwargs={"server_default": "0"})
    lifetime_revenue: float = Field(default=0.0, sa_column_kwargs={"server_default": "0"})


class ContactComputed(SQLModel, table=True):
    """A contact's value of a behavioural field (rules read it as computed_<name>), kept by
    behaviour; a contact without a row reads the field's default (0, no, or nothing). A narrow
    table rather than keys of contacts.scores: a backfill or a stream batch then writes these
    small rows instead of rewriting wide contact rows (and their indexes), and a rule reads the
    field by an index instead of parsing every contact's JSON. No foreign key (as contact_rfm):
    every read starts from contacts; a merge and an erasure remove the rows of the contact gone."""

    __tablename__ = "contact_computed"
    __table_args__ = (Index("ix_contact_computed_contact", "contact_id"),)

    # The field's name (computed_fields.name, without the computed_ prefix).
    name: str = Field(max_length=40, primary_key=True)
    contact_id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    # One of the three holds the value (contacts.behavioural.Kind): counts, sums, min/max and
    # first/last property values; "exists"; first/last times. All NULL: nothing counted.
    number: float | None = None
    flag: bool | None = None
    moment: datetime | None = Field(default=None, sa_type=UTCDateTime)


class CustomField(SQLModel, table=True):
    __tablename__ = "custom_fields"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=40, unique=True)
    label: str = Field(max_length=100)
    type: str = Field(max_length=16)
    choices: list[str] = Field(default_factory=list, sa_type=JSON)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ConsentEvent(SQLModel, table=True):
    """Append-only: who changed which consent, when, how, from what to what."""

    __tablename__ = "consent_events"

    id: int | None = Field(default=None, sa_type=BigId, primary_key=True)
    contact_id: int = Field(foreign_key="contacts.id", ondelete="CASCADE", index=True)
    field: str = Field(max_length=32)
    old_value: str | None = Field(default=None, max_length=32)
    new_value: str | None = Field(default=None, max_length=32)
    changed_by: str = Field(max_length=320)
    how: str = Field(max_length=32)
    occurred_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # The evidence of a consent obtained outside Parcours and brought by an import: where and when it
    # was given, as the marketer stated it, and which import (job and file) recorded it.
    source: str | None = Field(default=None, max_length=200)
    obtained_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    import_job_id: str | None = Field(default=None, max_length=32)
    import_filename: str | None = Field(default=None, max_length=300)
    # The evidence of a consent given on a form: the exact wording shown, its version, the form
    # and the address the form was posted from.
    wording: str | None = Field(default=None, sa_type=Text)
    wording_version: str | None = Field(default=None, max_length=40)
    form_id: int | None = None
    ip: str | None = Field(default=None, max_length=45)


class ErasureTombstone(SQLModel, table=True):
    """What remains of an erased contact: no identity, only what aggregate reports count."""

    __tablename__ = "erasure_tombstones"

    id: int | None = Field(default=None, primary_key=True)
    erased_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    erased_by: str = Field(max_length=320)
    contact_created_at: datetime = Field(sa_type=UTCDateTime)
    lifecycle_stage: str = Field(max_length=32)
    source: str | None = Field(default=None, max_length=100)
    country: str | None = Field(default=None, max_length=2)
    interaction_counts: dict[str, int] = Field(default_factory=dict, sa_type=JSON)
    total_revenue: float = 0.0


class ImportFile(SQLModel, table=True):
    """An uploaded CSV waiting for its import job (kept in the database so any worker can read it)."""

    __tablename__ = "import_files"

    id: int | None = Field(default=None, primary_key=True)
    job_id: str = Field(max_length=32, index=True)
    filename: str = Field(max_length=300)
    content: bytes = Field(sa_type=LargeBinary)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ContactMerge(SQLModel, table=True):
    """A contact merged into another: its id and email lead to the survivor ever after (a second
    merge of the pair is a no-op; an import or the API meeting its email finds the survivor)."""

    __tablename__ = "contact_merges"

    other_id: int = Field(primary_key=True)
    survivor_id: int = Field(foreign_key="contacts.id", ondelete="CASCADE", index=True)
    other_email: str = Field(max_length=320)
    other_email_key: str = Field(max_length=320, index=True)
    merged_by: str = Field(max_length=320)
    merged_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class DistinctPair(SQLModel, table=True):
    """Two contacts someone compared and found to be different people: never proposed again as
    duplicates (low_id < high_id). Gone with either contact."""

    __tablename__ = "contact_distinct_pairs"

    low_id: int = Field(foreign_key="contacts.id", ondelete="CASCADE", primary_key=True)
    high_id: int = Field(foreign_key="contacts.id", ondelete="CASCADE", primary_key=True, index=True)
    marked_by: str = Field(max_length=320)
    marked_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


# The Core tables, for set-wise statements (SQLModel leaves a model's __table__ untyped).
CONTACTS: Table = SQLModel.metadata.tables["contacts"]
ACCOUNTS: Table = SQLModel.metadata.tables["accounts"]
CONTACT_MERGES: Table = SQLModel.metadata.tables["contact_merges"]
CONTACT_RFM: Table = SQLModel.metadata.tables["contact_rfm"]
DISTINCT_PAIRS: Table = SQLModel.metadata.tables["contact_distinct_pairs"]
CONTACT_COMPUTED: Table = SQLModel.metadata.tables["contact_computed"]
