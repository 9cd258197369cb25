"""The API of scheduled data flows: import sources, their runs, segment exports."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

import msgspec
from msgspec import UNSET, Meta, UnsetType

from parcours.api import Id, Page, Strict
from parcours.contacts.importing import ImportOptions

Kind = Literal["sftp", "directory"]
Frequency = Literal["hourly", "daily"]
AfterRead = Literal["move", "mark"]
Name = Annotated[str, Meta(min_length=1, max_length=200)]
Host = Annotated[str, Meta(max_length=255)]
Port = Annotated[int, Meta(ge=1, le=65535)]
User = Annotated[str, Meta(max_length=200)]
Password = Annotated[str, Meta(min_length=1, max_length=500)]
PrivateKey = Annotated[str, Meta(min_length=1, max_length=20_000)]
Directory = Annotated[str, Meta(max_length=500)]
Pattern = Annotated[str, Meta(min_length=1, max_length=200, pattern=r"^[^/\\]+$")]
TimeOfDay = Annotated[str, Meta(pattern=r"^([01]\d|2[0-3]):[0-5]\d$", description="HH:MM, organization time")]
Mapping = dict[Annotated[str, Meta(max_length=200)], Annotated[str, Meta(max_length=200)] | None]
FieldName = Annotated[str, Meta(min_length=1, max_length=200)]


class ConnectionIn(Strict):
    """Where files are: an SFTP server (password or private key, never returned) or a directory
    under the server's files directory."""

    kind: Kind
    host: Host = ""
    port: Port = 22
    username: User = ""
    password: Password | None = None
    private_key: PrivateKey | None = None
    directory: Directory = ""


class ConnectionTestIn(ConnectionIn, kw_only=True):
    pattern: Pattern = "*"
    # Testing a saved source or export: the password or key it keeps is used when none is given.
    source_id: Id | None = None
    export_id: Id | None = None


class ConnectionTest(msgspec.Struct, kw_only=True):
    ok: bool
    message: str
    # The files the pattern finds (the first 50).
    files: list[str] = []


class SourceIn(ConnectionIn, kw_only=True):
    name: Name
    pattern: Pattern = "*.csv"
    # Column -> field as the manual import's; absent: suggested from each file's columns.
    mapping: Mapping | None = None
    options: ImportOptions = msgspec.field(default_factory=ImportOptions)
    frequency: Frequency = "daily"
    time_of_day: TimeOfDay = "06:00"
    after_read: AfterRead = "move"
    enabled: bool = True


class SourcePatch(Strict):
    name: Name | UnsetType = UNSET
    kind: Kind | UnsetType = UNSET
    host: Host | UnsetType = UNSET
    port: Port | UnsetType = UNSET
    username: User | UnsetType = UNSET
    # null removes the saved password or key; absent keeps it.
    password: Password | None | UnsetType = UNSET
    private_key: PrivateKey | None | UnsetType = UNSET
    directory: Directory | UnsetType = UNSET
    pattern: Pattern | UnsetType = UNSET
    mapping: Mapping | None | UnsetType = UNSET
    options: ImportOptions | UnsetType = UNSET
    frequency: Frequency | UnsetType = UNSET
    time_of_day: TimeOfDay | UnsetType = UNSET
    after_read: AfterRead | UnsetType = UNSET
    enabled: bool | UnsetType = UNSET


class _ConnectionOut(msgspec.Struct, kw_only=True):
    kind: str
    host: str
    port: int
    username: str
    has_password: bool
    has_private_key: bool
    # The server's host key fingerprint, remembered at the first connection.
    host_key_fingerprint: str | None
    directory: str
    frequency: str
    time_of_day: str
    enabled: bool
    next_run_at: datetime | None
    failures: int
    last_error: str | None
    last_run_at: datetime | None
    created_at: datetime
    updated_at: datetime


class SourceOut(_ConnectionOut):
    id: int
    name: str
    pattern: str
    mapping: dict[str, str | None] | None
    options: dict[str, Any]
    after_read: str


SourcePage = Page[SourceOut]


class ImportRunFile(msgspec.Struct, kw_only=True):
    name: str
    size: int
    mtime: int
    # importing, imported, failed (the import job), refused (the file itself, before any row)
    status: str
    message: str = ""
    # The manual import's job: its full error report is at /api/jobs/{job_id}.
    job_id: str | None = None
    created: int | None = None
    updated: int | None = None
    rejected_rows: int | None = None
    error_count: int | None = None
    # Where the file went after it was read (processed/…, or its marked name).
    moved_to: str | None = None


class ImportRunOut(msgspec.Struct, kw_only=True):
    id: int
    source_id: int
    job_id: str | None
    status: str
    trigger: str
    files: list[ImportRunFile]
    error: str | None
    created_by: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


ImportRunPage = Page[ImportRunOut]


class ImportRunAccepted(msgspec.Struct, kw_only=True):
    run_id: int
    job_id: str


class ExportIn(ConnectionIn, kw_only=True):
    name: Name
    segment_id: Id
    # Rule fields (GET /api/rules/fields), in the order of the file's columns.
    fields: Annotated[list[FieldName], Meta(min_length=1, max_length=200)]
    frequency: Frequency = "daily"
    time_of_day: TimeOfDay = "06:00"
    enabled: bool = True


class ExportPatch(Strict):
    name: Name | UnsetType = UNSET
    segment_id: Id | UnsetType = UNSET
    fields: Annotated[list[FieldName], Meta(min_length=1, max_length=200)] | UnsetType = UNSET
    kind: Kind | UnsetType = UNSET
    host: Host | UnsetType = UNSET
    port: Port | UnsetType = UNSET
    username: User | UnsetType = UNSET
    password: Password | None | UnsetType = UNSET
    private_key: PrivateKey | None | UnsetType = UNSET
    directory: Directory | UnsetType = UNSET
    frequency: Frequency | UnsetType = UNSET
    time_of_day: TimeOfDay | UnsetType = UNSET
    enabled: bool | UnsetType = UNSET


class ExportOut(_ConnectionOut):
    id: int
    name: str
    segment_id: int
    fields: list[str]
    last_file: str | None
    last_rows: int | None


ExportPage = Page[ExportOut]


class ExportAccepted(msgspec.Struct, kw_only=True):
    job_id: str
