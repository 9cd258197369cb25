"""Website tracking through the real app: the script, beacons, identification and its rules, the
profile a website reads, the purge."""

from __future__ import annotations

import re
import secrets
from datetime import UTC, date, datetime, timedelta
from typing import Any

import msgspec
import pytest

from parcours.clock import clock, utcnow
from parcours.db import transaction
from parcours.visitors.models import VISITOR_EVENTS
from parcours.visitors.tasks import purge_visitors
from tests import factories
from tests.database import Database
from tests.factories import SENDER, unique_email

SITE = "https://shop.example.fr"


@pytest.fixture(scope="module")
def app_settings(app_settings: Any) -> Any:
    return msgspec.structs.replace(
        app_settings, tracking_sites=SITE, anonymous_retention_days=30, tracking_rate_limit=80
    )


def visitor() -> str:
    return secrets.token_hex(16)


def beacon(api: Any, anonymous_id: str, *paths: str, **extra: Any) -> Any:
    events = [{"type": "page_visited", "url": SITE + p, "title": f"Page {p}", **extra} for p in paths]
    return api.post(
        "/t/collect",
        content=msgspec.json.encode({"anonymous_id": anonymous_id, "events": events}),
        headers={"content-type": "text/plain", "origin": SITE},
    )


def visits(api: Any, contact_id: int) -> list[dict[str, Any]]:
    return factories.interactions(api, contact_id, "page_visited")


def submit_form(api: Any, contact: dict[str, Any], anonymous_id: str, kind: str = "form_submitted") -> None:
    """What a form submission records (the forms feature puts the script's anonymous_id in it)."""
    sent = api.post(
        "/api/interactions",
        json={"type": kind, "contact_id": contact["id"], "properties": {"form_id": 1, "anonymous_id": anonymous_id}},
    )
    assert sent.status_code == 202, sent.text


def test_the_script_is_small_cacheable_and_exposes_no_identify(api: Any) -> None:
    script = api.get("/t.js")
    assert script.status_code == 200 and script.headers["content-type"].startswith("text/javascript")
    assert len(script.content) < 8000 and "sendBeacon" in script.text and "data-consent" in script.text
    assert "identify" not in script.text and "doNotTrack" in script.text
    etag = script.headers["etag"]
    assert api.get("/t.js", headers={"if-none-match": etag}).status_code == 304


def test_bad_beacons_are_refused_whole_naming_the_field(api: Any) -> None:
    aid = visitor()
    cases = [
        (b"", "body"),
        (b"{not json", "body"),
        (
            msgspec.json.encode({"anonymous_id": "short", "events": [{"type": "page_visited", "url": SITE}]}),
            "anonymous_id",
        ),
        (msgspec.json.encode({"anonymous_id": aid, "events": []}), "events"),
        (msgspec.json.encode({"anonymous_id": aid, "events": [{"type": "page_visited"}]}), "events[0]"),
        (
            msgspec.json.encode(
                {
                    "anonymous_id": aid,
                    "events": [{"type": "page_visited", "url": SITE}, {"type": "Bad Type", "url": SITE}],
                }
            ),
            "events[1].type",
        ),
        (msgspec.json.encode({"anonymous_id": aid, "events": [{"type": "purchase", "url": SITE}]}), "events[0].type"),
        (
            msgspec.json.encode({"anonymous_id": aid, "events": [{"type": "page_visited", "url": "javascript:x"}]}),
            "events[0].url",
        ),
    ]
    for body, field in cases:
        answer = api.post("/t/collect", content=body, headers={"content-type": "text/plain"})
        assert answer.status_code == 400, (body, answer.text)
        assert answer.json()["error"]["field"] == field, (body, answer.json())
    other_site = api.post(
        "/t/collect",
        content=msgspec.json.encode({"anonymous_id": aid, "events": [{"type": "page_visited", "url": SITE}]}),
        headers={"origin": "https://evil.example"},
    )
    assert other_site.status_code == 403
    # Nothing of any of them was kept: identifying the visitor finds no history.
    contact = factories.contact(api)
    key = api.new_key("marketer")
    done = api.post("/t/identify", json={"anonymous_id": aid, "email": contact["email"]}, headers=api.as_key(key))
    assert done.json()["copied"] == 0


def test_anonymous_history_joins_the_contact_with_its_times_once(api: Any) -> None:
    aid = visitor()
    first = beacon(api, aid, "/pricing?utm_source=newsletter&utm_campaign=spring", "/features")
    assert first.status_code == 202 and first.json() == {"accepted": 2}
    assert first.headers["access-control-allow-origin"] == SITE
    custom = api.post(
        "/t/collect",
        json={
            "anonymous_id": aid,
            "events": [{"type": "added_to_cart", "url": SITE + "/cart", "properties": {"sku": "A1"}}],
        },
    )
    assert custom.status_code == 202
    contact = factories.contact(api)
    assert api.get("/t/profile", params={"anonymous_id": aid}).json() == {"segments": [], "variant": None}
    clock.advance(timedelta(minutes=5))
    try:
        submit_form(api, contact, aid)
        found = api.eventually(lambda: len(visits(api, contact["id"])) == 2 and visits(api, contact["id"]))
    finally:
        clock.reset()
    assert found, "the anonymous page views were not attached"
    by_path = {v["properties"]["path"]: v for v in found}
    assert by_path["/pricing"]["properties"]["utm_source"] == "newsletter"
    assert by_path["/pricing"]["properties"]["title"] == "Page /pricing?utm_source=newsletter&utm_campaign=spring"
    form = factories.interactions(api, contact["id"], "form_submitted")[0]
    assert all(v["occurred_at"] < form["occurred_at"] for v in found)  # the original times
    assert factories.interactions(api, contact["id"], "added_to_cart")[0]["properties"]["sku"] == "A1"
    # Once: the same submission again, and the site's backend saying it too, copy nothing more.
    submit_form(api, contact, aid)
    key = api.new_key("marketer")
    again = api.post("/t/identify", json={"anonymous_id": aid, "email": contact["email"]}, headers=api.as_key(key))
    assert again.status_code == 200 and again.json() == {"contact_id": contact["id"], "outcome": "same", "copied": 0}
    # Now known: the next page goes straight to the contact.
    beacon(api, aid, "/blog")
    assert api.eventually(lambda: len(visits(api, contact["id"])) == 3)
    assert api.eventually(lambda: api.get(f"/api/contacts/{contact['id']}").json()["visits_30d"] == 3)


def test_two_known_contacts_are_never_merged(api: Any) -> None:
    key = api.new_key("marketer")
    alice, bob = factories.contact(api), factories.contact(api)
    aid = visitor()
    beacon(api, aid, "/a1")
    first = api.post("/t/identify", json={"anonymous_id": aid, "email": alice["email"]}, headers=api.as_key(key))
    assert first.json() == {"contact_id": alice["id"], "outcome": "attach", "copied": 1}
    beacon(api, aid, "/a2")
    # Bob only claims this browser by typing his address in a form: Alice's checked link stays.
    submit_form(api, bob, aid)
    assert api.eventually(lambda: factories.interactions(api, bob["id"], "form_submitted"))
    beacon(api, aid, "/a3")
    assert api.eventually(lambda: len(visits(api, alice["id"])) == 3)
    # The site's backend says Bob logged in on it: re-pointed for the future, nothing merged.
    second = api.post("/t/identify", json={"anonymous_id": aid, "email": bob["email"]}, headers=api.as_key(key))
    assert second.json() == {"contact_id": bob["id"], "outcome": "repoint", "copied": 0}
    beacon(api, aid, "/b1")
    assert api.eventually(lambda: [v["properties"]["path"] for v in visits(api, bob["id"])] == ["/b1"])
    assert sorted(v["properties"]["path"] for v in visits(api, alice["id"])) == ["/a1", "/a2", "/a3"]
    assert api.get(f"/api/contacts/{alice['id']}").status_code == 200
    assert api.get(f"/api/contacts/{bob['id']}").status_code == 200


def test_identify_needs_an_api_key_with_the_marketer_role(api: Any) -> None:
    body = {"anonymous_id": visitor(), "email": unique_email()}
    viewer = api.new_key("viewer")
    assert api.post("/t/identify", json=body, headers=api.as_key(viewer)).status_code == 403
    assert api.post("/t/identify", json=body).status_code == 403  # a browser session is not enough
    assert api.post("/t/identify", json=body, headers={"authorization": "Bearer nope"}).status_code == 401
    key = api.new_key("marketer")
    bad = api.post("/t/identify", json={**body, "email": "not an address"}, headers=api.as_key(key))
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "email"
    created = api.post("/t/identify", json=body, headers=api.as_key(key))
    assert created.status_code == 200 and created.json()["outcome"] == "attach"
    contact = api.get(f"/api/contacts/{created.json()['contact_id']}").json()
    assert contact["email"] == body["email"] and contact["source"] == "website"


def follow(api: Any, link: str) -> str:
    # SQLite answers 503 (try again) when the worker writes at that moment: a mail client retries.
    answer = api.eventually(lambda: (r := api.get(link, follow_redirects=False)).status_code != 503 and r)
    return str(answer.headers["location"])


def test_a_tracked_email_click_identifies_the_visitor_on_the_site(api: Any) -> None:
    contact = factories.contact(api, email_opt_in=True, consent_level="marketing")
    mjml = (
        '<mjml><mj-body><mj-section><mj-column><mj-button href="https://shop.example.fr/offre?x=1">Go</mj-button>'
        '<mj-button href="https://elsewhere.example/">Other</mj-button></mj-column></mj-section></mj-body></mjml>'
    )
    email = api.post("/api/emails", json={"name": "Click", "subject": "Click", **SENDER, "mjml": mjml}).json()
    queued = api.post(
        f"/api/emails/{email['id']}/test-send", json={"to": contact["email"], "contact_id": contact["id"]}
    )
    message = api.eventually(
        lambda: (
            (m := api.get(f"/api/outbox/{queued.json()['outbox_id']}").json())["status"] not in ("queued", "sending")
            and m
        )
    )
    links = re.findall(r'href="http://[^/]+(/t/c/[^"]+)"', message["html"])
    ours, theirs = (follow(api, link) for link in links[:2])
    assert ours.startswith(SITE + "/offre?x=1&pc=") and theirs == "https://elsewhere.example/"
    aid = visitor()
    landed = api.post(
        "/t/collect",
        json={"anonymous_id": aid, "events": [{"type": "page_visited", "url": ours}]},
    )
    assert landed.status_code == 202
    found = api.eventually(lambda: visits(api, contact["id"]))
    assert found and found[0]["properties"]["url"] == SITE + "/offre?x=1"  # the token is not kept
    forged = ours[:-4] + "AAAA"
    other = visitor()
    api.post("/t/collect", json={"anonymous_id": other, "events": [{"type": "page_visited", "url": forged}]})
    assert api.get("/t/profile", params={"anonymous_id": other}).json() == {"segments": [], "variant": None}


def test_the_profile_tells_only_shared_segments_of_checked_visitors(api: Any) -> None:
    key = api.new_key("marketer")
    vip, claimed = factories.contact(api), factories.contact(api)
    shared = factories.static_segment(api, [vip["id"], claimed["id"]])
    private = factories.static_segment(api, [vip["id"]])
    setting = api.put("/api/website/personalization", json={"segments": [{"segment_id": shared, "variant": "vip"}]})
    assert setting.status_code == 200, setting.text
    assert api.put("/api/website/personalization", json={"segments": [{"segment_id": 999999}]}).status_code == 404
    aid = visitor()
    api.post("/t/identify", json={"anonymous_id": aid, "email": vip["email"]}, headers=api.as_key(key))
    answer = api.get("/t/profile", params={"anonymous_id": aid}, headers={"origin": SITE})
    assert answer.status_code == 200 and answer.headers["access-control-allow-origin"] == SITE
    assert answer.json()["variant"] == "vip"
    assert answer.json()["segments"] == [shared] and private != shared  # never the private one
    # Someone typing the VIP's address in a form learns nothing about them.
    typed = visitor()
    beacon(api, typed, "/x")
    submit_form(api, claimed, typed)
    assert api.eventually(lambda: visits(api, claimed["id"]))
    assert api.get("/t/profile", params={"anonymous_id": typed}).json() == {"segments": [], "variant": None}
    assert api.get("/t/profile", params={"anonymous_id": visitor()}).json() == {"segments": [], "variant": None}
    bad = api.get("/t/profile", params={"anonymous_id": "x"})
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "anonymous_id"


def test_anonymous_visitors_are_purged_after_the_retention(api: Any) -> None:
    old, kept_anonymous, known = visitor(), visitor(), visitor()
    contact = factories.contact(api)
    clock.advance(timedelta(days=-31))
    try:
        beacon(api, old, "/old")
        beacon(api, known, "/known")
    finally:
        clock.reset()
    beacon(api, kept_anonymous, "/recent")
    key = api.new_key("marketer")
    runtime = api.app.state.runtime

    async def purge() -> int:
        return await purge_visitors({"runtime": runtime})  # type: ignore[typeddict-item]

    api.post("/t/identify", json={"anonymous_id": known, "email": contact["email"]}, headers=api.as_key(key))
    assert api.blocking_portal.call(purge) >= 1
    late = factories.contact(api)
    for aid, expected in ((old, 0), (kept_anonymous, 1)):
        answer = api.post("/t/identify", json={"anonymous_id": aid, "email": late["email"]}, headers=api.as_key(key))
        assert answer.json()["copied"] == expected, aid
    assert [v["properties"]["path"] for v in visits(api, contact["id"])] == ["/known"]


def test_page_views_older_than_the_retention_go_even_when_the_visitor_came_back(
    api: Any, backend: str, database_url: str
) -> None:
    """Nothing anonymous outlives the retention (30 days here): a visitor seen 31 days ago and
    today keeps only today's page view. On PostgreSQL the page views are partitioned by month
    (a view from years ago in the default partition) and the purge drops the months that ended
    before the cutoff whole."""
    returning, long_gone = visitor(), visitor()
    clock.advance(timedelta(days=-31))
    try:
        assert beacon(api, returning, "/last-month").status_code == 202
    finally:
        clock.reset()
    assert beacon(api, returning, "/today").status_code == 202
    runtime = api.app.state.runtime
    database = Database(database_url)
    try:
        if backend == "postgresql":
            (kind,) = database.rows("select relkind::text from pg_class where relname = 'visitor_events'")[0]
            assert kind == "p"
            years_ago = datetime(utcnow().year - 7, 3, 15, tzinfo=UTC)
            database.execute(
                "insert into visitor_events (anonymous_id, type, occurred_at, properties) "
                "values (:aid, 'page_visited', :at, '{}')",
                aid=long_gone,
                at=years_ago,
            )
            (where,) = database.rows(
                "select tableoid::regclass::text from visitor_events where anonymous_id = :a", a=long_gone
            )[0]
            assert where == VISITOR_EVENTS.default
            month = date(years_ago.year, years_ago.month, 1)
            made = api.blocking_portal.call(_make_month, runtime, month)
            assert made == [month]
            (where,) = database.rows(
                "select tableoid::regclass::text from visitor_events where anonymous_id = :a", a=long_gone
            )[0]
            assert where == VISITOR_EVENTS.table_of(month)

        async def purge() -> int:
            return await purge_visitors({"runtime": runtime})  # type: ignore[typeddict-item]

        api.blocking_portal.call(purge)
        if backend == "postgresql":
            assert VISITOR_EVENTS.table_of(month) not in {
                name
                for (name,) in database.rows("select tablename from pg_tables where tablename like 'visitor_events%'")
            }
    finally:
        database.close()
    contact = factories.contact(api)
    key = api.new_key("marketer")
    answer = api.post(
        "/t/identify", json={"anonymous_id": returning, "email": contact["email"]}, headers=api.as_key(key)
    )
    assert answer.json()["copied"] == 1
    assert [v["properties"]["path"] for v in visits(api, contact["id"])] == ["/today"]


async def _make_month(runtime: Any, month: date) -> list[date]:
    async with transaction(runtime.sessions) as session:
        return await session.run_sync(lambda s: VISITOR_EVENTS.create_months(s.connection(), [month]))


def test_one_address_sending_too_much_is_slowed_down(api: Any) -> None:
    """Last of the module: it uses up this test client's allowance (80 a minute)."""
    body = msgspec.json.encode({"anonymous_id": visitor(), "events": [{"type": "page_visited", "url": "nope"}]})
    statuses = [api.post("/t/collect", content=body).status_code for _ in range(81)]
    assert statuses[-1] == 429 and set(statuses) == {400, 429}
    limited = api.get("/t/profile", params={"anonymous_id": visitor()})
    assert limited.status_code == 429, limited.headers
    assert limited.headers.get("retry-after"), dict(limited.headers)
    assert api.get("/t.js").status_code == 200  # the script itself is cached, never limited
