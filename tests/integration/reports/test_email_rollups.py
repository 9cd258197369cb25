"""The email rollups beyond the daily figures: the breakdowns by hour, domain and link fed by the
stream, the set-wise rebuild giving exactly the stream's rows, the attribution window as a
setting, and the segment filter counted from the members' raw rows."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from parcours.clock import clock, utcnow
from parcours.interactions.models import Interaction
from parcours.reports import recount, rollups
from parcours.reports.models import ReportDaily, ReportEmailDaily
from parcours.settings import load_settings
from tests.integration.reports.test_email_reports import HUMAN, PROXY, SCANNER, _campaign, _links


def _days() -> tuple[Any, Any]:
    today = utcnow().date()
    return today - timedelta(days=1), today


def _caught_up(api: Any) -> bool:
    async def read() -> bool:
        async with api.app.state.runtime.sessions() as session:
            position, gaps = await rollups.counted_ids(session)
            newest = (await session.execute(select(func.max(Interaction.id)))).scalar() or 0
            return position >= newest and not gaps

    return bool(api.blocking_portal.call(read))


def _snapshot(api: Any) -> dict[str, dict[tuple[Any, ...], float]]:
    """Every rollup row of yesterday and today (rows brought back to zero left out)."""
    start, end = _days()

    async def read() -> dict[str, dict[tuple[Any, ...], float]]:
        async with api.app.state.runtime.sessions() as session:
            daily = await session.execute(
                select(
                    ReportDaily.day, ReportDaily.subject, ReportDaily.subject_id, ReportDaily.metric, ReportDaily.value
                ).where(ReportDaily.day >= start, ReportDaily.day <= end)
            )
            email = await session.execute(
                select(
                    ReportEmailDaily.email_id,
                    ReportEmailDaily.day,
                    ReportEmailDaily.dimension,
                    ReportEmailDaily.key,
                    ReportEmailDaily.metric,
                    ReportEmailDaily.value,
                ).where(ReportEmailDaily.day >= start, ReportEmailDaily.day <= end)
            )
            return {
                "daily": {tuple(r[:-1]): round(r[-1], 6) for r in daily.all() if round(r[-1], 6)},
                "email": {tuple(r[:-1]): round(r[-1], 6) for r in email.all() if round(r[-1], 6)},
            }

    return api.blocking_portal.call(read)


def _rebuild(api: Any) -> int:
    start, end = _days()
    return api.blocking_portal.call(recount.rebuild, api.app.state.runtime.sessions, start, end)


def _activity(api: Any, make_contact: Any) -> tuple[dict[str, Any], int, dict[int, Any]]:
    """A campaign to four people with opens, clicks (twice on a link, by a scanner), a bounce
    and purchases."""
    people, email_id, campaign_id = _campaign(api, make_contact, ["ann", "bob", "cat", "dan"])
    links = _links(api, campaign_id)
    ann, bob, cat, dan = (links[people[n]["id"]] for n in ("ann", "bob", "cat", "dan"))
    assert api.get(bob["pixel"], headers=PROXY).status_code == 200
    assert api.get(cat["clicks"][0], headers=SCANNER, follow_redirects=False).status_code == 302
    clock.advance(timedelta(minutes=5))
    try:
        api.get(ann["pixel"], headers=HUMAN)
        for click in (ann["clicks"][0], ann["clicks"][0], ann["clicks"][1], bob["clicks"][1], cat["clicks"][0]):
            assert api.get(click, headers=HUMAN, follow_redirects=False).status_code == 302
        assert api.post("/api/email-events", json={"type": "bounce", "outbox_id": dan["id"]}).status_code == 200
        for name, amount in (("ann", 80.5), ("bob", 19.25)):
            bought = api.post(
                "/api/interactions",
                json={"type": "purchase", "contact_id": people[name]["id"], "properties": {"amount": amount}},
            )
            assert bought.status_code == 202
    finally:
        clock.reset()
    return people, email_id, links


def test_the_rebuild_gives_exactly_the_streams_rows(api: Any, make_contact: Any) -> None:
    people, email_id, _links_of = _activity(api, make_contact)
    # An erased contact and a merge since: the stream took them into account, the rebuild must too.
    api.eventually(lambda: _caught_up(api), 30)
    assert api.delete(f"/api/contacts/{people['dan']['id']}").status_code == 204
    merged = api.post(f"/api/contacts/{people['bob']['id']}/merge", json={"other_id": people["cat"]["id"]})
    assert merged.status_code == 200, merged.text
    assert api.eventually(lambda: _caught_up(api), 30)
    streamed = _snapshot(api)
    assert any(k[0] == email_id and k[2] == "link" for k in streamed["email"])
    assert _rebuild(api) > 0
    rebuilt = _snapshot(api)
    assert rebuilt["email"] == streamed["email"]
    assert rebuilt["daily"] == streamed["daily"]


def test_the_email_report_reads_its_breakdowns_from_the_rollups(api: Any, make_contact: Any) -> None:
    _people, email_id, _ = _activity(api, make_contact)
    report = api.eventually(
        lambda: (
            (r := api.get(f"/api/reports/emails/{email_id}").json())
            and r["figures"]["unique_clicks"] == 3
            and r["figures"]["revenue"] == 99.75
            and r
        ),
        30,
    )
    assert report["source"] == "rollups" and report["attribution_days"] == 7
    urls = {row["url"]: row for row in report["links"]}
    # Ann twice and a scanner then Cat herself on /a: two messages, both with a person's click.
    assert urls["https://shop.example.fr/a"] == {
        "url": "https://shop.example.fr/a",
        "clicks": 4,
        "unique_clicks": 2,
        "unique_clicks_human": 2,
    }
    assert urls["https://shop.example.fr/b"]["unique_clicks"] == 2
    domains = {row["domain"]: row for row in report["by_domain"]}
    assert (domains["gmail.com"]["sent"], domains["orange.fr"]["sent"]) == (2, 2)
    # Dan (orange.fr) bounced; Bob (orange.fr) opened through a proxy first, then clicked.
    assert domains["orange.fr"]["bounced"] == 1 and domains["orange.fr"]["delivered"] == 1
    assert (domains["orange.fr"]["opened"], domains["orange.fr"]["opened_human"]) == (1, 1)
    assert (domains["gmail.com"]["opened"], domains["gmail.com"]["clicked_human"]) == (2, 2)
    sent_hour = utcnow().hour
    hours = {row["hour"]: row for row in report["by_hour"]}
    assert set(hours) <= {sent_hour, (sent_hour - 1) % 24}
    assert sum(h["sent"] for h in hours.values()) == 4
    assert sum(h["unique_opens"] for h in hours.values()) == report["figures"]["unique_opens"] == 3
    assert sum(h["unique_clicks_human"] for h in hours.values()) == report["figures"]["unique_clicks_human"]


def _raw_of_members(api: Any, email_id: int, members: set[int]) -> dict[str, float]:
    """The email's figures from the raw rows of these contacts only."""

    async def read() -> list[Any]:
        async with api.app.state.runtime.sessions() as session:
            rows = await session.execute(select(Interaction.contact_id, Interaction.type, Interaction.properties))
            return list(rows.all())

    found: dict[str, float] = defaultdict(float)
    opened, clicked = set(), set()
    for contact_id, kind, p in api.blocking_portal.call(read):
        if contact_id not in members or p.get("email_id") != email_id:
            continue
        if kind == "email_sent":
            found["sent"] += 1
        elif kind == "email_bounced":
            found["bounced"] += 1
        elif kind in ("email_opened", "email_clicked"):
            opened.add(p["message_id"])
            if kind == "email_clicked":
                found["clicks"] += 1
                clicked.add(p["message_id"])
    found.update(unique_opens=len(opened), unique_clicks=len(clicked))
    return found


def test_a_segment_limits_the_email_reports_to_its_members_from_raw_rows(api: Any, make_contact: Any) -> None:
    people, email_id, _ = _activity(api, make_contact)
    api.eventually(lambda: _caught_up(api), 30)
    segment = api.post("/api/segments", json={"name": "Ann and Dan", "kind": "static"}).json()
    members = {people["ann"]["id"], people["dan"]["id"]}
    api.post(f"/api/segments/{segment['id']}/members", json={"contact_ids": sorted(members)})
    raw = _raw_of_members(api, email_id, members)
    one = api.get(f"/api/reports/emails/{email_id}", params={"segment_id": segment["id"]}).json()
    assert one["source"] == "raw"
    figures = one["figures"]
    shown = {k: figures[k] for k in ("sent", "bounced", "clicks", "unique_opens", "unique_clicks")}
    assert (
        shown
        == {k: int(raw.get(k, 0)) for k in shown}
        == {
            "sent": 2,
            "bounced": 1,
            "clicks": 3,
            "unique_opens": 1,
            "unique_clicks": 1,
        }
    )
    # Ann's purchase only, credited to her last click.
    assert figures["revenue"] == 80.5
    assert {r["domain"]: r["sent"] for r in one["by_domain"]} == {"gmail.com": 1, "orange.fr": 1}
    assert {r["url"]: r["clicks"] for r in one["links"]} == {
        "https://shop.example.fr/a": 2,
        "https://shop.example.fr/b": 1,
    }
    listed = api.get("/api/reports/emails", params={"segment_id": segment["id"]}).json()
    assert listed["source"] == "raw"
    assert next(i for i in listed["items"] if i["email_id"] == email_id)["figures"] == figures
    missing = api.get("/api/reports/emails", params={"segment_id": 999999})
    assert missing.status_code == 400 and missing.json()["error"]["field"] == "segment_id"


def test_the_attribution_window_is_a_setting(api: Any, make_contact: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    assert load_settings({}).attribution_days == 7
    assert load_settings({"PARCOURS_ATTRIBUTION_DAYS": "30"}).attribution_days == 30
    for wrong in ("0", "91", "week"):
        with pytest.raises(SystemExit):
            load_settings({"PARCOURS_ATTRIBUTION_DAYS": wrong})
    people, email_id, campaign_id = _campaign(api, make_contact, ["eve"])
    link = _links(api, campaign_id)[people["eve"]["id"]]["clicks"][0]
    clock.advance(timedelta(minutes=5))
    try:
        assert api.get(link, headers=HUMAN, follow_redirects=False).status_code == 302
    finally:
        clock.reset()
    # A purchase two days after the click: outside a one-day window, inside the default week.
    monkeypatch.setenv("PARCOURS_ATTRIBUTION_DAYS", "1")
    clock.advance(timedelta(days=2))
    try:
        bought = api.post(
            "/api/interactions",
            json={"type": "purchase", "contact_id": people["eve"]["id"], "properties": {"amount": 5}},
        )
        assert bought.status_code == 202
    finally:
        clock.reset()
    api.eventually(lambda: _caught_up(api), 30)
    period = {"from": utcnow().date().isoformat(), "to": (utcnow() + timedelta(days=2)).date().isoformat()}
    answer = api.get(f"/api/reports/emails/{email_id}", params=period).json()
    assert answer["attribution_days"] == 1 and answer["figures"]["revenue"] == 0.0
    monkeypatch.setenv("PARCOURS_ATTRIBUTION_DAYS", "7")
    start, end = utcnow().date(), (utcnow() + timedelta(days=2)).date()
    api.blocking_portal.call(recount.rebuild, api.app.state.runtime.sessions, start, end)
    answer = api.get(f"/api/reports/emails/{email_id}", params=period).json()
    assert answer["attribution_days"] == 7 and answer["figures"]["revenue"] == 5.0
