"""Shapes of /api/jobs: a job, and the result each kind of job leaves (told apart by `kind`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

import msgspec

from parcours.jobs.models import Job


class ImportRowError(msgspec.Struct, kw_only=True):
    row: int  # the line of the file (the header is line 1)
    field: str | None
    message: str
    value_left_out: bool = False  # the row was imported without this value (a phone not valid for its country)


class ImportSkippedRow(msgspec.Struct, kw_only=True):
    row: int  # the line of the file (the header is line 1)
    reason: str


class ImportResult(msgspec.Struct, kw_only=True, tag_field="kind", tag="contact_import"):
    """A contacts import: what it did with each row of the file."""

    created: int
    updated: int
    skipped: int  # unchanged, already known (merge policy "skip"), repeated in the file, or not written
    errors: list[ImportRowError]  # the first 10,000
    error_count: int
    rows: int
    rejected_rows: int
    duplicates_in_file: int
    unchanged: int
    committed: bool  # false: nothing was written (all or nothing, and some rows had errors)
    # Every row not written, in file order (the first 10,000): rejected, repeated in the file, a known
    # contact left untouched (merge policy "skip"), or held back by "all or nothing".
    skipped_rows: list[ImportSkippedRow] = []
    skipped_row_count: int = 0


class SegmentRefreshResult(msgspec.Struct, kw_only=True, tag_field="kind", tag="segment_refresh"):
    """A segment's refresh, with the segments that depend on it."""

    entered: int
    exited: int
    segments: int


class ScoringRecomputeResult(msgspec.Struct, kw_only=True, tag_field="kind", tag="scoring_recompute"):
    """A scoring model's recompute over the whole base."""

    changed: int
    promoted: int  # contacts who became sales-ready


class RfmRecomputeResult(msgspec.Struct, kw_only=True, tag_field="kind", tag="rfm_recompute"):
    """RFM scores recomputed over the whole base."""

    customers: int
    changed: int  # contacts whose RFM fields changed (new customers, new scores, emptied)


JobResult = ImportResult | SegmentRefreshResult | ScoringRecomputeResult | RfmRecomputeResult


class JobOut(msgspec.Struct, kw_only=True):
    id: str
    kind: str
    status: Literal["queued", "running", "done", "failed"]
    progress: float
    message: str
    result: JobResult | None  # once done; its `kind` is the job's
    created_by: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class _Stored(msgspec.Struct):
    result: JobResult


def result_of(kind: str, stored: dict[str, Any] | None) -> JobResult | None:
    """A job's stored result, typed by its kind (None for a kind whose result has no shape here)."""
    if stored is None:
        return None
    try:
        return msgspec.convert({"result": {**stored, "kind": kind}}, _Stored).result
    except msgspec.ValidationError:
        return None


def job_out(job: Job) -> JobOut:
    """A job row as the API shows it."""
    values = {f: getattr(job, f) for f in JobOut.__struct_fields__}
    return JobOut(**{**values, "result": result_of(job.kind, job.result)})
