"""Lead scoring through the API: models, real-time scores, recompute jobs, the pipeline, opportunities."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from parcours.clock import clock
from tests.factories import unique_email

HOT = {
    "key": "hot",
    "name": "Hot leads",
    "kind": "behavioural",
    "threshold": 50,
    "grades": [{"grade": "A", "min": 50}, {"grade": "B", "min": 20}, {"grade": "C", "min": 0}],
    "rules": [
        {
            "id": "pricing-click",
            "label": "Clicked a pricing link",
            "kind": "interaction",
            "interaction_type": "email_clicked",
            "filter": 'url =~~ "pricing"',
            "points": 10,
            "cap": 30,
            "cap_days": 7,
            "decay_days": 90,
        },
        {
            "id": "webinar",
            "label": "Attended a webinar",
            "kind": "interaction",
            "interaction_type": "event_attended",
            "filter": None,
            "points": 25,
            "cap": None,
            "cap_days": None,
            "decay_days": None,
        },
        {
            "id": "director",
            "label": "Director",
            "kind": "attribute",
            "rule": '(job_title ?? "") =~~ "Director"',
            "points": 15,
        },
    ],
    "active": True,
    "drives_stage": True,
    "notify_email": "sales@example.com",
    "notify_webhook": "http://127.0.0.1:9/sales-hook",
}


def scores_of(api: Any, contact_id: int) -> dict[str, dict[str, Any]]:
    response = api.get(f"/api/contacts/{contact_id}/scores")
    assert response.status_code == 200, response.text
    return {s["key"]: s for s in response.json()}


def hot_score(api: Any, contact_id: int, expected: int) -> dict[str, Any] | None:
    found = api.eventually(lambda: (s := scores_of(api, contact_id)["hot"])["score"] == expected and s)
    assert found, scores_of(api, contact_id)["hot"]
    return found  # type: ignore[no-any-return]


def interact(api: Any, contact_id: int, kind: str, **properties: Any) -> None:
    at = properties.pop("at", None)
    body = {
        "type": kind,
        "contact_id": contact_id,
        "properties": properties,
        **({"occurred_at": at.isoformat()} if at else {}),
    }
    response = api.post("/api/interactions", json=body)
    assert response.status_code == 202, response.text


@pytest.fixture(scope="module")
def hot(api: Any) -> dict[str, Any]:
    response = api.post("/api/scoring/models", json=HOT)
    assert response.status_code == 201, response.text
    made = response.json()
    assert made["recompute"] and made["recompute"]["status"] in ("queued", "running", "done")
    assert api.wait_job(made["recompute"]["job_id"])["status"] == "done"
    return dict(made)


def test_the_shipped_models_are_there_and_editable(api: Any) -> None:
    models = {m["key"]: m for m in api.get("/api/scoring/models").json()}
    assert {"behavioural", "demographic", "firmographic"} <= set(models)
    behavioural = models["behavioural"]
    assert behavioural["kind"] == "behavioural" and behavioural["drives_stage"] is True
    assert [g["min"] for g in behavioural["grades"]] == sorted((g["min"] for g in behavioural["grades"]), reverse=True)
    changed = api.patch(f"/api/scoring/models/{behavioural['id']}", json={"threshold": 120})
    assert changed.status_code == 200 and changed.json()["threshold"] == 120
    assert api.wait_job(changed.json()["recompute"]["job_id"])["status"] == "done"
    api.patch(f"/api/scoring/models/{behavioural['id']}", json={"threshold": 100})


def test_a_lead_who_clicks_pricing_and_attends_a_webinar_becomes_sales_ready(
    api: Any, make_contact: Any, hot: dict[str, Any]
) -> None:
    lead = make_contact(lifecycle_stage="lead", job_title="Sales Director")
    # The attribute rule counts at once (contact_created is in the stream).
    hot_score(api, lead["id"], 15)
    for page in ("pricing", "pricing/enterprise", "blog", "pricing#faq", "pricing?plan=team"):
        interact(api, lead["id"], "email_clicked", url=f"https://example.com/{page}")
    # Four pricing clicks in a week: 40 points capped at 30 (the blog click counts nothing).
    hot_score(api, lead["id"], 45)
    assert api.get(f"/api/contacts/{lead['id']}").json()["lifecycle_stage"] == "lead"
    interact(api, lead["id"], "event_attended", event="Webinar: pricing explained")
    scored = hot_score(api, lead["id"], 70)
    assert scored["grade"] == "A" and scored["sales_ready"] is True and scored["model"] == "Hot leads"
    lines = {line["rule_id"]: line for line in scored["breakdown"]}
    assert lines["pricing-click"]["points"] == 30 and lines["pricing-click"]["count"] == 4
    assert "capped at 30 per 7 days" in lines["pricing-click"]["reason"]
    assert (lines["webinar"]["points"], lines["director"]["points"]) == (25, 15)
    # Sales-ready: its stage moved (an interaction journeys can start from), the board counts it.
    contact = api.eventually(
        lambda: (c := api.get(f"/api/contacts/{lead['id']}").json())["lifecycle_stage"] == "sales_ready" and c
    )
    assert contact, api.get(f"/api/contacts/{lead['id']}").json()
    moves = api.get(f"/api/contacts/{lead['id']}/interactions", params={"type": ["lifecycle_stage_changed"]}).json()
    assert [(i["properties"]["from"], i["properties"]["to"]) for i in moves["items"]] == [("lead", "sales_ready")]
    board = api.get("/api/pipeline").json()
    assert [s["stage"] for s in board["stages"]][-1] == "disqualified" and len(board["stages"]) == 9
    assert {s["stage"]: s["count"] for s in board["stages"]}["sales_ready"] >= 1
    assert board["total"] == sum(s["count"] for s in board["stages"])
    history = api.get(f"/api/contacts/{lead['id']}/score-history").json()["items"]
    assert next((h["previous"], h["score"]) for h in history if h["model"] == "Hot leads") == (45, 70)

    # Sales hear of it: an email in the Outbox (captured in embedded mode) and a signed webhook call.
    def notified() -> Any:
        items = api.get("/api/outbox", params={"to": "sales@example.com"}).json()["items"]
        return [m for m in items if m["contact_id"] == lead["id"] and m["status"] == "captured"]

    [email] = api.eventually(notified) or [None]
    assert email is not None and email["channel"] == "notification" and "Sales-ready" in email["subject"]
    detail = api.get(f"/api/outbox/{email['id']}").json()
    assert lead["email"] in detail["text"] and "Score: 70" in detail["text"]
    hooks = [
        m
        for m in api.get("/api/outbox", params={"limit": 200}).json()["items"]
        if m["channel"] == "webhook" and m["contact_id"] == lead["id"]
    ]
    assert hooks and hooks[0]["to_address"] == HOT["notify_webhook"]


def test_an_import_is_scored_set_wise_with_its_reason(api: Any, hot: dict[str, Any]) -> None:
    stamp = unique_email("imp").split(".")[1]
    lines = ["email,job_title"] + [
        f"imported{i}.{stamp}@example.org,{'Sales Director' if i % 3 == 0 else 'Analyst'}" for i in range(300)
    ]
    started = api.post("/api/contacts/import", files={"file": ("leads.csv", "\n".join(lines).encode(), "text/csv")})
    assert started.status_code == 202, started.text
    assert api.wait_job(started.json()["job_id"])["result"]["created"] == 300
    director, analyst = (
        api.get("/api/contacts", params={"q": f"imported{i}.{stamp}@"}).json()["items"][0] for i in (0, 1)
    )
    assert hot_score(api, director["id"], 15)["grade"] == "C"
    listed = api.get("/api/contacts", params={"q": director["email"]}).json()["items"][
        0
    ]  # the pipeline's cards read these
    assert (listed["scores"]["score_hot"], listed["scores"]["grade_hot"]) == (15, "C")
    # Every model's score lands in the contact's row, written once for all the models of the batch.
    stored = scores_of(api, director["id"])
    assert len([key for key, s in stored.items() if s["score"]]) >= 2, stored
    assert {k: v for k, v in listed["scores"].items() if k.startswith("score_")} == {
        f"score_{key}": s["score"] for key, s in stored.items() if s["score"]
    }
    assert {k: v for k, v in listed["scores"].items() if k.startswith("grade_")} == {
        f"grade_{key}": s["grade"] for key, s in stored.items() if s["score"]
    }
    assert scores_of(api, analyst["id"])["hot"]["score"] == 0
    [change] = [
        c
        for c in api.get(f"/api/contacts/{director['id']}/score-history").json()["items"]
        if c["model_id"] == hot["id"]
    ]
    assert (change["previous"], change["score"], change["reason"]) == (0, 15, "contact_created")


def test_an_import_scored_in_the_database_ignores_the_case_of_job_titles(api: Any) -> None:
    """The shipped demographic model ignores case ((?i) in its patterns). An import of 200 contacts
    or more is scored set-wise, in the database: its "CEO" and "ÉTUDIANT" get the points the
    breakdown (worked out in memory) shows."""
    stamp = unique_email("case").split(".")[1]
    titles = ["CEO", "VICE PRESIDENT", "ÉTUDIANT FOUNDER"]
    lines = ["email,job_title"] + [f"case{i}.{stamp}@example.org,{titles[i % 3]}" for i in range(240)]
    started = api.post("/api/contacts/import", files={"file": ("titles.csv", "\n".join(lines).encode(), "text/csv")})
    assert started.status_code == 202, started.text
    assert api.wait_job(started.json()["job_id"])["result"]["created"] == 240
    for i, title in enumerate(titles):
        [contact] = api.get("/api/contacts", params={"q": f"case{i}.{stamp}@"}).json()["items"]

        def scored(contact_id: int = contact["id"]) -> dict[str, Any] | None:
            found = scores_of(api, contact_id)["demographic"]
            return found if found["score"] == sum(line["points"] for line in found["breakdown"]) else None

        found = api.eventually(scored)
        assert found, (title, scores_of(api, contact["id"])["demographic"])
        rules = {line["rule_id"] for line in found["breakdown"]}
        assert "executive" in rules and ("student" in rules) == title.startswith("É"), (title, found)


def test_changing_a_model_recomputes_scores_in_a_job(api: Any, make_contact: Any, hot: dict[str, Any]) -> None:
    contact = make_contact(lifecycle_stage="subscriber")
    interact(api, contact["id"], "event_attended")
    hot_score(api, contact["id"], 25)
    rules = [dict(r) for r in hot["rules"]]
    rules[1]["points"] = 60
    changed = api.patch(f"/api/scoring/models/{hot['id']}", json={"rules": rules})
    assert changed.status_code == 200, changed.text
    job = api.wait_job(changed.json()["recompute"]["job_id"])
    assert job["status"] == "done" and job["progress"] == 1.0
    assert api.get(f"/api/scoring/models/{hot['id']}").json()["recompute"]["status"] == "done"
    scored = hot_score(api, contact["id"], 60)
    assert scored["sales_ready"] is True
    # The recompute moved it too (subscriber is before sales_ready), with the move recorded.
    assert api.get(f"/api/contacts/{contact['id']}").json()["lifecycle_stage"] == "sales_ready"
    history = api.get(f"/api/contacts/{contact['id']}/score-history").json()["items"]
    assert history[0]["reason"] == "Model changed" and (history[0]["previous"], history[0]["score"]) == (25, 60)
    rules[1]["points"] = 25
    api.wait_job(api.patch(f"/api/scoring/models/{hot['id']}", json={"rules": rules}).json()["recompute"]["job_id"])
    hot_score(api, contact["id"], 25)


def test_points_expire_after_their_decay(api: Any, make_contact: Any, hot: dict[str, Any]) -> None:
    contact = make_contact()
    interact(
        api,
        contact["id"],
        "email_clicked",
        url="https://example.com/pricing",
        at=datetime.now(UTC) - timedelta(days=95),
    )
    interact(
        api,
        contact["id"],
        "email_clicked",
        url="https://example.com/pricing",
        at=datetime.now(UTC) - timedelta(days=85),
    )
    hot_score(api, contact["id"], 10)
    clock.advance(timedelta(days=6))
    try:
        # Any new look at the contact (here a change of name) sees the expired click.
        api.patch(f"/api/contacts/{contact['id']}", json={"first_name": "Grace"})
        hot_score(api, contact["id"], 0)
        history = api.get(f"/api/contacts/{contact['id']}/score-history").json()["items"]
        assert history[0]["previous"] == 10 and history[0]["score"] == 0 and "contact_updated" in history[0]["reason"]
    finally:
        clock.reset()


def test_scores_are_usable_in_segment_rules(api: Any, make_contact: Any, hot: dict[str, Any]) -> None:
    tag = unique_email("seg").split("@")[0]
    contact = make_contact(email=f"{tag}@example.net", job_title="IT Director")
    make_contact(email=f"{tag}.b@example.net", job_title="Intern")
    hot_score(api, contact["id"], 15)
    preview = api.post(
        "/api/segments/preview", json={"rule": f'"{tag}" in email and score_hot >= 15 and grade_hot == "C"'}
    )
    assert preview.status_code == 200, preview.text
    assert preview.json()["count"] == 1 and preview.json()["sample"][0]["id"] == contact["id"]
    fields = {f["name"]: f for f in api.get("/api/rules/fields").json()}
    assert fields["score_hot"]["type"] == "number" and [c["value"] for c in fields["grade_hot"]["choices"]] == [
        "A",
        "B",
        "C",
    ]


def test_the_preview_shows_the_distribution_before_saving(api: Any, hot: dict[str, Any]) -> None:
    unsaved = {
        **HOT,
        "key": "draft",
        "threshold": 10,
        "rules": [{"id": "everyone", "kind": "attribute", "rule": 'email != ""', "points": 12}],
    }
    response = api.post("/api/scoring/models/preview", json=unsaved)
    assert response.status_code == 200, response.text
    preview = response.json()
    total = api.get("/api/contacts", params={"limit": 1}).json()["total"]
    assert preview["total"] == total and preview["sales_ready"] == total
    assert preview["by_grade"] == {"A": 0, "B": 0, "C": total}
    assert sum(b["count"] for b in preview["histogram"]) == total and preview["histogram"][0]["from"] == 12
    assert all(m["key"] != "draft" for m in api.get("/api/scoring/models").json())


def bad_cases() -> list[tuple[dict[str, Any], str]]:
    def rule(**change: Any) -> dict[str, Any]:
        return {**HOT, "key": "bad", "rules": [HOT["rules"][0], {**HOT["rules"][2], **change}]}

    def interaction(**change: Any) -> dict[str, Any]:
        return {**HOT, "key": "bad", "rules": [{**HOT["rules"][0], **change}]}

    return [
        (rule(rule='job_titel == "x"'), "rules[1].rule"),
        (rule(rule='job_title =~~ "x"'), "rules[1].rule"),
        ({**HOT, "key": "bad", "threshold": -5}, "threshold"),
        (
            {
                **HOT,
                "key": "bad",
                "grades": [{"grade": "A", "min": 10}, {"grade": "B", "min": 10}, {"grade": "C", "min": 0}],
            },
            "grades[1].min",
        ),
        ({**HOT, "key": "bad", "grades": [{"grade": "A", "min": 10}]}, "grades"),
        (interaction(decay_days=0), "rules[0].decay_days"),
        (interaction(points=2.5), "rules[0].points"),
        (interaction(interaction_type="Email Clicked"), "rules[0].interaction_type"),
        (interaction(cap=10, cap_days=None), "rules[0].cap_days"),
        (interaction(filter="url =="), "rules[0].filter"),
        ({**HOT, "key": "hot"}, "key"),
        ({**HOT, "key": "Not A Key"}, "key"),
    ]


@pytest.mark.parametrize("case", range(12))
def test_bad_models_are_refused_naming_the_field(api: Any, hot: dict[str, Any], case: int) -> None:
    body, field = bad_cases()[case]
    before = api.get("/api/scoring/models").json()
    response = api.post("/api/scoring/models", json=body)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["field"] == field and response.json()["error"]["message"]
    if field != "key":  # a taken key is fine for a preview, and a PATCH does not send it
        assert api.post("/api/scoring/models/preview", json=body).status_code == 422
        patch = {k: body[k] for k in ("threshold", "grades", "rules")}
        assert api.patch(f"/api/scoring/models/{hot['id']}", json=patch).status_code == 422
    assert api.get("/api/scoring/models").json() == before


def test_bad_patches_change_nothing(api: Any, hot: dict[str, Any]) -> None:
    before = api.get(f"/api/scoring/models/{hot['id']}").json()
    for patch, field in (
        ({"threshold": -1}, "threshold"),
        ({"key": "other"}, "key"),
        ({"rules": [{**HOT["rules"][0], "decay_days": 0}]}, "rules[0].decay_days"),
    ):
        response = api.patch(f"/api/scoring/models/{hot['id']}", json=patch)
        assert response.status_code == 422 and response.json()["error"]["field"] == field, response.text
    bad_email = api.patch(f"/api/scoring/models/{hot['id']}", json={"notify_email": "not an address"})
    assert bad_email.status_code == 400 and bad_email.json()["error"]["field"] == "notify_email"
    assert api.get(f"/api/scoring/models/{hot['id']}").json() == before
    assert api.get("/api/scoring/models/999999").status_code == 404


def test_roles_and_deleting_a_model(api: Any, make_contact: Any) -> None:
    viewer = api.as_key(api.new_key("viewer"))
    assert api.get("/api/scoring/models", headers=viewer).status_code == 200
    assert api.get("/api/pipeline", headers=viewer).status_code == 200
    assert api.post("/api/scoring/models", json={**HOT, "key": "viewer_made"}, headers=viewer).status_code == 403
    made = api.post(
        "/api/scoring/models",
        json={**HOT, "key": "temporary", "drives_stage": False, "notify_email": None, "notify_webhook": None},
    ).json()
    contact = make_contact(job_title="Director of Sales")
    api.eventually(lambda: scores_of(api, contact["id"])["temporary"]["score"] == 15)
    assert api.delete(f"/api/scoring/models/{made['id']}", headers=viewer).status_code == 403
    assert api.delete(f"/api/scoring/models/{made['id']}").status_code == 204
    assert "temporary" not in scores_of(api, contact["id"])
    refused = api.post("/api/segments/preview", json={"rule": "score_temporary > 1"})
    assert refused.status_code == 400 and "score_temporary" in refused.json()["error"]["message"]


def test_a_model_whose_score_rules_still_read_cannot_be_deleted(api: Any) -> None:
    made = api.post(
        "/api/scoring/models",
        json={**HOT, "key": "kept", "drives_stage": False, "notify_email": None, "notify_webhook": None},
    ).json()
    segment = api.post(
        "/api/segments", json={"name": "Kept hot", "kind": "dynamic", "rule": 'grade_kept == "A"'}
    ).json()
    journey = api.post(
        "/api/journeys",
        json={
            "name": "Kept follow-up",
            "definition": {
                "nodes": [
                    {
                        "id": "in",
                        "type": "entry.interaction",
                        "config": {"type": "form_submitted", "rule": "score_kept >= 10"},
                    }
                ],
                "edges": [],
            },
        },
    ).json()
    refused = api.delete(f"/api/scoring/models/{made['id']}")
    assert refused.status_code == 409, refused.text
    error = refused.json()["error"]
    assert error["used_by"] == ["segment 'Kept hot'", "journey 'Kept follow-up'"]
    assert "Rules still read the score of 'Hot leads'" in error["message"]
    assert api.get(f"/api/scoring/models/{made['id']}").status_code == 200  # nothing changed
    assert api.post("/api/segments/preview", json={"rule": "score_kept > 1"}).status_code == 200
    api.delete(f"/api/segments/{segment['id']}")
    api.delete(f"/api/journeys/{journey['id']}")
    assert api.delete(f"/api/scoring/models/{made['id']}").status_code == 204


def test_illegal_stage_changes_are_refused(api: Any, make_contact: Any) -> None:
    customer = make_contact(lifecycle_stage="customer")
    refused = api.patch(f"/api/contacts/{customer['id']}", json={"lifecycle_stage": "lead", "first_name": "Changed"})
    assert refused.status_code == 422
    error = refused.json()["error"]
    assert (error["field"], error["from"], error["to"]) == ("lifecycle_stage", "customer", "lead")
    assert api.get(f"/api/contacts/{customer['id']}").json()["first_name"] == "Ada"
    assert api.patch(f"/api/contacts/{customer['id']}", json={"lifecycle_stage": "disqualified"}).status_code == 200
    assert api.patch(f"/api/contacts/{customer['id']}", json={"lifecycle_stage": "opportunity"}).status_code == 422
    assert api.patch(f"/api/contacts/{customer['id']}", json={"lifecycle_stage": "lead"}).status_code == 200
    # Sales may send a lead back to marketing.
    assert api.patch(f"/api/contacts/{customer['id']}", json={"lifecycle_stage": "sales_accepted"}).status_code == 200
    assert (
        api.patch(f"/api/contacts/{customer['id']}", json={"lifecycle_stage": "marketing_qualified"}).status_code == 200
    )


def test_lead_origin_filters_and_the_pipeline_split(api: Any, make_contact: Any) -> None:
    tag = unique_email("origin").split("@")[0]
    inbound = make_contact(
        email=f"{tag}.in@example.net",
        lifecycle_stage="marketing_qualified",
        lead_origin="inbound",
        lead_origin_detail="form: Newsletter",
    )
    make_contact(
        email=f"{tag}.out@example.net",
        lifecycle_stage="marketing_qualified",
        lead_origin="outbound",
        lead_origin_detail="import: fairs.csv",
    )
    assert inbound["lead_origin"] == "inbound" and inbound["lead_origin_detail"] == "form: Newsletter"
    listed = api.get(
        "/api/contacts", params={"q": tag, "lead_origin": "inbound", "lifecycle_stage": "marketing_qualified"}
    ).json()
    assert [c["id"] for c in listed["items"]] == [inbound["id"]]
    assert api.get("/api/contacts", params={"lead_origin": "sideways"}).status_code == 400
    everyone = {s["stage"]: s for s in api.get("/api/pipeline").json()["stages"]}
    only_in = {s["stage"]: s for s in api.get("/api/pipeline", params={"origin": "inbound"}).json()["stages"]}
    mql = everyone["marketing_qualified"]
    assert mql["inbound"] >= 1 and mql["outbound"] >= 1 and mql["count"] >= mql["inbound"] + mql["outbound"]
    assert only_in["marketing_qualified"]["count"] == mql["inbound"] and only_in["marketing_qualified"]["outbound"] == 0
    assert api.get("/api/pipeline", params={"origin": "elsewhere"}).status_code == 400


def test_a_contact_created_by_its_own_behaviour_is_an_inbound_lead(api: Any) -> None:
    email = unique_email("visitor")
    response = api.post("/api/interactions", json={"type": "form_submitted", "email": email, "create_contact": True})
    assert response.status_code == 202, response.text
    found = api.get("/api/contacts", params={"q": email.split("@")[0]}).json()["items"]
    assert found and found[0]["lead_origin"] == "inbound"


def test_opportunities(api: Any, make_contact: Any) -> None:
    account = api.post("/api/accounts", json={"name": unique_email("Acme")}).json()
    contact = make_contact(account_id=account["id"])
    lead = make_contact()
    made = api.post(
        "/api/opportunities",
        json={
            "name": "Acme renewal",
            "contact_id": contact["id"],
            "lead_contact_id": lead["id"],
            "budget": 50000,
            "estimated_revenue": 42000,
            "close_date": "2026-12-31",
        },
    )
    assert made.status_code == 201, made.text
    opportunity = made.json()
    assert opportunity["account_id"] == account["id"] and opportunity["stage"] == "qualify"
    # The contact moves along the funnel with its opportunity; the one who brought the lead does not.
    assert api.get(f"/api/contacts/{contact['id']}").json()["lifecycle_stage"] == "opportunity"
    assert api.get(f"/api/contacts/{lead['id']}").json()["lifecycle_stage"] == lead["lifecycle_stage"]
    changed = api.patch(f"/api/opportunities/{opportunity['id']}", json={"stage": "won", "actual_revenue": 40000})
    assert changed.status_code == 200 and changed.json()["stage"] == "won" and changed.json()["actual_revenue"] == 40000
    assert api.get(f"/api/contacts/{contact['id']}").json()["lifecycle_stage"] == "customer"
    out = make_contact(lifecycle_stage="disqualified")
    api.post("/api/opportunities", json={"name": "Long shot", "contact_id": out["id"]})
    assert api.get(f"/api/contacts/{out['id']}").json()["lifecycle_stage"] == "disqualified"
    listed = api.get("/api/opportunities", params={"contact_id": contact["id"]}).json()
    assert listed["total"] == 1 and listed["items"][0]["id"] == opportunity["id"]
    assert api.get(f"/api/opportunities/{opportunity['id']}").json()["name"] == "Acme renewal"
    for body, field in (
        ({"budget": -1}, "budget"),
        ({"stage": "maybe"}, "stage"),
        ({"contact_id": 999999}, "contact_id"),
        ({"account_id": 999999}, "account_id"),
        ({"name": ""}, "name"),
    ):
        response = api.post("/api/opportunities", json={"name": "Bad", "contact_id": contact["id"], **body})
        assert 400 <= response.status_code < 500 and response.json()["error"]["field"] == field, (body, response.text)
        patched = api.patch(f"/api/opportunities/{opportunity['id']}", json=body)
        assert 400 <= patched.status_code < 500, (body, patched.text)
    assert api.get("/api/opportunities", params={"contact_id": contact["id"]}).json()["total"] == 1
    assert api.get(f"/api/opportunities/{opportunity['id']}").json()["stage"] == "won"
    assert api.get("/api/opportunities/999999").status_code == 404
