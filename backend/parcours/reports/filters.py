"""What every report is asked — a period, journeys, emails, an audience — and its CSV answer.

A report's period is whole days, from `from` to `to` included, in UTC (the daily rollups are UTC
days). Without them, a report covers the last 30 days up to today. `journey_ids` and `email_ids`
narrow it to some journeys or emails, `segment_id` to the members of a segment; a report where a
filter makes no sense ignores it. `format=csv` answers the report's table as CSV instead of JSON.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal

import msgspec
from litestar import Response
from litestar.openapi.spec import OpenAPIMediaType, OpenAPIType, Operation, Schema
from litestar.params import Parameter

from parcours.api import INT_MAX, OptionalIdParam
from parcours.clock import utcnow
from parcours.errors import InvalidInput

DEFAULT_DAYS = 30
# Three years and a bit: a longer period is a mistake, and would read rollups for nothing.
MAX_DAYS = 1100
MAX_IDS = 100


class ReportFilters(msgspec.Struct, frozen=True, kw_only=True):
    start: date
    end: date
    journey_ids: tuple[int, ...] = ()
    email_ids: tuple[int, ...] = ()
    segment_id: int | None = None
    as_csv: bool = False

    @property
    def since(self) -> datetime:
        """The period's first instant."""
        return datetime.combine(self.start, time(), UTC)

    @property
    def until(self) -> datetime:
        """The instant just after the period (midnight after its last day)."""
        return datetime.combine(self.end + timedelta(days=1), time(), UTC)

    @property
    def length(self) -> int:
        return (self.end - self.start).days + 1

    def days(self) -> list[date]:
        return [self.start + timedelta(days=n) for n in range(self.length)]

    def previous(self) -> ReportFilters:
        """The period of the same length just before, for trends."""
        return msgspec.structs.replace(
            self, start=self.start - timedelta(days=self.length), end=self.start - timedelta(days=1)
        )


def _ids(values: list[int] | None, field: str) -> tuple[int, ...]:
    ids = tuple(dict.fromkeys(values or ()))
    if len(ids) > MAX_IDS:
        raise InvalidInput(f"At most {MAX_IDS} ids.", field)
    for value in ids:
        if not 1 <= value <= INT_MAX:
            raise InvalidInput(f"{value} is not an id.", field)
    return ids


def report_filters(
    from_: str | None = Parameter(
        query="from", default=None, max_length=10, description="First day of the period (ISO date)"
    ),
    to: date | None = Parameter(default=None, description="Last day of the period, included (ISO date)"),
    journey_ids: list[int] | None = Parameter(default=None, description="Only these journeys"),
    email_ids: list[int] | None = Parameter(default=None, description="Only these emails"),
    segment_id: OptionalIdParam = None,
    format: Literal["json", "csv"] = Parameter(default="json", description="csv: the report's table as CSV"),
) -> ReportFilters:
    """The Litestar dependency every report route takes as `filters`."""
    try:
        first = date.fromisoformat(from_) if from_ else None
    except ValueError:
        # Parsed here: Litestar would name the parameter `from_`, not the `from` the caller sent.
        raise InvalidInput("The period's first day must be a date such as 2026-11-01.", "from") from None
    today = utcnow().date()
    end = to or (today if first is None else min(today, first + timedelta(days=DEFAULT_DAYS - 1)))
    start = first or end - timedelta(days=DEFAULT_DAYS - 1)
    if start > end:
        raise InvalidInput("The period starts after it ends.", "from")
    if (end - start).days + 1 > MAX_DAYS:
        raise InvalidInput(f"A report covers at most {MAX_DAYS} days.", "to")
    return ReportFilters(
        start=start,
        end=end,
        journey_ids=_ids(journey_ids, "journey_ids"),
        email_ids=_ids(email_ids, "email_ids"),
        segment_id=segment_id,
        as_csv=format == "csv",
    )


@dataclass
class JsonOrCsv(Operation):
    """The OpenAPI operation of a report: its 200 answers JSON, or CSV with `format=csv`."""

    def __post_init__(self) -> None:
        ok = (self.responses or {}).get("200")
        content = getattr(ok, "content", None)
        if content is not None:
            content["text/csv"] = OpenAPIMediaType(schema=Schema(type=OpenAPIType.STRING))


# A cell starting with one of these would be run as a formula by a spreadsheet.
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(_FORMULA):
        return "'" + value
    if isinstance(value, float):
        return round(value, 4)
    return value


def csv_answer(
    name: str, header: Sequence[str], rows: Iterable[Sequence[Any]], filters: ReportFilters
) -> Response[str]:
    """A report's table as a CSV download named after the report and its period."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows([_cell(v) for v in row] for row in rows)
    filename = f"{name}-{filters.start.isoformat()}-{filters.end.isoformat()}.csv"
    # A BOM lets Excel open accented names correctly.
    return Response(
        "\ufeff" + buffer.getvalue(),
        media_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
