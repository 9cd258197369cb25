"""Landing pages: the marketer's API, what visitors see at /p/{slug}, visits and A/B figures."""

import asyncio
import re
from datetime import UTC, datetime, time, timedelta
from typing import Any

import httpx
import pytest

from parcours.clock import clock
from parcours.db import retried
from parcours.landing import visits
from tests.database import Database
from tests.factories import unique_email, unique_type


def slug() -> str:
    return unique_type("page").replace("_", "-").lower()


def create(api: Any, **body: Any) -> dict[str, Any]:
    response = api.post("/api/pages", json={"name": "Spring offer", "slug": slug(), "language": "en", **body})
    assert response.status_code == 201, response.text
    return dict(response.json())


def visit(api: Any, page_slug: str, cookies: dict[str, str] | None = None, **params: str) -> httpx.Response:
    """A visitor's browser: no session cookie, only the visitor cookie it was given."""
    cookie = "; ".join(f"{k}={v}" for k, v in (cookies or {}).items())
    response: httpx.Response = api.get(f"/p/{page_slug}", params=params, headers={"Cookie": cookie})
    api.client.cookies.delete("parcours_aid")
    return response


def test_a_page_from_a_template_is_versioned_and_published_only_when_asked(api: Any) -> None:
    templates = {t["key"]: t for t in api.get("/api/pages/templates", params={"language": "fr"}).json()}
    assert {"lead-magnet", "newsletter", "event"} <= set(templates) and templates["lead-magnet"]["has_form"]
    page = create(api, template="event", language="fr")
    assert "Programme" in page["html"] and page["seo_title"].startswith("Retrouvez-nous")
    assert page["status"] == "draft" and page["url"].endswith(f"/p/{page['slug']}")
    assert visit(api, page["slug"]).status_code == 404  # a draft is not online

    published = api.post(f"/api/pages/{page['id']}/publish").json()
    assert published["status"] == "published" and not published["unpublished_changes"]
    shown = visit(api, page["slug"])
    assert shown.status_code == 200 and "script-src 'self'" in shown.headers["content-security-policy"]
    html = shown.text
    assert '<html lang="fr">' in html and '<meta name="viewport"' in html
    assert "<title>Retrouvez-nous à notre prochain événement</title>" in html
    assert '<meta property="og:title" content="Retrouvez-nous' in html and 'name="description"' in html
    assert '<script src="/t.js" async></script>' in html  # visits reach the visitor's history

    # A saved change is a draft until published again: visitors keep the published version.
    changed = api.patch(f"/api/pages/{page['id']}", json={"html": "<h1>Nouvelle version</h1>"}).json()
    assert changed["unpublished_changes"] and changed["version"] == 2
    assert "Nouvelle version" not in visit(api, page["slug"]).text
    preview = api.post(f"/api/pages/{page['id']}/preview").json()
    token = preview["url"].split("preview=")[1]
    draft = visit(api, page["slug"], preview=token)
    assert "Nouvelle version" in draft.text and "noindex" in draft.text and "/t.js" not in draft.text
    assert visit(api, page["slug"], preview=token[:-3] + "abc").status_code == 404

    versions = api.get(f"/api/pages/{page['id']}/versions").json()
    assert [(v["version"], v["published"]) for v in versions] == [(2, False), (1, True)]
    restored = api.post(f"/api/pages/{page['id']}/versions/1/restore").json()
    assert "Programme" in restored["html"] and restored["version"] == 3
    assert api.post(f"/api/pages/{page['id']}/versions/9/restore").status_code == 404

    listed = api.get("/api/pages", params={"limit": 1, "status": "published"}).json()
    assert listed["total"] >= 1 and len(listed["items"]) == 1 and listed["next_cursor"] is None or listed["total"] > 1
    offline = api.post(f"/api/pages/{page['id']}/unpublish").json()
    assert offline["status"] == "draft" and visit(api, page["slug"]).status_code == 404
    assert api.delete(f"/api/pages/{page['id']}").status_code == 204
    assert visit(api, page["slug"]).status_code == 404


def test_scripts_and_event_handlers_never_reach_visitors(api: Any) -> None:
    hostile = (
        '<h1 onclick="alert(1)">Offer</h1><script>alert("x")</script><img src="x.png" onerror="alert(2)">'
        '<a href="javascript:alert(3)">go</a><a href=" JaVaScRiPt:alert(4)">go</a><iframe src="https://evil.example"></iframe>'
        "<p>Fish &amp; chips</p><svg><script>alert(5)</script></svg>"
    )
    page = create(api, html=hostile, css="h1{color:red}</style><script>alert(6)</script>", seo_title='<script>"t"')
    assert "<script" not in page["html"] and "onerror" not in page["html"] and "javascript:" not in page["html"]
    api.post(f"/api/pages/{page['id']}/publish")
    html = visit(api, page["slug"]).text
    body = html.split("<body>")[1]
    # The only script is the tracking script this server serves.
    assert re.findall(r"<script[^>]*>", html.split("</title>")[1]) == ['<script src="/t.js" async>']
    assert "alert" not in body and "<iframe" not in body
    assert "onerror" not in html and "onclick" not in html and "javascript:" not in html.lower()
    assert "<title>&lt;script&gt;&#34;t&#34;</title>" in html
    assert "Fish &amp; chips" in body and "</style><script>" not in html


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"slug": "Spring Offer"}, "slug"),
        ({"slug": "spring_offer!"}, "slug"),
        ({"slug": "-spring"}, "slug"),
        ({"html": '<div data-parcours-form="987654">Form</div>'}, "html"),
        ({"html": '<div data-parcours-form="abc">Form</div>'}, "html"),
        ({"social_image": "javascript:alert(1)"}, "social_image"),
        ({"template": "no-such-template"}, "template"),
        ({"name": "   "}, "name"),
    ],
)
def test_bad_pages_are_refused_naming_the_field(api: Any, body: dict[str, Any], field: str) -> None:
    before = api.get("/api/pages").json()["total"]
    response = api.post("/api/pages", json={"name": "Bad", "slug": slug(), **body})
    assert response.status_code == 422, response.text
    assert response.json()["error"]["field"] == field
    assert api.get("/api/pages").json()["total"] == before


def test_a_taken_slug_an_unknown_form_and_an_empty_form_block(api: Any) -> None:
    first = create(api)
    taken = api.post("/api/pages", json={"name": "Again", "slug": first["slug"]})
    assert taken.status_code == 422 and taken.json()["error"]["field"] == "slug"
    other = create(api)
    moved = api.patch(f"/api/pages/{other['id']}", json={"slug": first["slug"]})
    assert moved.status_code == 422 and moved.json()["error"]["field"] == "slug"
    bad_variant = api.patch(
        f"/api/pages/{other['id']}",
        json={"variants": [{"key": "B", "html": '<div data-parcours-form="99999">x</div>'}]},
    )
    assert bad_variant.status_code == 422 and bad_variant.json()["error"]["field"] == "variants"
    assert api.get(f"/api/pages/{other['id']}").json()["version"] == 1  # nothing written
    # A template's form block waits for a form: saved as a draft, refused at publication.
    lead = create(api, template="lead-magnet")
    refused = api.post(f"/api/pages/{lead['id']}/publish")
    assert refused.status_code == 422 and refused.json()["error"]["field"] == "html"
    assert api.get(f"/api/pages/{lead['id']}").json()["status"] == "draft"


def test_roles_viewers_read_marketers_edit(api: Any) -> None:
    page = create(api)
    viewer = api.as_key(api.new_key("viewer"))
    assert api.get(f"/api/pages/{page['id']}", headers=viewer).status_code == 200
    assert api.patch(f"/api/pages/{page['id']}", json={"name": "x"}, headers=viewer).status_code == 403
    assert api.post(f"/api/pages/{page['id']}/publish", headers=viewer).status_code == 403
    assert api.post(f"/api/pages/{page['id']}/preview", headers=viewer).status_code == 200
    assert api.get("/api/pages", headers={"Cookie": ""}).status_code == 401


def publish_form(api: Any) -> dict[str, Any]:
    body = {
        "name": "Guide",
        "slug": unique_type("guide").replace("_", "-"),
        "fields": [{"name": "email", "type": "email", "label": "Email", "required": True, "maps_to": "email"}],
        "settings": {"no_script": "accept", "minimum_seconds": 0},
    }
    form = api.post("/api/forms", json=body)
    assert form.status_code == 201, form.text
    return dict(api.post(f"/api/forms/{form.json()['id']}/publish").json())


def shown(html: str) -> tuple[str, str, str]:
    """The variant a visitor sees, and what the page's form carries: its signed time, the visitor's id."""
    variant = re.search(r"Version ([AB])", html)
    stamp = re.search(r'name="_ts" value="([^"]+)"', html)
    visitor = re.search(r'name="anonymous_id" value="([^"]*)"', html)
    assert variant and stamp and visitor, html
    return variant.group(1), stamp.group(1), visitor.group(1)


def test_the_form_block_places_a_published_form_that_posts_with_the_page(api: Any) -> None:
    form = publish_form(api)
    block = f'<div data-parcours-form="{form["id"]}">Form</div>'
    page = create(api, html=f"<h1>Version A</h1>{block}")
    assert page["form_ids"] == [form["id"]]
    api.post(f"/api/pages/{page['id']}/publish")
    first = visit(api, page["slug"])
    cookie = first.cookies["parcours_aid"]
    html = first.text
    assert f'action="/f/{form["slug"]}"' in html and f'name="page_id" value="{page["id"]}"' in html
    assert shown(html)[2] == cookie  # the submission will name the visitor
    _, stamp, visitor = shown(html)
    email = unique_email("lp")
    posted = api.post(
        f"/f/{form['slug']}",
        data={"email": email, "_ts": stamp, "page_id": str(page["id"]), "anonymous_id": visitor},
        follow_redirects=False,
    )
    assert posted.status_code == 303, posted.text
    contact = api.get("/api/contacts", params={"q": email}).json()["items"][0]
    assert contact["lead_origin"] == "inbound" and contact["lead_origin_page_id"] == page["id"]
    stats = api.eventually(lambda: (s := api.get(f"/api/pages/{page['id']}/stats").json())["submissions"] == 1 and s)
    assert stats and stats["visits"] == 1 and stats["conversion_rate"] == 1.0
    # A form that is not published cannot be placed.
    draft = api.post(
        "/api/forms",
        json={
            "name": "Draft",
            "slug": unique_type("d").replace("_", "-"),
            "fields": [{"name": "email", "type": "email", "label": "Email", "required": True, "maps_to": "email"}],
            "settings": {},
        },
    )
    refused = api.patch(
        f"/api/pages/{page['id']}", json={"html": f'<div data-parcours-form="{draft.json()["id"]}">x</div>'}
    )
    assert refused.status_code == 422 and refused.json()["error"]["field"] == "html"


def test_visits_unique_visitors_sticky_variants_and_the_winner(api: Any) -> None:
    form = publish_form(api)
    block = f'<div data-parcours-form="{form["id"]}">Form</div>'
    page = create(api, html=f"<h1>Version A</h1>{block}")
    page = api.patch(
        f"/api/pages/{page['id']}",
        json={"variants": [{"key": "B", "name": "Short", "html": f"<h1>Version B</h1>{block}"}]},
    ).json()
    api.post(f"/api/pages/{page['id']}/publish")
    first = visit(api, page["slug"])
    cookie = first.cookies["parcours_aid"]
    seen_first = shown(first.text)[0]
    for _ in range(3):  # the same visitor sees the same variant each time
        again = visit(api, page["slug"], cookies={"parcours_aid": cookie})
        assert shown(again.text)[0] == seen_first and "parcours_aid" not in again.cookies
    visitors = [shown(visit(api, page["slug"]).text) for _ in range(40)]
    assert {v[0] for v in visitors} == {"A", "B"}  # new visitors are split
    assert len({v[2] for v in visitors}) == 40

    # Ten visitors of B fill the form, one of A: the form names each visitor, so its variant.
    wanted = {"B": 10, "A": 1}
    for variant, stamp, visitor in visitors:
        if wanted[variant]:
            wanted[variant] -= 1
            answer = api.post(
                f"/f/{form['slug']}",
                json={"email": unique_email("ab"), "_ts": stamp, "page_id": page["id"], "anonymous_id": visitor},
            )
            assert answer.status_code == 200, answer.text
    assert wanted == {"A": 0, "B": 0}

    def counted() -> dict[str, Any] | None:
        stats = api.get(f"/api/pages/{page['id']}/stats").json()
        return stats if stats["submissions"] == 11 else None

    stats = api.eventually(counted)
    assert stats, api.get(f"/api/pages/{page['id']}/stats").json()
    assert stats["visits"] == 44 and stats["unique_visitors"] == 41
    assert stats["conversion_rate"] == round(11 / 41, 4) and stats["days"][-1]["visits"] == 44
    arms = {v["key"]: v for v in stats["variants"]}
    assert arms["A"]["unique_visitors"] + arms["B"]["unique_visitors"] == 41
    assert arms["B"]["submissions"] == 10 and arms["A"]["submissions"] == 1
    assert stats["winner"]["key"] == "B" and stats["winner"]["significant"]
    assert api.get(f"/api/pages/{page['id']}/stats", params={"days": 0}).status_code == 400


def test_visits_and_visitors_over_several_days_and_periods(api: Any) -> None:
    """Views are counted per day and visitors by their last day: a visitor coming back the next day
    counts on both days but once over both; views of one visitor on one day count it once that day."""
    page = create(api, html="<h1>Version A</h1>")
    api.post(f"/api/pages/{page['id']}/publish")
    try:
        first = visit(api, page["slug"])
        returning = {"parcours_aid": first.cookies["parcours_aid"]}
        visit(api, page["slug"], cookies=returning)
        visit(api, page["slug"])  # a second visitor, that day only
        clock.advance(timedelta(days=1))
        visit(api, page["slug"], cookies=returning)
        third = visit(api, page["slug"])
        visit(api, page["slug"], cookies={"parcours_aid": third.cookies["parcours_aid"]})

        today = api.get(f"/api/pages/{page['id']}/stats", params={"days": 1}).json()
        both = api.get(f"/api/pages/{page['id']}/stats", params={"days": 2}).json()
        week = api.get(f"/api/pages/{page['id']}/stats", params={"days": 7}).json()
    finally:
        clock.reset()
    assert (today["visits"], today["unique_visitors"]) == (3, 2)
    assert [(d["visits"], d["unique_visitors"]) for d in today["days"]] == [(3, 2)]
    assert (both["visits"], both["unique_visitors"]) == (6, 3)
    assert [(d["visits"], d["unique_visitors"]) for d in both["days"]] == [(3, 2), (3, 2)]
    assert (week["visits"], week["unique_visitors"]) == (6, 3) and len(week["days"]) == 7
    assert [(v["key"], v["visits"], v["unique_visitors"]) for v in both["variants"]] == [("A", 6, 3)]


def test_views_of_one_visitor_at_once_count_it_once(api: Any) -> None:
    """Twenty views of one new visitor at the same time (PostgreSQL runs them together): twenty
    visits, one visitor."""
    page = create(api, html="<h1>Version A</h1>")
    api.post(f"/api/pages/{page['id']}/publish")
    visitor = "v" * 24

    async def view(session: Any) -> None:
        await visits.count_visit(session, page["id"], "A", visitor)

    async def all_at_once() -> None:
        sessions = api.app.state.runtime.sessions
        await asyncio.gather(*(retried(sessions, view) for _ in range(20)))

    api.blocking_portal.call(all_at_once)
    stats = api.get(f"/api/pages/{page['id']}/stats", params={"days": 1}).json()
    assert (stats["visits"], stats["unique_visitors"]) == (20, 1)
    assert [(d["visits"], d["unique_visitors"]) for d in stats["days"]] == [(20, 1)]


def test_views_recorded_before_the_migration_keep_their_figures(api: Any, database_url: str) -> None:
    """Views written one row each (before migration 0041) are counted into the days and visitors
    when the schema comes up again: the page's figures are what those views said."""
    page = create(api, html="<h1>Version A</h1>")
    api.post(f"/api/pages/{page['id']}/publish")
    database = Database(database_url)
    today = clock.now().date()
    views = [(1, "A", "first"), (1, "A", "first"), (1, "B", "second"), (0, "A", "first"), (0, "A", "third")]
    try:
        database.migrate("0040", down=True)
        for days_ago, variant, visitor in views:
            day = today - timedelta(days=days_ago)
            database.execute(
                "INSERT INTO landing_page_visits (page_id, variant, visitor, day, visited_at)"
                " VALUES (:page, :variant, :visitor, :day, :at)",
                page=page["id"],
                variant=variant,
                visitor=visitor,
                day=day,
                at=datetime.combine(day, time(12), UTC) + timedelta(minutes=len(visitor)),
            )
        database.migrate("head")
    finally:
        database.close()
    stats = api.get(f"/api/pages/{page['id']}/stats", params={"days": 2}).json()
    assert (stats["visits"], stats["unique_visitors"]) == (5, 3)
    assert [(d["visits"], d["unique_visitors"]) for d in stats["days"]] == [(3, 2), (2, 2)]
    assert [(v["key"], v["visits"], v["unique_visitors"]) for v in stats["variants"]] == [("A", 4, 2), ("B", 1, 1)]
    visit(api, page["slug"])  # and views go on being counted
    assert api.get(f"/api/pages/{page['id']}/stats", params={"days": 1}).json()["visits"] == 3
