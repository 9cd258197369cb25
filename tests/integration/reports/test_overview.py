"""The Home's overview through the real app: each figure reconciled with the raw rows, over the
period and the previous one; what needs attention; recent activity; the segment filter; CSV;
bad input refused naming its field."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from parcours.clock import clock
from parcours.settings import async_url
from tests import factories
from tests.conftest import Api


def rows(database_url: str, sql: str) -> list[Any]:
    async def read() -> list[Any]:
        engine = create_async_engine(async_url(database_url))
        try:
            async with engine.connect() as connection:
                return list((await connection.execute(text(sql))).all())
        finally:
            await engine.dispose()

    return asyncio.run(read())


def write(database_url: str, sql: str) -> None:
    async def run() -> None:
        engine = create_async_engine(async_url(database_url))
        try:
            async with engine.begin() as connection:
                await connection.execute(text(sql))
        finally:
            await engine.dispose()

    asyncio.run(run())


def moment(value: Any) -> datetime:
    found = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return found.replace(tzinfo=UTC) if found.tzinfo is None else found.astimezone(UTC)


def between(values: list[Any], start: date, end: date) -> int:
    return sum(1 for v in values if start <= moment(v).date() <= end)


def overview(api: Api, **params: Any) -> dict[str, Any]:
    response = api.get("/api/reports/overview", params=params)
    assert response.status_code == 200, response.text
    return dict(response.json())


def figures(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f["key"]: f for f in report["figures"]}


@pytest.fixture(scope="module")
def history(api: Api) -> dict[str, Any]:
    """Contacts, leads and opportunities now and 40 days ago (in the previous 30-day period)."""
    made: dict[str, Any] = {"now": [], "before": []}
    clock.advance(timedelta(days=-40))
    try:
        for _ in range(2):
            made["before"].append(factories.contact(api))
        api.post("/api/opportunities", json={"name": "Old deal", "contact_id": made["before"][0]["id"]})
    finally:
        clock.reset()
    for _ in range(3):
        made["now"].append(factories.contact(api))
    lead = made["now"][0]
    assert api.patch(f"/api/contacts/{lead['id']}", json={"lifecycle_stage": "lead"}).status_code == 200
    today = datetime.now(UTC).date()
    for name, stage, revenue in (("Won", "won", 1200.5), ("Open", "qualify", None)):
        body = {"name": name, "contact_id": lead["id"], "stage": stage, "close_date": today.isoformat()}
        if revenue is not None:
            body["actual_revenue"] = revenue
        assert api.post("/api/opportunities", json=body).status_code == 201
    return made


def refresh_snapshot(database_url: str) -> datetime:
    """What the worker does every few minutes: count the closed days again. Returns its time."""
    from parcours.db import create_engine, retried, session_factory
    from parcours.reports import overview as home

    async def run() -> datetime:
        engine = create_engine(async_url(database_url))
        try:
            return (await retried(session_factory(engine), home.refresh)).computed_at
        finally:
            await engine.dispose()

    return asyncio.run(run())


def test_every_figure_matches_the_raw_rows_now_and_before(api: Api, history: dict[str, Any], database_url: str) -> None:
    write(database_url, "delete from report_overview_snapshot")
    reconcile(overview(api), database_url)


def reconcile(report: dict[str, Any], database_url: str) -> None:
    today = datetime.now(UTC).date()
    start, end = today - timedelta(days=29), today
    before_start, before_end = start - timedelta(days=30), start - timedelta(days=1)
    assert (report["start"], report["end"]) == (start.isoformat(), end.isoformat())
    assert (report["previous_start"], report["previous_end"]) == (before_start.isoformat(), before_end.isoformat())
    assert len(report["days"]) == 30
    found = figures(report)

    created = [r[0] for r in rows(database_url, "select created_at from contacts")]
    assert found["contacts"]["value"] == sum(1 for c in created if moment(c).date() <= end)
    assert found["contacts"]["previous"] == sum(1 for c in created if moment(c).date() <= before_end)
    assert found["contacts"]["series"][-1] == found["contacts"]["value"]
    assert found["new_contacts"]["value"] == between(created, start, end) >= 3
    assert found["new_contacts"]["previous"] == between(created, before_start, before_end) >= 2
    expected = (found["new_contacts"]["value"] - found["new_contacts"]["previous"]) / found["new_contacts"]["previous"]
    assert found["new_contacts"]["change"] == pytest.approx(expected, abs=1e-4)

    opportunities = rows(database_url, "select created_at, stage, actual_revenue, close_date from opportunities")
    assert found["opportunities_created"]["value"] == between([o[0] for o in opportunities], start, end)
    assert found["opportunities_created"]["previous"] == between(
        [o[0] for o in opportunities], before_start, before_end
    )
    won = sum(o[2] or 0 for o in opportunities if o[1] == "won" and start <= date.fromisoformat(str(o[3])) <= end)
    assert found["revenue_won"]["value"] == pytest.approx(won) and won >= 1200.5

    moves = rows(
        database_url, "select occurred_at, properties from interactions where type = 'lifecycle_stage_changed'"
    )
    leads = [at for at, p in moves if _props(p).get("from") == "subscriber" and _props(p).get("to") != "disqualified"]
    assert found["new_leads"]["value"] == between(leads, start, end) >= 1

    submissions = rows(database_url, "select created_at from form_submissions where status = 'accepted'")
    assert found["form_submissions"]["value"] == between([s[0] for s in submissions], start, end)
    runs = rows(database_url, "select entered_at, status from journey_runs")
    assert found["journey_entries"]["value"] == between([r[0] for r in runs], start, end)
    assert found["contacts_in_journeys"]["value"] == sum(1 for r in runs if r[1] in ("active", "waiting"))
    published = rows(database_url, "select count(*) from journeys where status = 'published'")[0][0]
    assert found["journeys_running"]["value"] == published
    assert found["journeys_running"]["previous"] is None and found["journeys_running"]["series"] == []

    for figure in report["figures"]:
        if figure["series"] and figure["divided_by"] is None and figure["key"] != "contacts":
            assert sum(figure["series"]) == pytest.approx(figure["value"]), figure["key"]
    for key in ("unique_open_rate", "unique_open_rate_human", "unique_click_rate", "unique_click_rate_human"):
        assert found[key]["divided_by"] == "delivered"
    assert report["as_of"] is not None


def test_the_snapshot_of_the_closed_days_gives_the_same_figures(
    api: Api, history: dict[str, Any], database_url: str
) -> None:
    write(database_url, "delete from report_overview_snapshot")
    week = {"from": (clock.now().date() - timedelta(days=6)).isoformat(), "to": clock.now().date().isoformat()}
    live, live_week = overview(api), overview(api, **week)
    computed_at = refresh_snapshot(database_url)
    kept = overview(api)
    assert kept["figures"] == live["figures"]
    assert overview(api, **week)["figures"] == live_week["figures"]
    assert moment(kept["as_of"]) <= computed_at
    reconcile(kept, database_url)
    # Today is counted live: a new contact shows at once.
    factories.contact(api)
    found = figures(overview(api))
    assert found["contacts"]["value"] == figures(kept)["contacts"]["value"] + 1
    assert found["new_contacts"]["value"] == figures(kept)["new_contacts"]["value"] + 1
    # A contact dated in a closed day after the snapshot shows once the snapshot is counted again.
    clock.advance(timedelta(days=-40))
    try:
        factories.contact(api)
    finally:
        clock.reset()
    assert figures(overview(api))["new_contacts"]["previous"] == figures(kept)["new_contacts"]["previous"]
    refresh_snapshot(database_url)
    again = overview(api)
    assert figures(again)["new_contacts"]["previous"] == figures(kept)["new_contacts"]["previous"] + 1
    reconcile(again, database_url)
    # A segment's figures are all counted live.
    segment_id = factories.static_segment(api, [history["now"][0]["id"]])
    assert figures(overview(api, segment_id=segment_id))["contacts"]["value"] == 1


def _props(value: Any) -> dict[str, Any]:
    import json

    return value if isinstance(value, dict) else json.loads(value)


def test_a_period_of_its_own_compares_with_the_days_just_before(api: Api, history: dict[str, Any]) -> None:
    today = datetime.now(UTC).date()
    report = overview(api, **{"from": (today - timedelta(days=6)).isoformat(), "to": today.isoformat()})
    assert len(report["days"]) == 7
    assert report["previous_end"] == (today - timedelta(days=7)).isoformat()
    assert report["previous_start"] == (today - timedelta(days=13)).isoformat()
    # Nothing in the week before: no change to show, rather than an infinite one.
    assert figures(report)["new_contacts"]["previous"] == 0
    assert figures(report)["new_contacts"]["change"] is None


def test_a_segment_narrows_the_figures_about_contacts(api: Api, history: dict[str, Any]) -> None:
    members = [history["now"][0]["id"], history["now"][1]["id"]]
    segment_id = factories.static_segment(api, members)
    found = figures(overview(api, segment_id=segment_id))
    assert found["contacts"]["value"] == 2 and found["new_contacts"]["value"] == 2
    assert found["new_leads"]["value"] == 1
    assert found["opportunities_created"]["value"] == 2
    assert found["revenue_won"]["value"] == pytest.approx(1200.5)
    for key in ("contacts", "new_contacts", "new_leads", "opportunities_created", "revenue_won", "form_submissions"):
        assert found[key]["segment_applies"] is True, key
    for key in ("emails_sent", "unique_open_rate", "journeys_running"):
        assert found[key]["segment_applies"] is False, key
    empty = figures(overview(api, segment_id=factories.static_segment(api, [])))
    assert empty["contacts"]["value"] == 0 and empty["revenue_won"]["value"] == 0


def test_what_needs_attention(api: Api, database_url: str) -> None:
    event = factories.event(api, name="Sold-out workshop", capacity=20)
    for _ in range(19):
        assert factories.register(api, event["id"]).status_code in (200, 201)
    calm = factories.event(api, name="Quiet workshop", capacity=20)
    factories.register(api, calm["id"])

    journey, run = factories.waiting_run(api)
    # A step that failed (e.g. a webhook refused): the engine writes such rows itself.
    now = datetime.now(UTC).replace(tzinfo=None).isoformat(sep=" ")
    for _ in range(3):
        write(
            database_url,
            "insert into journey_steps (journey_id, run_id, node_id, outcome, at) "
            f"values ({journey['id']}, {run['id']}, 'wait', 'error', '{now}')",
        )

    items = overview(api)["attention"]
    capacity = [i for i in items if i["kind"] == "event_capacity"]
    assert [i["title"] for i in capacity] == ["Sold-out workshop"]
    assert capacity[0]["link"] == f"/events/{event['id']}"
    assert capacity[0]["numbers"] == {"confirmed": 19, "capacity": 20, "share": 0.95}
    errors = [i for i in items if i["kind"] == "journey_errors"]
    assert [(i["title"], i["numbers"]["failed"], i["link"]) for i in errors] == [
        (journey["name"], 3, f"/journeys/{journey['id']}")
    ]
    recent = overview(api)["recent"]
    assert len(recent) <= 10
    assert [r["at"] for r in recent] == sorted((r["at"] for r in recent), reverse=True)
    assert {"kind": "journey_published", "title": journey["name"], "link": f"/journeys/{journey['id']}"}.items() <= {
        **next(r for r in recent if r["kind"] == "journey_published")
    }.items()


def test_the_figures_as_csv(api: Api) -> None:
    response = api.get("/api/reports/overview", params={"format": "csv", "from": "2026-01-01", "to": "2026-01-31"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert 'filename="overview-2026-01-01-2026-01-31.csv"' in response.headers["content-disposition"]
    lines = response.text.lstrip("\ufeff").splitlines()
    assert lines[0] == "figure,value,previous,change,divided_by,segment_applies"
    assert [line.split(",")[0] for line in lines[1:]][:3] == ["contacts", "new_contacts", "emails_sent"]


def test_bad_input_is_refused_naming_the_field(api: Api) -> None:
    cases = [
        ({"from": "2026-02-01", "to": "2026-01-01"}, "from"),
        ({"to": "yesterday"}, "to"),
        ({"segment_id": 0}, "segment_id"),
        ({"segment_id": 987654}, "segment_id"),
        ({"format": "xml"}, "format"),
    ]
    for params, field in cases:
        response = api.get("/api/reports/overview", params=params)
        assert response.status_code == 400, (params, response.text)
        assert response.json()["error"]["field"] == field, (params, response.text)
    viewer = api.as_key(api.new_key("viewer"))
    assert api.get("/api/reports/overview", headers=viewer).status_code == 200
    assert api.get("/api/reports/overview", headers=api.as_key("nope")).status_code == 401


def _email_events(email_id: int, contact_ids: list[int], bounced: int) -> list[dict[str, Any]]:
    """Each contact sent the email; all but `bounced` delivered; every other one opened (once as
    a person, first), the first two clicked."""
    batch: list[dict[str, Any]] = []
    for n, cid in enumerate(contact_ids):
        p = {"email_id": email_id, "message_id": 10_000 * email_id + n}
        batch.append({"type": "email_sent", "contact_id": cid, "properties": p})
        if n < bounced:
            batch.append({"type": "email_bounced", "contact_id": cid, "properties": {**p, "hard": n % 2 == 0}})
            continue
        batch.append({"type": "email_delivered", "contact_id": cid, "properties": p})
        if n % 2 == 0:
            opened = {**p, "first_open": True, "first_human_open": True}
            batch.append({"type": "email_opened", "contact_id": cid, "properties": opened})
            batch.append({"type": "email_opened", "contact_id": cid, "properties": p})
        if n in (bounced, bounced + 2):
            clicked = {**p, "first_click": True, "first_human_click": n == bounced, "machine": n != bounced}
            batch.append({"type": "email_clicked", "contact_id": cid, "properties": clicked})
    return batch


def test_email_figures_come_from_the_rollups_and_match_the_raw_rows(api: Api, database_url: str) -> None:
    people = [factories.contact(api)["id"] for _ in range(30)]
    email_id = factories.email(api, "Spring offer")
    calm_id = factories.email(api, "Calm letter")
    batch = _email_events(email_id, people, bounced=3) + _email_events(calm_id, people[:25], bounced=0)
    assert api.post("/api/interactions", json={"batch": batch}).status_code in (200, 202)

    def raw() -> dict[str, float]:
        found: dict[str, float] = {}
        for kind, p in rows(database_url, "select type, properties from interactions where type like 'email_%'"):
            p = _props(p)
            metric = {"email_sent": "sent", "email_delivered": "delivered"}.get(kind)
            if metric:
                found[metric] = found.get(metric, 0) + 1
            for flag, name in (("first_open", "unique_opens"), ("first_human_open", "unique_opens_human")):
                if kind == "email_opened" and p.get(flag):
                    found[name] = found.get(name, 0) + 1
            for flag, name in (("first_click", "unique_clicks"), ("first_human_click", "unique_clicks_human")):
                if kind == "email_clicked" and p.get(flag):
                    found[name] = found.get(name, 0) + 1
        return found

    expected = raw()
    report = api.eventually(
        lambda: (r := overview(api)) and figures(r)["emails_sent"]["value"] == expected["sent"] and r
    )
    assert report, (figures(overview(api))["emails_sent"], expected)
    found = figures(report)
    assert expected["sent"] == 55 and expected["delivered"] == 52
    for key, metric in (
        ("unique_open_rate", "unique_opens"),
        ("unique_open_rate_human", "unique_opens_human"),
        ("unique_click_rate", "unique_clicks"),
        ("unique_click_rate_human", "unique_clicks_human"),
    ):
        assert found[key]["value"] == pytest.approx(expected[metric] / expected["delivered"], abs=1e-4), key
    assert found["unique_click_rate_human"]["value"] < found["unique_click_rate"]["value"]
    assert sum(found["emails_sent"]["series"]) == expected["sent"]
    # One email of the two bounced 3 in 30 (10%, above 5%): it needs attention, the other does not.
    spikes = [i for i in report["attention"] if i["kind"] == "bounce_spike"]
    assert [(i["title"], i["link"], i["numbers"]["rate"]) for i in spikes] == [
        ("Spring offer", f"/emails/{email_id}", 0.1)
    ]
    # A period later, these sends are the previous period's: the same figures, as "previous".
    today = clock.now().date()
    ahead = overview(
        api, **{"from": (today + timedelta(days=1)).isoformat(), "to": (today + timedelta(days=30)).isoformat()}
    )
    later = figures(ahead)
    assert ahead["previous_end"] == today.isoformat()
    assert later["emails_sent"]["value"] == 0 and later["emails_sent"]["previous"] == expected["sent"]
    for key in ("unique_open_rate", "unique_click_rate_human"):
        assert later[key]["value"] is None and later[key]["previous"] == found[key]["value"], key
    # Only the emails asked for.
    only = figures(overview(api, email_ids=[calm_id]))
    assert only["emails_sent"]["value"] == 25 and only["unique_open_rate"]["value"] == pytest.approx(13 / 25)
