"""Shapes shared by every API: strict inputs, PATCH bodies, cursor pages."""

from __future__ import annotations

import base64
from typing import Annotated, Any, Generic, TypeVar

import msgspec
from litestar.params import Parameter
from msgspec import Meta

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
    items: list[T]
    next_cursor: str | None
    total: int | None = None


def changes(patch: msgspec.Struct) -> dict[str, Any]:
    """The fields a PATCH body actually set (absent fields stay as they are)."""
    return {k: v for k, v in msgspec.structs.asdict(patch).items() if v is not msgspec.UNSET}


def to_out(value: Any, shape: type[T]) -> T:
    return msgspec.convert(value, shape, from_attributes=True)


def encode_cursor(values: list[Any]) -> str:
    return base64.urlsafe_b64encode(msgspec.json.encode(values)).decode().rstrip("=")


def decode_cursor(cursor: str) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = msgspec.json.decode(base64.urlsafe_b64decode(padded))
    except (ValueError, msgspec.DecodeError):
        raise InvalidInput("This page cursor is not valid: start again from the first page.", "cursor") from None
    if not isinstance(values, list):
        raise InvalidInput("This page cursor is not valid: start again from the first page.", "cursor")
    return values
