"""Scheduled data flows: file sources imported on a schedule, their runs and the files they took,
and segment exports written on a schedule."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, ForeignKey, Integer, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from parcours.clock import utcnow
from parcours.db import UTCDateTime


class ImportSource(SQLModel, table=True):
    __tablename__ = "import_sources"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    # "sftp": a remote server; "directory": a folder under the server's files directory.
    kind: str = Field(max_length=16)
    host: str = Field(default="", max_length=255)
    port: int = 22
    username: str = Field(default="", max_length=200)
    # Encrypted with the server's secret key; never returned by the API.
    password_secret: str | None = Field(default=None, sa_type=Text)
    private_key_secret: str | None = Field(default=None, sa_type=Text)
    # The server's host key, remembered at the first connection: a changed key is refused.
    host_key: str | None = Field(default=None, sa_type=Text)
    directory: str = Field(default="", max_length=500)
    pattern: str = Field(default="*.csv", max_length=200)
    # Column -> field, as the manual import's; None: suggested from each file's header.
    mapping: dict[str, str | None] | None = Field(default=None, sa_type=JSON)
    options: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    frequency: str = Field(default="daily", max_length=16)
    time_of_day: str = Field(default="06:00", max_length=5)
    after_read: str = Field(default="move", max_length=16)
    enabled: bool = True
    next_run_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    # Runs that failed in a row: the retry waits longer after each.
    failures: int = 0
    last_error: str | None = Field(default=None, sa_type=Text)
    last_run_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_by: str = Field(default="", max_length=320)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ImportRun(SQLModel, table=True):
    __tablename__ = "import_runs"

    id: int | None = Field(default=None, primary_key=True)
    source_id: int = Field(
        sa_column=Column(Integer, ForeignKey("import_sources.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    job_id: str | None = Field(default=None, max_length=32)
    # queued, running, done, failed
    status: str = Field(default="queued", max_length=16)
    # schedule, retry, manual
    trigger: str = Field(default="manual", max_length=16)
    files: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    error: str | None = Field(default=None, sa_type=Text)
    created_by: str = Field(default="", max_length=320)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    started_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class ImportedFile(SQLModel, table=True):
    """A file a source took: the same name, size and modification time is never imported again."""

    __tablename__ = "imported_files"
    __table_args__ = (UniqueConstraint("source_id", "name", "size", "mtime"),)

    id: int | None = Field(default=None, primary_key=True)
    source_id: int = Field(
        sa_column=Column(Integer, ForeignKey("import_sources.id", ondelete="CASCADE"), nullable=False)
    )
    name: str = Field(max_length=500)
    size: int = Field(sa_column=Column(BigInteger, nullable=False))
    mtime: int = Field(sa_column=Column(BigInteger, nullable=False))
    run_id: int | None = None
    job_id: str | None = Field(default=None, max_length=32)
    taken_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ScheduledExport(SQLModel, table=True):
    __tablename__ = "scheduled_exports"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    segment_id: int
    fields: list[str] = Field(default_factory=list, sa_type=JSON)
    kind: str = Field(max_length=16)
    host: str = Field(default="", max_length=255)
    port: int = 22
    username: str = Field(default="", max_length=200)
    password_secret: str | None = Field(default=None, sa_type=Text)
    private_key_secret: str | None = Field(default=None, sa_type=Text)
    host_key: str | None = Field(default=None, sa_type=Text)
    directory: str = Field(default="", max_length=500)
    frequency: str = Field(default="daily", max_length=16)
    time_of_day: str = Field(default="06:00", max_length=5)
    enabled: bool = True
    next_run_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    failures: int = 0
    last_error: str | None = Field(default=None, sa_type=Text)
    last_run_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_file: str | None = Field(default=None, max_length=500)
    last_rows: int | None = None
    created_by: str = Field(default="", max_length=320)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
