"""Shapes shared by every API: strict inputs, PATCH bodies, cursor pages.

Every list that grows with use is read the same way: `?limit=…&cursor=…` answers a `Page`
({items, next_cursor, total}); the next page is asked with the `next_cursor` of the previous one
until it is null. The cursor is the sort key of the last row sent (keyset paging), so a page costs
the same at row 1,000,000 as at row 1 and rows added meanwhile never shift a page.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Annotated, Any, Generic, TypeVar

import msgspec
from litestar.params import Parameter
from msgspec import Meta
from sqlalchemy import ColumnElement, and_, or_

from parcours.errors import InvalidInput

T = TypeVar("T")

# PostgreSQL's integer, the narrowest column an id or a count is kept in: a number beyond it can
# only be a mistake, and is refused naming its field before it reaches the database.
INT_MAX = 2**31 - 1
Id = Annotated[int, Meta(ge=1, le=INT_MAX)]
# The same, as a path or query parameter.
IdParam = Annotated[int, Parameter(ge=1, le=INT_MAX)]
OptionalIdParam = Annotated[int | None, Parameter(ge=1, le=INT_MAX)]


class Strict(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Input shapes refuse unknown fields: a typo is an error, not a silent no-op."""


class Page(msgspec.Struct, Generic[T], kw_only=True):
    """One page of a list: `next_cursor` asks for the next one (null on the last page); `total`
    counts every row the filters match, across pages."""

    items: list[T]
    next_cursor: str | None
    total: int


# The most a page holds; a route may allow fewer.
MAX_LIMIT = 500
Cursor = Annotated[
    str | None,
    Parameter(max_length=1000, description="The next_cursor of the previous page; absent for the first page"),
]


def limit_param(default: int = 50, most: int = MAX_LIMIT) -> Any:
    """The `limit` query parameter of a list: how many items a page holds, 1 to `most`."""
    return Parameter(default=default, ge=1, le=most, description=f"How many items a page holds (1 to {most})")


def changes(patch: msgspec.Struct) -> dict[str, Any]:
    """The fields a PATCH body actually set (absent fields stay as they are)."""
    return {k: v for k, v in msgspec.structs.asdict(patch).items() if v is not msgspec.UNSET}


def to_out(value: Any, shape: type[T]) -> T:
    return msgspec.convert(value, shape, from_attributes=True)


def encode_cursor(values: list[Any]) -> str:
    return base64.urlsafe_b64encode(msgspec.json.encode(values)).decode().rstrip("=")


def _bad_cursor() -> InvalidInput:
    return InvalidInput("This page cursor is not valid: start again from the first page.", "cursor")


def decode_cursor(cursor: str) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = msgspec.json.decode(base64.urlsafe_b64decode(padded))
    except (ValueError, msgspec.DecodeError):
        raise _bad_cursor() from None
    if not isinstance(values, list):
        raise _bad_cursor()
    return values


def read_cursor(cursor: str | None, *kinds: type) -> list[Any] | None:
    """The sort key a cursor carries, one value per kind (int, str or datetime); None on the first
    page. Anything else is a 400 naming `cursor`."""
    if cursor is None:
        return None
    values = decode_cursor(cursor)
    if len(values) != len(kinds):
        raise _bad_cursor()
    out: list[Any] = []
    for value, kind in zip(values, kinds, strict=True):
        if kind is datetime and isinstance(value, str):
            try:
                out.append(datetime.fromisoformat(value))
            except ValueError:
                raise _bad_cursor() from None
        elif (
            kind is int
            and isinstance(value, int)
            and not isinstance(value, bool)
            and abs(value) <= INT_MAX
            or kind is str
            and isinstance(value, str)
        ):
            out.append(value)
        else:
            raise _bad_cursor()
    return out


def after(order: Sequence[tuple[Any, bool]], values: Sequence[Any]) -> ColumnElement[bool]:
    """The rows strictly after `values` in `order`, a list of (column, descending) pairs of
    non-null columns ending with a unique one: (a, b) after (x, y) is a > x, or a = x and b > y."""
    condition: ColumnElement[bool] | None = None
    for (column, descending), value in reversed(list(zip(order, values, strict=True))):
        beyond = column < value if descending else column > value
        condition = beyond if condition is None else or_(beyond, and_(column == value, condition))
    if condition is None:
        raise ValueError("a keyset needs at least one column")
    return condition


R = TypeVar("R")


def cut(rows: Sequence[R], limit: int, key: Callable[[R], list[Any]]) -> tuple[list[R], str | None]:
    """The page (rows were read with limit + 1) and the cursor of the next one, if there is one."""
    page = list(rows[:limit])
    return page, encode_cursor(key(page[-1])) if len(rows) > limit else None
