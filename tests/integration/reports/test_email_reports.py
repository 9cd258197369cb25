"""The email results report, reconciled with the raw rows (outbox and interactions) it sums."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from parcours.clock import clock
from parcours.interactions.models import Interaction
from tests.factories import unique_email

SENDER = {"from_name": "Parcours", "from_email": "news@example.fr"}
MJML = (
    "<mjml><mj-body><mj-section><mj-column><mj-text>Hi {{ contact.first_name }}</mj-text>"
    '<mj-button href="https://shop.example.fr/a">Shop</mj-button>'
    '<mj-button href="https://shop.example.fr/b">More</mj-button></mj-column></mj-section></mj-body></mjml>'
)
OPTED_IN = {"email_opt_in": True, "consent_level": "marketing"}
HUMAN = {"user-agent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120 Safari/537.36"}
PROXY = {"user-agent": "Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)"}
SCANNER = {"user-agent": "Barracuda Sentinel (EE)"}
COUNTS = (
    "sent",
    "bounced_hard",
    "bounced_soft",
    "opens",
    "unique_opens",
    "unique_opens_human",
    "clicks",
    "unique_clicks",
    "unique_clicks_human",
    "unsubscribed",
    "complaints",
)


def _campaign(api: Any, make_contact: Any, names: list[str], **campaign: Any) -> tuple[dict[str, Any], int, int]:
    tag = unique_email("rep").split("@")[0]
    people = {n: make_contact(email=f"{tag}.{n}@{d}", first_name=n, **OPTED_IN) for n, d in _domains(names)}
    segment = api.post("/api/segments", json={"name": f"Audience {tag}", "kind": "static"}).json()
    api.post(f"/api/segments/{segment['id']}/members", json={"contact_ids": [c["id"] for c in people.values()]})
    email = api.post("/api/emails", json={"name": f"Offer {tag}", "subject": "Hi", **SENDER, "mjml": MJML})
    assert email.status_code == 201, email.text
    created = api.post(
        "/api/campaigns", json={"email_id": email.json()["id"], "segment_ids": [segment["id"]], **campaign}
    )
    assert created.status_code == 201, created.text
    return people, email.json()["id"], created.json()["id"]


def _domains(names: list[str]) -> list[tuple[str, str]]:
    return [(n, "gmail.com" if i % 2 == 0 else "orange.fr") for i, n in enumerate(names)]


def _links(api: Any, campaign_id: int) -> dict[int, dict[str, Any]]:
    """Each contact's message: its id, its open pixel and its two tracked links."""
    messages = api.eventually(
        lambda: (
            (items := api.get("/api/outbox", params={"campaign_id": campaign_id, "limit": 100}).json()["items"])
            and all(m["status"] in ("sent", "captured", "suppressed", "failed") for m in items)
            and items
        ),
        30,
    )
    found = {}
    for message in messages:
        if message["status"] not in ("sent", "captured"):
            continue
        html = api.get(f"/api/outbox/{message['id']}").json()["html"]
        found[message["contact_id"]] = {
            "id": message["id"],
            "pixel": re.search(r'src="http://[^/]+(/t/o/[^"]+)"', html).group(1),
            "clicks": re.findall(r'href="http://[^/]+(/t/c/[^"]+)"', html),
        }
    return found


def _raw(api: Any, email_id: int) -> dict[str, float]:
    """The email's figures computed from the raw interactions, independently of the rollups."""
    runtime = api.app.state.runtime

    async def read() -> list[Any]:
        async with runtime.sessions() as session:
            rows = await session.execute(
                select(Interaction.contact_id, Interaction.type, Interaction.occurred_at, Interaction.properties)
            )
            return list(rows.all())

    rows = api.blocking_portal.call(read)
    figures: dict[str, float] = defaultdict(float)
    opened, opened_human, clicked, clicked_human = set(), set(), set(), set()
    clicks_of: dict[int, list[tuple[Any, dict[str, Any]]]] = defaultdict(list)
    for contact_id, kind, at, properties in rows:
        p = properties
        if kind == "email_clicked" and not p.get("machine"):
            clicks_of[contact_id].append((at, p))
        if p.get("email_id") != email_id:
            continue
        message, human = p.get("message_id"), not p.get("machine")
        if kind == "email_sent":
            figures["sent"] += 1
        elif kind == "email_bounced":
            figures["bounced_hard" if p.get("hard") else "bounced_soft"] += 1
        elif kind in ("email_opened", "email_clicked"):
            figures["opens" if kind == "email_opened" else "clicks"] += 1
            opened.add(message)
            if human:
                opened_human.add(message)
            if kind == "email_clicked":
                clicked.add(message)
                if human:
                    clicked_human.add(message)
        elif kind == "email_unsubscribed":
            figures["unsubscribed"] += 1
        elif kind == "email_complained":
            figures["complaints"] += 1
    figures.update(
        unique_opens=len(opened),
        unique_opens_human=len(opened_human),
        unique_clicks=len(clicked),
        unique_clicks_human=len(clicked_human),
    )
    for contact_id, kind, at, properties in rows:
        p = properties
        if kind != "purchase":
            continue
        before = sorted((c for c in clicks_of[contact_id] if at - timedelta(days=7) <= c[0] <= at), key=lambda c: c[0])
        if before and before[-1][1].get("email_id") == email_id:
            figures["revenue"] += float(p.get("amount", 0))
    return figures


def _shown(api: Any, email_id: int) -> dict[str, Any]:
    return api.get(f"/api/reports/emails/{email_id}").json()


def _settled(api: Any, email_id: int, check: Any) -> dict[str, Any]:
    return api.eventually(lambda: (r := _shown(api, email_id)) and check(r) and r, 30)


def _reconciled(api: Any, email_id: int) -> dict[str, Any]:
    def caught_up() -> Any:
        raw, report = _raw(api, email_id), _shown(api, email_id)
        same = {k: report["figures"][k] for k in COUNTS} == {k: int(raw.get(k, 0)) for k in COUNTS}
        return (raw, report) if same and report["figures"]["revenue"] == round(raw.get("revenue", 0.0), 2) else None

    # The stream counts within moments: wait until it has, then compare once more for the message.
    api.eventually(caught_up, 30)
    raw, report = _raw(api, email_id), _shown(api, email_id)
    figures = report["figures"]
    assert {k: figures[k] for k in COUNTS} == {k: int(raw.get(k, 0)) for k in COUNTS}
    assert figures["revenue"] == round(raw.get("revenue", 0.0), 2)
    listed = next(i for i in api.get("/api/reports/emails").json()["items"] if i["email_id"] == email_id)
    assert listed["figures"] == figures
    return report


def test_email_results_reconcile_with_raw_rows_machines_apart(api: Any, make_contact: Any) -> None:
    people, email_id, campaign_id = _campaign(api, make_contact, ["ann", "bob", "cat", "dan"])
    links = _links(api, campaign_id)
    ann, bob, cat, dan = (links[people[n]["id"]] for n in ("ann", "bob", "cat", "dan"))
    # A proxy fetches Bob's pixel at once; a scanner follows Cat's link as it arrives.
    assert api.get(bob["pixel"], headers=PROXY).status_code == 200
    assert api.get(cat["clicks"][0], headers=SCANNER, follow_redirects=False).status_code == 302
    clock.advance(timedelta(minutes=5))
    try:
        api.get(ann["pixel"], headers=HUMAN)
        api.get(ann["pixel"], headers=HUMAN)
        api.get(ann["clicks"][0], headers=HUMAN, follow_redirects=False)
        api.get(ann["clicks"][0], headers=HUMAN, follow_redirects=False)
        api.get(bob["clicks"][1], headers=HUMAN, follow_redirects=False)
        reported = api.post("/api/email-events", json={"type": "bounce", "outbox_id": dan["id"], "hard": True})
        assert reported.status_code == 200, reported.text
        bought = api.post(
            "/api/interactions",
            json={"type": "purchase", "contact_id": people["ann"]["id"], "properties": {"amount": 80}},
        )
        assert bought.status_code == 202
    finally:
        clock.reset()
    report = _reconciled(api, email_id)
    figures = report["figures"]
    assert (figures["sent"], figures["bounced_hard"], figures["delivered"]) == (4, 1, 3)
    # Ann and Bob opened (Bob's click proves it), Cat's only "open" was a scanner's click.
    assert (figures["unique_opens"], figures["unique_opens_human"], figures["unique_opens_machine"]) == (3, 2, 1)
    assert (figures["unique_clicks"], figures["unique_clicks_human"], figures["clicks"]) == (3, 2, 4)
    assert figures["rates"]["unique_open_rate_human"] == {
        "value": 2 / 3,
        "numerator": "unique_opens_human",
        "divisor": "delivered",
    }
    assert figures["revenue"] == 80.0 and report["revenue"] == 80.0
    urls = {row["url"]: row for row in report["links"]}
    assert urls["https://shop.example.fr/a"] == {
        "url": "https://shop.example.fr/a",
        "clicks": 3,
        "unique_clicks": 2,
        "unique_clicks_human": 1,
    }
    domains = {row["domain"]: row for row in report["by_domain"]}
    assert domains["gmail.com"]["sent"] == 2 and domains["orange.fr"]["bounced"] == 1
    assert sum(h["sent"] for h in report["by_hour"]) == 4
    assert sum(d["figures"]["sent"] for d in report["by_day"]) == 4
    csv = api.get(f"/api/reports/emails/{email_id}", params={"format": "csv", "table": "links"})
    assert csv.status_code == 200 and "https://shop.example.fr/a,3,2,1" in csv.text
    listed = api.get("/api/reports/emails", params={"format": "csv"})
    assert listed.status_code == 200 and f"{email_id}," in listed.text

    # Erasing a contact takes its interactions out of the figures; a merge changes none.
    assert api.delete(f"/api/contacts/{people['ann']['id']}").status_code == 204
    after = _settled(api, email_id, lambda r: r["figures"]["sent"] == 3)
    assert after["figures"]["revenue"] == 0.0 and after["figures"]["unique_opens_human"] == 1
    merged = api.post(f"/api/contacts/{people['bob']['id']}/merge", json={"other_id": people["cat"]["id"]})
    assert merged.status_code == 200, merged.text
    assert _reconciled(api, email_id)["figures"] == after["figures"]


def test_rebuilding_a_period_gives_the_same_figures(api: Any, make_contact: Any) -> None:
    people, email_id, campaign_id = _campaign(api, make_contact, ["eve", "fay"])
    links = _links(api, campaign_id)
    clock.advance(timedelta(minutes=5))
    try:
        api.get(links[people["eve"]["id"]]["clicks"][1], headers=HUMAN, follow_redirects=False)
    finally:
        clock.reset()
    before = _settled(api, email_id, lambda r: r["figures"]["unique_clicks"] == 1)
    runtime = api.app.state.runtime

    async def rebuild() -> int:
        from parcours.clock import utcnow
        from parcours.reports import recount

        today = utcnow().date()
        return await recount.rebuild(runtime.sessions, today - timedelta(days=1), today)

    assert api.blocking_portal.call(rebuild) > 0
    assert _shown(api, email_id)["figures"] == before["figures"]


def test_an_ab_campaign_lists_its_variants(api: Any, make_contact: Any) -> None:
    names = [f"p{i}" for i in range(10)]
    ab = {
        "variable": "subject",
        "keep_split": True,
        "variants": [{"key": "A", "subject": "Spring is here"}, {"key": "B", "subject": "Your offer inside"}],
    }
    _people, email_id, campaign_id = _campaign(api, make_contact, names, ab_test=ab)
    _links(api, campaign_id)
    report = _reconciled(api, email_id)
    variants = {v["variant"]: v["figures"]["sent"] for v in report["variants"]}
    assert set(variants) == {"A", "B"} and sum(variants.values()) == report["figures"]["sent"] == 10


def test_bad_requests_are_refused(api: Any) -> None:
    assert api.get("/api/reports/emails/999999").status_code == 404
    bad = api.get("/api/reports/emails", params={"from": "2026-05-02", "to": "2026-05-01"})
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "from"
    assert api.get("/api/reports/emails/1", params={"attribution": "middle"}).status_code == 400


def _rollup(api: Any, subject: str, subject_id: str) -> dict[str, float]:
    runtime = api.app.state.runtime

    async def read() -> dict[str, float]:
        from parcours.clock import utcnow
        from parcours.reports import rollups
        from parcours.reports.filters import ReportFilters

        today = utcnow().date()
        async with runtime.sessions() as session:
            found = await rollups.totals(session, subject, ReportFilters(start=today - timedelta(days=1), end=today))
            return found.get(subject_id, {})

    return dict(api.blocking_portal.call(read))


def test_a_journey_counts_entries_emails_per_step_and_conversions_across_versions(api: Any, make_contact: Any) -> None:
    from tests.factories import chain, email, journey, published, unique_type

    trigger = unique_type("asked")
    mail = email(api, "Journey offer")
    definition = chain(
        ("start", "entry.interaction", {"type": trigger}),
        ("mail", "action.email", {"email_id": mail}),
        ("wait", "flow.wait", {"duration": "P3D"}),
    )
    made = journey(api, definition, goal={"type": "purchase"})
    published(api, made["id"])
    first, second = make_contact(**OPTED_IN), make_contact(**OPTED_IN)
    api.post("/api/interactions", json={"type": trigger, "contact_id": first["id"]})
    api.eventually(lambda: _rollup(api, "node", f"{made['id']}:mail").get("sent") == 1, 30)
    # A second version (the email step keeps its id) counts on the same journey and step.
    edited = api.patch(
        f"/api/journeys/{made['id']}", json={"definition": definition, "settings": {"goal": {"type": "purchase"}}}
    )
    assert edited.status_code == 200, edited.text
    published(api, made["id"])
    api.post("/api/interactions", json={"type": trigger, "contact_id": second["id"]})
    api.post("/api/interactions", json={"type": "purchase", "contact_id": second["id"], "properties": {"amount": 20}})
    figures = api.eventually(
        lambda: (f := _rollup(api, "journey", str(made["id"]))).get("conversions") == 1 and f.get("sent") == 2 and f, 30
    )
    assert figures["entered"] == 2
    assert _rollup(api, "node", f"{made['id']}:mail")["sent"] == 2
    assert _shown(api, mail)["figures"]["sent"] == 2
