"""A number too large for the database is refused naming its parameter, whatever route it reaches."""

from __future__ import annotations

import re
from types import UnionType
from typing import Annotated, Any, Union, get_args, get_origin

from litestar.routes import HTTPRoute

TOO_LARGE = 2**63  # beyond every integer column, on SQLite and on PostgreSQL
SAFE_PARAMETERS = {"data", "db", "actor", "runtime", "request", "scope"}
# A valid value for the text path parameters that only take a few (the number's parameter is then
# the first one refused).
TEXT_SAMPLES = {"kind": "journey"}


def is_integer(annotation: Any) -> bool:
    if get_origin(annotation) in (Annotated, Union, UnionType):
        return any(
            is_integer(arg) for arg in get_args(annotation)[: 1 if get_origin(annotation) is Annotated else None]
        )
    return annotation is int


def integer_parameters(api: Any) -> list[tuple[str, str, str, set[str], bool]]:
    """(method, path template, parameter, the handler's integer query parameters, whether it takes a
    multipart upload) for every integer parameter of /api."""
    found = []
    for route in api.app.routes:
        if not isinstance(route, HTTPRoute) or not route.path.startswith("/api"):
            continue
        for handler in route.route_handlers:
            names = {
                name
                for name, parameter in handler.parsed_fn_signature.parameters.items()
                if name not in SAFE_PARAMETERS and is_integer(parameter.raw)
            }
            query = {name for name in names if f"{{{name}:" not in route.path}
            data = handler.parsed_fn_signature.parameters.get("data")
            multipart = data is not None and "multipart" in f"{data.kwarg_definition!r}{data.raw!r}".lower()
            found += [(method, route.path, name, query, multipart) for name in names for method in handler.http_methods]
    return found


def fill(template: str, name: str | None, value: object) -> str:
    def one(match: re.Match[str]) -> str:
        param, kind = match.group(1), match.group(2)
        if param == name:
            return str(value)
        return "1" if kind == "int" else TEXT_SAMPLES.get(param, "sample")

    return re.sub(r"\{(\w+):(\w+)\}", one, template)


def test_every_integer_parameter_refuses_a_number_too_large_naming_it(api: Any) -> None:
    parameters = integer_parameters(api)
    assert {("GET", "journey_id"), ("GET", "contact_id"), ("GET", "event_id")} <= {(p[0], p[2]) for p in parameters}
    for method, template, name, query, multipart in parameters:
        path = fill(template, name, TOO_LARGE)
        params = {other: str(TOO_LARGE) if other == name else "1" for other in query}
        body: dict[str, Any] = {}
        if multipart:
            body = {"files": {"file": ("people.csv", b"email\nada@example.org\n", "text/csv")}}
        elif method in ("POST", "PUT", "PATCH"):
            body = {"json": {}}
        response = api.request(method, path, params=params, **body)
        assert response.status_code == 400, (method, path, params, response.status_code, response.text)
        assert response.json()["error"]["field"] == name, (method, path, response.text)


def test_the_reported_request_is_refused_naming_its_parameter(api: Any) -> None:
    # Opportunities are paged by cursor now; a number too large is still refused naming it.
    response = api.get("/api/opportunities", params={"contact_id": "32589158477190044731", "limit": 161})
    assert response.status_code == 400
    assert response.json()["error"]["field"] == "contact_id"


def test_ids_and_numbers_in_bodies_are_refused_naming_their_field_and_nothing_is_written(
    api: Any, make_contact: Any
) -> None:
    contact = make_contact()
    before = api.get("/api/opportunities", params={"contact_id": contact["id"]}).json()["total"]
    opportunity = {"name": "Big deal", "contact_id": contact["id"], "account_id": TOO_LARGE}
    response = api.post("/api/opportunities", json=opportunity)
    assert response.status_code == 400 and response.json()["error"]["field"] == "account_id", response.text
    assert api.get("/api/opportunities", params={"contact_id": contact["id"]}).json()["total"] == before
    segment = api.post("/api/segments", json={"name": "Static", "kind": "static"})
    assert segment.status_code == 201, segment.text
    added = api.post(f"/api/segments/{segment.json()['id']}/members", json={"contact_ids": [contact["id"], TOO_LARGE]})
    assert added.status_code == 400 and added.json()["error"]["field"] == "contact_ids[1]", added.text
    assert api.get(f"/api/segments/{segment.json()['id']}").json()["member_count"] == 0
    model = {"key": "huge", "name": "Huge", "threshold": 1e300, "rules": []}
    response = api.post("/api/scoring/models", json=model)
    assert response.status_code in (400, 422) and response.json()["error"]["field"] == "threshold", response.text


def test_a_rule_comparing_with_a_huge_number_is_refused_naming_the_rule(api: Any) -> None:
    response = api.post("/api/segments/preview", json={"rule": f"score_behavioural > {TOO_LARGE * 10}"})
    assert response.status_code == 400 and response.json()["error"]["field"] == "rule", response.text
