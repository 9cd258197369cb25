"""The journey steps' settings, the import's options and the jobs' results are typed in the API."""

from typing import Any

from tests.conftest import unique_email


def test_a_step_setting_of_the_wrong_type_is_refused_naming_the_field(api: Any) -> None:
    nodes = [
        {"id": "in", "type": "entry.segment", "config": {}},
        {"id": "mail", "type": "action.email", "config": {"email_id": "x"}},
    ]
    refused = api.post("/api/journeys", json={"name": "Typed", "definition": {"nodes": nodes}})
    assert refused.status_code == 400, refused.text
    assert refused.json()["error"]["field"] == "definition.nodes[1].config.email_id"
    unknown = api.post(
        "/api/journeys", json={"name": "Typed", "definition": {"nodes": [{"id": "x", "type": "action.teleport"}]}}
    )
    assert unknown.status_code == 400 and unknown.json()["error"]["field"] == "definition.nodes[0].type"


def test_an_unfinished_draft_saves_and_shows_each_steps_settings(api: Any) -> None:
    nodes = [{"id": "in", "type": "entry.segment", "config": {}}, {"id": "mail", "type": "action.email", "config": {}}]
    made = api.post("/api/journeys", json={"name": "Draft", "definition": {"nodes": nodes}})
    assert made.status_code == 201, made.text
    shown = {n["id"]: n for n in made.json()["definition"]["nodes"]}
    assert shown["mail"]["config"] == {"email_id": None, "template": None}
    assert shown["in"]["config"]["include_later"] is False
    problems = api.post(f"/api/journeys/{made.json()['id']}/validate").json()["problems"]
    assert {"node_id": "mail", "field": "email_id", "message": "Choose an email."} in problems


def test_the_openapi_document_has_one_shape_per_step_type(api: Any) -> None:
    schemas = api.get("/schema/openapi.json").json()["components"]["schemas"]
    steps = schemas["JourneyDefinition"]["properties"]["nodes"]["items"]["oneOf"]
    types = {schemas[s["$ref"].rsplit("/", 1)[1]]["properties"]["type"]["const"] for s in steps}
    assert len(types) == len(steps) == 18 and {"action.email", "flow.split", "entry.date"} <= types
    assert schemas["EmailStepConfig"]["properties"]["email_id"]
    assert {"ImportResult", "SegmentRefreshResult", "ScoringRecomputeResult"} <= set(schemas)


def test_an_import_result_is_typed_by_its_kind(api: Any) -> None:
    csv = f"email\n{unique_email('typed')}\n".encode()
    started = api.post("/api/contacts/import", files={"file": ("c.csv", csv, "text/csv")})
    assert started.status_code == 202, started.text
    job = api.wait_job(started.json()["job_id"])
    assert job["result"]["kind"] == "contact_import" and job["result"]["created"] == 1
