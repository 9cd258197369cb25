"""What the OpenAPI document says beyond what Litestar infers: the errors, and msgspec's rules.

`plugins()` is what the app registers.

Errors
------

Every error of the API has one shape, {"error": {"message": ..., "field": ...}} (errors.py), and a
4xx status (503 when the database is too busy to take a write). Litestar documents instead its own
validation error ({"detail", "status_code"}) and nothing else; `ErrorResponses` replaces that with
the statuses each operation can really answer, all with the shape above:

- 400: the operation reads parameters or a body, or writes (a value of the wrong type or out of
  range, a body that is not what it expects...);
- 401 and 403: it needs a login or an API key (403: the role does not allow it, or the CSRF token
  of a write made with the session cookie is missing);
- 404: it names something in its path (an id, a key, a slug), or it writes (its body may name
  something that does not exist: a template, an email...);
- 409, 413 and 422: it writes (a conflict with what exists; a body larger than
  PARCOURS_MAX_UPLOAD_MB; a change the current state refuses, such as publishing a journey with
  problems);
- 429: it is rate-limited (logging in, the public pages);
- 503: always (the database was busy: nothing was saved, try again after Retry-After).

A status an operation already documents itself (`responses=` on its handler) is left as it is.

msgspec's rules
---------------
- An input shape that refuses unknown fields (api.Strict) says so: `additionalProperties: false`.
- `int | float` is a JSON number. Litestar writes unions as `oneOf`, which an integer fails since it
  matches both `integer` and `number`: `number` says what is meant.
- The bounds of a list's items (`list[Id]`: ids from 1) are written on its `items`, where Litestar
  leaves them out.
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar._openapi.schema_generation.plugins.struct import (
    StructSchemaPlugin,  # Litestar's own, extended
)
from litestar.middleware.rate_limit import RateLimitMiddleware
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import OpenAPIType, Schema
from litestar.plugins import PluginProtocol, ReceiveRoutePlugin
from litestar.routes import BaseRoute, HTTPRoute
from litestar.typing import FieldDefinition

WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class ErrorDetail(msgspec.Struct, kw_only=True):
    message: str
    """What went wrong, in words a marketer can act on."""
    field: str | None
    """The input it concerns (a body field, a parameter, a CSV column), or null."""


class ErrorBody(msgspec.Struct, kw_only=True):
    """Every error answer. `error` may carry more details beside message and field: `used_by` (409),
    `problems` (422 on publishing a journey), `position` (a rule's syntax error)..."""

    error: ErrorDetail


DESCRIPTIONS = {
    400: "The request is not valid: the message says why and `field` names the input",
    401: "Not logged in, or the API key is not valid or has been revoked",
    403: "The role does not allow this, or the CSRF token of a write made with the session cookie is missing",
    404: "Not found: what the path (or the field named) refers to does not exist",
    409: "Conflicts with what exists (already there, or still used by what `used_by` names)",
    413: "The request body is larger than the upload limit",
    422: "Understood, but the current state does not allow it (the message says why)",
    429: "Too many requests: wait a little and try again",
    503: "The database was busy: nothing was saved, try again after Retry-After seconds",
}


def error_statuses(route: HTTPRoute, handler: Any, kwargs_model: Any) -> list[int]:
    writes = bool(set(handler.http_methods) & WRITES)
    takes_input = bool(
        writes
        or kwargs_model.expected_path_params
        or kwargs_model.expected_query_params
        or kwargs_model.expected_header_params
        or kwargs_model.expected_cookie_params
    )
    statuses = [503]
    if takes_input:
        statuses.append(400)
    if handler.resolve_security():
        statuses += [401, 403]
    if route.path_parameters or writes:
        statuses.append(404)
    if writes:
        statuses += [409, 413, 422]
    if any(getattr(m, "middleware", None) is RateLimitMiddleware for m in handler.resolve_middleware()):
        statuses.append(429)
    return sorted(statuses)


def document_route(route: BaseRoute) -> None:
    if not isinstance(route, HTTPRoute):
        return
    for handler, kwargs_model in route.route_handler_map.values():
        if not handler.resolve_include_in_schema():
            continue
        own = dict(handler.responses or {})
        errors = {
            status: ResponseSpec(data_container=ErrorBody, description=DESCRIPTIONS[status], generate_examples=False)
            for status in error_statuses(route, handler, kwargs_model)
            if status not in own
        }
        handler.responses = {**errors, **own}


class ErrorResponses(ReceiveRoutePlugin):
    """Documents the error answers of every route as it is registered (see the module's docstring)."""

    def receive_route(self, route: BaseRoute) -> None:
        document_route(route)


class StrictStructs(StructSchemaPlugin):
    """msgspec Structs as Litestar documents them, plus `additionalProperties: false` for those that
    refuse unknown fields, and `number` for their `int | float` fields."""

    def to_openapi_schema(self, field_definition: FieldDefinition, schema_creator: Any) -> Schema:
        schema = super().to_openapi_schema(field_definition, schema_creator)
        info: Any = msgspec.inspect.type_info(field_definition.type_)
        if info.forbid_unknown_fields:
            schema.additional_properties = False
        for field in info.fields:
            prop = (schema.properties or {}).get(field.encode_name)
            if isinstance(prop, Schema):
                _numbers(prop)
                _item_bounds(prop, field.type)
        return schema


def _numbers(schema: Schema) -> None:
    """oneOf [integer, number, ...] -> oneOf [number, ...] (just `number` when nothing else is left)."""
    if isinstance(schema.items, Schema):
        _numbers(schema.items)
    branches = schema.one_of or []
    types = {branch.type for branch in branches if isinstance(branch, Schema)}
    if not {OpenAPIType.INTEGER, OpenAPIType.NUMBER} <= types:
        for branch in branches:
            if isinstance(branch, Schema):
                _numbers(branch)
        return
    kept = [b for b in branches if not (isinstance(b, Schema) and b.type == OpenAPIType.INTEGER)]
    if len(kept) == 1 and isinstance(kept[0], Schema):
        schema.one_of = None
        schema.type = OpenAPIType.NUMBER
    else:
        schema.one_of = kept


_BOUNDS = {
    "ge": "minimum",
    "le": "maximum",
    "gt": "exclusive_minimum",
    "lt": "exclusive_maximum",
    "min_length": "min_length",
    "max_length": "max_length",
    "pattern": "pattern",
}
_COLLECTIONS = (
    msgspec.inspect.ListType,
    msgspec.inspect.SetType,
    msgspec.inspect.FrozenSetType,
    msgspec.inspect.VarTupleType,
)


def _item_bounds(schema: Schema, field_type: Any) -> None:
    """Write the bounds of a collection's items (msgspec keeps them on the item type) on `items`."""
    types = field_type.types if isinstance(field_type, msgspec.inspect.UnionType) else (field_type,)
    collection = next((t for t in types if isinstance(t, _COLLECTIONS)), None)
    if collection is None:
        return
    item = collection.item_type
    bounds = {_BOUNDS[name]: getattr(item, name) for name in _BOUNDS if getattr(item, name, None) is not None}
    arrays = [schema, *(b for b in schema.one_of or [] if isinstance(b, Schema))]
    for array in arrays:
        if array.type == OpenAPIType.ARRAY and isinstance(array.items, Schema):
            for key, value in bounds.items():
                setattr(array.items, key, value)


def plugins() -> list[PluginProtocol]:
    return [ErrorResponses(), StrictStructs()]
