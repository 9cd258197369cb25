"""Conditions as a marketer writes them: an unknown field names the fields meant (by their French or
English label too), and a journey's conditions may ask what the contact did in its run, about the
journey's own email steps only."""

from __future__ import annotations

from typing import Any

from tests.factories import chain, email, journey, unique_type


def _refusal(api: Any, rule: str, scope: str = "contact") -> dict[str, Any]:
    response = api.post("/api/rules/validate", json={"rule": rule, "scope": scope})
    assert response.status_code == 400, response.text
    return dict(response.json()["error"])


def test_an_unknown_field_suggests_the_fields_whose_label_means_it(api: Any) -> None:
    api.post("/api/custom-fields", json={"name": "magasin", "label": "Magasin préféré", "type": "text"})

    pays = _refusal(api, 'pays == "FR"')
    assert pays["suggestions"][0] == "country" and "Did you mean 'country' (Country / Pays)" in pays["message"]
    assert pays["field"] == "rule" and pays["position"] == 0
    assert _refusal(api, 'ville == "Lyon"')["suggestions"] == ["city"]
    assert _refusal(api, 'societe == "Acme"')["suggestions"][0] == "company"
    assert _refusal(api, 'contry == "FR"')["suggestions"][0] == "country"  # spelling
    score = _refusal(api, "score > 10")
    # The scoring models' scores, and the RFM score: every field whose label says "score".
    assert "score_behavioural" in score["suggestions"], score
    assert all(name.startswith("score_") or name == "rfm_score" for name in score["suggestions"]), score
    assert _refusal(api, 'prefere == "Lyon"')["suggestions"] == ["custom_magasin"]  # a custom field's label
    nothing = _refusal(api, "zzzz == 1")
    assert "suggestions" not in nothing and nothing["message"] == "There is no field named 'zzzz'."


def test_what_a_contact_did_in_its_run_is_for_journey_conditions_only(api: Any) -> None:
    outside = _refusal(api, '"mail" in opened_steps')
    assert "only a journey's conditions" in outside["message"]
    inside = api.post("/api/rules/validate", json={"rule": '"mail" in opened_steps', "scope": "journey"})
    assert inside.json() == {"valid": True, "fields": ["opened_steps"]}
    names = {f["name"]: f for f in api.get("/api/rules/fields", params={"scope": "journey"}).json()}
    assert names["clicked_links"]["operators"] == ["did", "did_not"] and names["opened_steps"]["group"] == "journey"
    assert "opened_steps" not in {f["name"] for f in api.get("/api/rules/fields").json()}

    builder = {
        "groups": [{"conditions": [{"field": "clicked_links", "operator": "did", "value": ["mail", "https://a.fr/x"]}]}]
    }
    built = api.post("/api/rules/build", json={"builder": builder, "scope": "journey"})
    assert built.json() == {"rule": '"mail https://a.fr/x" in clicked_links'}
    read = api.post("/api/rules/parse", json={"rule": built.json()["rule"], "scope": "journey"}).json()
    assert read["builder"]["groups"][0]["conditions"] == builder["groups"][0]["conditions"]
    wrong = api.post(
        "/api/rules/build",
        json={
            "builder": {"groups": [{"conditions": [{"field": "opened_steps", "operator": "did", "value": 3}]}]},
            "scope": "journey",
        },
    )
    assert wrong.status_code == 400 and wrong.json()["error"] == {
        "message": "Choose an email step.",
        "field": "builder",
    }


def test_publishing_refuses_a_condition_about_a_step_that_is_not_an_email_of_the_journey(api: Any) -> None:
    mail = email(api, "Welcome")
    definition = chain(
        ("start", "entry.interaction", {"type": unique_type("signed_up"), "rule": '"mail" in opened_steps'}),
        ("mail", "action.email", {"email_id": mail}),
        ("pause", "flow.wait", {"duration": "P1D"}),
        ("check", "flow.condition", {"rule": '"gone" in opened_steps or "pause" in clicked_steps'}),
        ("goal", "flow.goal", {"rule": "999999 in attended_events"}),
        ("done", "flow.exit", {}),
        edges=[
            ("start", "mail", None),
            ("mail", "pause", None),
            ("pause", "check", None),
            ("check", "goal", "yes"),
            ("check", "done", "no"),
            ("goal", "done", None),
        ],
    )
    made = journey(api, definition)
    refused = api.post(f"/api/journeys/{made['id']}/publish")
    assert refused.status_code == 422, refused.text
    problems = {(p["node_id"], p["field"]): p["message"] for p in refused.json()["error"]["problems"]}
    assert "only a journey's conditions" in problems[("start", "rule")]  # an entry filter comes before any run
    assert problems[("check", "rule")] == "The rule names the step 'gone', which is not in this journey."
    assert "no event with id 999999" in problems[("goal", "rule")]

    fixed = dict(definition)
    fixed["nodes"] = [
        {**n, "config": {"type": n["config"]["type"]}} if n["id"] == "start" else n for n in definition["nodes"]
    ]
    fixed["nodes"] = [
        {**n, "config": {"rule": '"mail" in opened_steps'}} if n["id"] in ("check", "goal") else n
        for n in fixed["nodes"]
    ]
    assert api.patch(f"/api/journeys/{made['id']}", json={"definition": fixed}).status_code == 200
    assert api.post(f"/api/journeys/{made['id']}/validate").json()["problems"] == []
    pause = dict(fixed)
    pause["nodes"] = [
        {**n, "config": {"rule": '"pause" in clicked_steps'}} if n["id"] == "check" else n for n in fixed["nodes"]
    ]
    api.patch(f"/api/journeys/{made['id']}", json={"definition": pause})
    assert [p["message"] for p in api.post(f"/api/journeys/{made['id']}/validate").json()["problems"]] == [
        "The rule asks about the email of step 'pause', which sends no email."
    ]
