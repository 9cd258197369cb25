"""The contact tables as reports read them: read-only, for statements over the whole base (the
audience's distributions, cohorts by creation month, RFM groups, growth by month)."""

from __future__ import annotations

from sqlalchemy import Table
from sqlmodel import SQLModel

from parcours.contacts.models import CONTACT_RFM

_TABLES = SQLModel.metadata.tables


def contacts_table() -> Table:
    return _TABLES["contacts"]


def rfm_table() -> Table:
    return CONTACT_RFM


def consent_events_table() -> Table:
    return _TABLES["consent_events"]


def tombstones_table() -> Table:
    return _TABLES["erasure_tombstones"]
