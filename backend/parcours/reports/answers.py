"""A report route's answer: its JSON struct, or its table as CSV with `format=csv`. Typed as the
JSON struct, so that the OpenAPI document names it (JsonOrCsv adds the text/csv content)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar, cast

from litestar import Response

from parcours.reports.filters import ReportFilters, csv_answer

T = TypeVar("T")


def json_or_csv(
    report: T,
    filters: ReportFilters,
    name: str,
    header: Sequence[str],
    rows: Callable[[T], Iterable[Sequence[Any]]],
) -> Response[T]:
    if filters.as_csv:
        return cast("Response[T]", csv_answer(name, header, rows(report), filters))
    return Response(report)
