"""The relationship plan through the real app: programs and their journeys, campaigns and events,
refusals naming the field, rights, shipped templates, the annual calendar and journeys' briefs."""

from __future__ import annotations

from datetime import date
from typing import Any

from tests.factories import OPTED_IN, chain, contact, email, event, journey, static_segment

PERIOD = {"starts_on": "2031-01-01", "ends_on": "2031-06-30"}


def _program(api: Any, **fields: Any) -> dict[str, Any]:
    body = {"name": "Reactivation 2031", "kpi": {"metric": "open_rate"}, **PERIOD, **fields}
    made = api.post("/api/programs", json=body)
    assert made.status_code == 201, made.text
    return dict(made.json())


def _draft(api: Any) -> dict[str, Any]:
    return journey(api, chain(("start", "entry.interaction", {"type": "form_submitted"}), ("out", "flow.exit", {})))


def _campaign(api: Any) -> int:
    """A campaign scheduled far ahead: it exists, sends nothing yet."""
    audience = static_segment(api, [contact(api, **OPTED_IN)["id"]])
    body = {"email_id": email(api, "Spring sale"), "segment_ids": [audience], "send_at": "2099-01-01T09:00:00+00:00"}
    made = api.post("/api/campaigns", json=body)
    assert made.status_code == 201, made.text
    return int(made.json()["id"])


def test_a_program_keeps_its_kpi_target_period_owner_and_actions(api: Any) -> None:
    first, second = _draft(api), _draft(api)
    webinar = event(api)
    campaign = _campaign(api)
    me = api.get("/api/auth/me").json()["user"]
    made = _program(
        api,
        objective="Bring lapsed customers back",
        target=0.25,
        owner=me["id"],
        journey_ids=[first["id"], second["id"]],
        campaign_ids=[campaign],
        event_ids=[webinar["id"]],
        template_key="reactivation",
    )
    assert made["kpi"] == {
        "metric": "open_rate",
        "segment_id": None,
        "exploration_id": None,
        "cell": None,
        "measure": None,
    }
    assert (made["target"], made["owner"], made["owner_name"]) == (0.25, me["id"], me["name"] or me["email"])
    assert (made["journey_ids"], made["campaign_ids"], made["event_ids"]) == (
        [first["id"], second["id"]],
        [campaign],
        [webinar["id"]],
    )
    assert api.get(f"/api/programs/{made['id']}").json() == made
    assert made["id"] in [p["id"] for p in api.get("/api/programs", params={"limit": 200}).json()["items"]]
    # Their own screens ask which program they belong to.
    assert api.get(f"/api/programs/of/journey/{first['id']}").json() == {"program_id": made["id"], "name": made["name"]}
    assert api.get(f"/api/programs/of/event/{webinar['id']}").json()["program_id"] == made["id"]

    # A patch changes only what it sends; a list sent replaces the old one.
    changed = api.patch(f"/api/programs/{made['id']}", json={"name": "Win-back", "event_ids": [], "target": None})
    assert changed.status_code == 200, changed.text
    assert (changed.json()["name"], changed.json()["target"], changed.json()["event_ids"]) == ("Win-back", None, [])
    assert changed.json()["journey_ids"] == [first["id"], second["id"]]
    assert api.get(f"/api/programs/of/event/{webinar['id']}").json() is None
    segment = static_segment(api, [])
    kpi = {"metric": "segment_revenue", "segment_id": segment}
    moved = api.patch(f"/api/programs/{made['id']}", json={"kpi": kpi})
    assert moved.status_code == 200, moved.text
    assert moved.json()["kpi"] == {**kpi, "exploration_id": None, "cell": None, "measure": None}

    # A deleted journey leaves its program.
    assert api.delete(f"/api/journeys/{second['id']}").status_code == 204
    assert api.get(f"/api/programs/{made['id']}").json()["journey_ids"] == [first["id"]]

    # Deleting the program leaves its actions in none.
    assert api.delete(f"/api/programs/{made['id']}").status_code == 204
    assert api.get(f"/api/programs/{made['id']}").status_code == 404
    assert api.get(f"/api/programs/of/journey/{first['id']}").json() is None
    assert api.get(f"/api/journeys/{first['id']}").status_code == 200
    assert api.delete(f"/api/programs/{made['id']}").status_code == 404


def test_programs_page_by_cursor(api: Any) -> None:
    made = [
        _program(api, name=f"Page {n}", starts_on=f"2040-0{n + 1}-01", ends_on="2040-12-31")["id"] for n in range(3)
    ]
    seen: list[int] = []
    cursor = None
    while True:
        query: dict[str, Any] = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = api.get("/api/programs", params=query).json()
        seen += [p["id"] for p in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    # Latest start first.
    assert [i for i in seen if i in made] == list(reversed(made))
    assert len(seen) == len(set(seen)) == page["total"]


def test_bad_input_is_refused_naming_the_field_and_nothing_is_written(api: Any) -> None:
    taken = _draft(api)
    _program(api, name="Holder", journey_ids=[taken["id"]])
    question = {"dataset": "interactions", "group_by": ["type"]}
    grouped = api.post("/api/explorations", json={"name": "By type", "question": question}).json()["id"]
    before = api.get("/api/programs", params={"limit": 200}).json()["total"]
    cases = [
        ({"name": ""}, "name"),
        ({"ends_on": "2030-12-31"}, "ends_on"),
        ({"ends_on": "2035-01-01"}, "ends_on"),
        ({"kpi": {"metric": "likes"}}, "kpi.metric"),
        ({"kpi": {"metric": "exploration"}}, "kpi.exploration_id"),
        ({"kpi": {"metric": "exploration", "exploration_id": 987654}}, "kpi.exploration_id"),
        ({"kpi": {"metric": "exploration", "exploration_id": grouped}}, "kpi.cell"),
        ({"kpi": {"metric": "exploration", "exploration_id": grouped, "cell": ["a", "b"]}}, "kpi.cell"),
        ({"kpi": {"metric": "exploration", "exploration_id": grouped, "cell": ["a"], "measure": 1}}, "kpi.measure"),
        ({"kpi": {"metric": "segment_revenue"}}, "kpi.segment_id"),
        ({"kpi": {"metric": "segment_revenue", "segment_id": 987654}}, "kpi.segment_id"),
        ({"target": -1}, "target"),
        ({"owner": 987654}, "owner"),
        ({"journey_ids": [987654]}, "journey_ids"),
        ({"campaign_ids": [987654]}, "campaign_ids"),
        ({"event_ids": [987654]}, "event_ids"),
        ({"journey_ids": [taken["id"]]}, "journey_ids"),
        ({"starts_on": "someday"}, "starts_on"),
        ({"colour": "red"}, "colour"),
    ]
    for change, field in cases:
        body = {"name": "Bad", "kpi": {"metric": "open_rate"}, **PERIOD, **change}
        response = api.post("/api/programs", json=body)
        assert response.status_code == 400, (change, response.text)
        assert response.json()["error"]["field"] == field, (change, response.text)
    assert api.get("/api/programs", params={"limit": 200}).json()["total"] == before
    # A patch is checked against the whole program.
    program = _program(api)
    refused = api.patch(f"/api/programs/{program['id']}", json={"starts_on": "2031-07-01"})
    assert refused.status_code == 400 and refused.json()["error"]["field"] == "ends_on"
    assert api.get(f"/api/programs/{program['id']}").json()["starts_on"] == PERIOD["starts_on"]
    assert api.get("/api/programs/987654").status_code == 404


def test_viewers_read_the_plan_and_cannot_change_it(api: Any) -> None:
    program = _program(api)
    viewer = api.as_key(api.new_key("viewer"))
    assert api.get("/api/programs", headers=viewer).status_code == 200
    assert api.get(f"/api/programs/{program['id']}/progress", headers=viewer).status_code == 200
    assert api.get("/api/programs/calendar", headers=viewer).status_code == 200
    body = {"name": "Mine", "kpi": {"metric": "open_rate"}, **PERIOD}
    assert api.post("/api/programs", json=body, headers=viewer).status_code == 403
    assert api.patch(f"/api/programs/{program['id']}", json={"name": "x"}, headers=viewer).status_code == 403
    assert api.delete(f"/api/programs/{program['id']}", headers=viewer).status_code == 403
    draft = _draft(api)
    assert api.put(f"/api/programs/briefs/{draft['id']}", json={"goal": "x"}, headers=viewer).status_code == 403


def test_shipped_templates_and_the_kpi_catalogue(api: Any) -> None:
    for language in ("en", "fr"):
        shipped = api.get("/api/programs/templates", params={"language": language}).json()
        assert [t["key"] for t in shipped][-1] == "blank"
        assert {t["key"] for t in shipped} == {
            "welcome",
            "onboarding",
            "loyalty",
            "cross-sell",
            "reactivation",
            "blank",
        }
        assert all(t["language"] == language and t["kpi"]["metric"] and t["months"] > 0 for t in shipped)
    french = {t["key"]: t for t in api.get("/api/programs/templates", params={"language": "fr"}).json()}
    assert french["reactivation"]["name"] == "Réactivation"
    catalogue = {k["metric"]: k for k in api.get("/api/programs/kpis").json()}
    assert set(catalogue) == {
        "conversion_rate",
        "segment_revenue",
        "repeat_purchase_rate",
        "open_rate",
        "new_leads",
        "exploration",
    }
    assert catalogue["open_rate"]["divided_by"] == "emails delivered"
    assert catalogue["exploration"]["available"] is True and catalogue["exploration"]["needs_exploration"] is True


def test_the_calendar_shows_each_program_with_its_actions_across_the_year(api: Any) -> None:
    webinar = event(api, starts_at="2036-03-10T09:00:00+00:00", ends_at="2036-03-12T17:00:00+00:00")
    draft = _draft(api)
    program = _program(api, name="Calendar", starts_on="2035-11-01", ends_on="2036-04-30", event_ids=[webinar["id"]])
    outside = _program(api, name="Other year", starts_on="2037-01-01", ends_on="2037-02-01", journey_ids=[draft["id"]])
    shown = api.get("/api/programs/calendar", params={"year": 2036}).json()
    rows = {r["program_id"]: r for r in shown["programs"]}
    assert outside["id"] not in rows
    row = rows[program["id"]]
    # Clipped to the year.
    assert (row["starts_on"], row["ends_on"]) == ("2036-01-01", "2036-04-30")
    assert row["items"] == [
        {
            "kind": "event",
            "id": webinar["id"],
            "name": webinar["name"],
            "status": webinar["status"],
            "starts_on": "2036-03-10",
            "ends_on": "2036-03-12",
        }
    ]
    assert api.get("/api/programs/calendar", params={"year": 1900}).status_code == 400
    # Without a year: this year.
    this_year = api.get("/api/programs/calendar").json()
    assert this_year["year"] == date.today().year


def test_a_journey_brief_is_written_before_it_is_built(api: Any) -> None:
    draft = _draft(api)
    empty = api.get(f"/api/programs/briefs/{draft['id']}").json()
    assert (empty["goal"], empty["messages"], empty["updated_at"]) == ("", [], None)
    brief = {
        "goal": "A second order within 30 days",
        "audience": "First-time buyers",
        "data_needed": "Purchases with product and category",
        "messages": [
            {"name": "Thank you", "channel": "email", "when": "the day after the first order"},
            {"name": "Reminder", "channel": "sms", "when": "day 20 without an order"},
        ],
        "kpi": "Repeat-purchase rate",
    }
    saved = api.put(f"/api/programs/briefs/{draft['id']}", json=brief)
    assert saved.status_code == 200, saved.text
    again = api.get(f"/api/programs/briefs/{draft['id']}").json()
    assert {k: again[k] for k in brief} == brief and again["updated_by"] and again["updated_at"]
    bad = api.put(f"/api/programs/briefs/{draft['id']}", json={"messages": [{"name": "x", "channel": "pigeon"}]})
    assert bad.status_code == 400 and "messages" in bad.json()["error"]["field"]
    assert api.get("/api/programs/briefs/987654").status_code == 404


def test_a_new_journey_never_inherits_a_deleted_ones_place_in_a_program(api: Any) -> None:
    gone = _draft(api)
    program = _program(api, name="Reused ids", journey_ids=[gone["id"]])
    assert api.delete(f"/api/journeys/{gone['id']}").status_code == 204
    # SQLite may give the deleted journey's id to the next one: it is another journey.
    newcomer = _draft(api)
    assert api.get(f"/api/programs/{program['id']}").json()["journey_ids"] == []
    assert api.get(f"/api/programs/of/journey/{newcomer['id']}").json() is None
    # It can join any program.
    other = _program(api, name="Newcomers", journey_ids=[newcomer["id"]])
    assert api.get(f"/api/programs/of/journey/{newcomer['id']}").json()["program_id"] == other["id"]
    assert api.get(f"/api/programs/{program['id']}").json()["journey_ids"] == []
