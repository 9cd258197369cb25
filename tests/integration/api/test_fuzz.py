"""Property-based test of the whole API, generated from its own OpenAPI document (schemathesis).

Every operation of /schema/openapi.json gets, from the real app on a real database and Redis:
the document's examples; boundary values and malformed inputs of every parameter and body, and
the methods its route does not serve (schemathesis's coverage phase); then random valid and
invalid requests (the fuzzing phase). Authenticated as an administrator, so that every handler is
reached. A request fails the test on a 5xx; on a status code, content type, header or body the
document does not declare; on anything but 405 with `Allow` for a method the route does not serve;
on a success when the credentials are taken away.

Bounded to run in a few minutes: EXAMPLES random requests per operation (10; PostgreSQL, when
PARCOURS_TEST_DATABASE_URL is set, runs the same coverage cases with 5), no deadline,
derandomized (the seed is fixed) and without an example database, so that every run sends the
same requests. PARCOURS_FUZZ_EXAMPLES=100 makes a longer hunt.

A failure is reported as `test_api[POST /api/segments][sqlite]` with what the check found, the
answer, the request as a curl command, and (last) the request as data to replay in a test.
"""

from __future__ import annotations

import os
import string
import tempfile
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
import schemathesis
from schemathesis import GenerationMode

from parcours.app import create_app
from parcours.settings import load_settings

SEED = 20240601

# Left out because they would end the run itself, nothing else: the run is logged in with an admin
# API key, and revoking it (ids are small numbers, the fuzzer finds them) would turn every later
# request into a 401. Logging out, changing the admin's password or role and deleting users stay
# in: with an API key they cannot end the run, and the service refuses what would lock it out.
DESTRUCTIVE = [("DELETE", "/api/api-keys/{key_id}")]


POSTGRESQL = bool(os.environ.get("PARCOURS_TEST_DATABASE_URL"))
# Random requests per operation after the coverage cases; on PostgreSQL half as many, which keeps a
# run of both backends within a few minutes (the coverage cases, the costly part, are the same).
EXAMPLES = int(os.environ.get("PARCOURS_FUZZ_EXAMPLES", "10"))


class AppThroughTestClient:
    """The app as schemathesis calls it: a WSGI callable that hands each request, as the fuzzer wrote
    it, to the test client of the running app (whose database pools live on that client's event loop).
    The fuzzer's own probes (the same request without credentials...) reach the app the same way."""

    def __init__(self) -> None:
        self.client: Any = None

    def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        headers = {key[5:].replace("_", "-"): value for key, value in environ.items() if key.startswith("HTTP_")}
        if environ.get("CONTENT_TYPE"):
            headers["content-type"] = environ["CONTENT_TYPE"]
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        # The environ holds text as latin-1 (PEP 3333): back to the bytes the fuzzer wrote, escaped.
        target = environ["RAW_URI"].encode("latin-1")
        if environ.get("QUERY_STRING"):
            target += b"?" + environ["QUERY_STRING"].encode("latin-1")
        url = quote(target, safe=string.punctuation)
        reply = self.client.request(
            environ["REQUEST_METHOD"], url, headers=headers, content=body, follow_redirects=False
        )
        start_response(f"{reply.status_code} {reply.reason_phrase}", list(reply.headers.multi_items()))
        return [reply.content]


APP = AppThroughTestClient()


def openapi_document() -> dict[str, Any]:
    """The document the app serves at /schema/openapi.json (built without starting the app)."""
    with tempfile.TemporaryDirectory() as data_dir:
        app = create_app(load_settings({}, data_dir=data_dir, seed_demo_data=False))
        return dict(app.openapi_schema.to_schema())


DOCUMENT = openapi_document()


def load_schema(max_examples: int) -> Any:
    schema = schemathesis.openapi.from_dict(DOCUMENT, config=schemathesis.Config(seed=SEED))
    project = schema.config
    project.phases.update(phases=["examples", "coverage", "fuzzing"])
    project.generation.update(
        modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
        max_examples=max_examples,
        deterministic=True,
        database="none",
        # The run authenticates itself (below); generated credentials would only test the 401.
        with_security_parameters=False,
    )
    # Every other check of schemathesis runs (no 5xx; status codes, content types, headers and bodies
    # as documented; 405 with Allow for a method a route does not serve; credentials enforced...),
    # but these two, which ask more of the document than a schema can say:
    # - positive_data_acceptance wants every schema-valid request to succeed, yet the API refuses
    #   schema-valid values for reasons of meaning (an empty name, a rule that does not parse, an id
    #   that names nothing, a journey that cannot be published): documented 400/404/409/422 answers;
    # - negative_data_rejection wants every schema-invalid request refused, yet Litestar converts
    #   parameters and bodies leniently (msgspec's strict=False: 1 for true, a number of seconds
    #   for a date), which the document cannot express.
    project.checks.update(excluded_check_names=["positive_data_acceptance", "negative_data_rejection"])
    for method, path in DESTRUCTIVE:
        schema = schema.exclude(method=method, path=path)
    schema.app = APP
    return schema


def test_the_app_serves_the_document_the_fuzzer_reads(api: Any) -> None:
    assert api.get("/schema/openapi.json").json() == DOCUMENT


@pytest.fixture(scope="module")
def admin(api: Any) -> Iterator[dict[str, str]]:
    """An administrator's API key: the one credential of every request (no session cookie, so no CSRF
    token either), sent by the fuzzer itself so that it can also try each request without it."""
    key = api.new_key("admin")
    api.client.cookies.clear()
    api.client.headers.pop("x-csrf-token", None)
    APP.client = api.client
    yield {"Authorization": f"Bearer {key}"}
    APP.client = None


def call_and_validate(case: Any, admin: dict[str, str]) -> None:
    try:
        case.call_and_validate(headers=admin)
    except BaseException as exc:
        body = None if type(case.body).__name__ == "NotSet" else case.body
        exc.add_note(
            f"\nThe request, to replay: {case.method} {case.formatted_path}\n"
            f"  query={case.query!r}\n  headers={case.headers!r}\n  body={body!r}"
        )
        raise


# Each backend gets its own parametrized test (the number of random requests is set when the tests
# are built): `backend` named here replaces the conftest's list of backends for that test.
@load_schema(EXAMPLES).parametrize()
@pytest.mark.parametrize("backend", ["sqlite"], scope="module")
def test_api(case: Any, admin: dict[str, str]) -> None:
    call_and_validate(case, admin)


if POSTGRESQL:

    @load_schema(max(1, EXAMPLES // 2)).parametrize()
    @pytest.mark.parametrize("backend", ["postgresql"], scope="module")
    def test_api_on_postgresql(case: Any, admin: dict[str, str]) -> None:
        call_and_validate(case, admin)
