"""A marketer reads the email results: people only or everything (a privacy proxy's open apart),
opens one email, sees its click map and downloads it as CSV."""

import re
import time
import uuid

import httpx
from playwright.sync_api import Page, expect

from e2e.conftest import create_contact, wait_for

MJML = (
    "<mjml><mj-body><mj-section><mj-column><mj-text>Hi</mj-text>"
    '<mj-button href="https://shop.example.fr/spring">Shop</mj-button></mj-column></mj-section></mj-body></mjml>'
)
HUMAN = {"user-agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120 Safari/537.36"}
PROXY = {"user-agent": "Mozilla/5.0 (via ggpht.com GoogleImageProxy)"}


def test_email_results_people_or_all_then_one_email(page: Page, api: httpx.Client) -> None:
    stamp = uuid.uuid4().hex[:6]
    people = [
        create_contact(api, email=f"{n}.{stamp}@gmail.com", email_opt_in=True, consent_level="marketing")
        for n in ("ana", "ben")
    ]
    segment = api.post("/api/segments", json={"name": f"Results {stamp}", "kind": "static"}).json()
    api.post(f"/api/segments/{segment['id']}/members", json={"contact_ids": [p["id"] for p in people]})
    email = api.post(
        "/api/emails",
        json={
            "name": f"Spring {stamp}",
            "subject": "Hi",
            "from_name": "P",
            "from_email": "news@example.fr",
            "mjml": MJML,
        },
    ).json()
    campaign = api.post("/api/campaigns", json={"email_id": email["id"], "segment_ids": [segment["id"]]}).json()
    messages = wait_for(
        lambda: (
            [
                m
                for m in api.get("/api/outbox", params={"campaign_id": campaign["id"]}).json()["items"]
                if m["status"] == "captured"
            ]
            if len(api.get("/api/outbox", params={"campaign_id": campaign["id"]}).json()["items"]) == 2
            else None
        )
    )
    links = {}
    for message in messages:
        html = api.get(f"/api/outbox/{message['id']}").json()["html"]
        links[message["contact_id"]] = re.findall(r'http://127\.0\.0\.1:\d+(/t/[oc]/[^"]+)', html)
    pixel = next(p for p in links[people[0]["id"]] if p.startswith("/t/o/"))
    api.get(pixel.replace("&amp;", "&"), headers=PROXY)  # a privacy proxy fetches Ana's images
    time.sleep(6)  # Ben reads it later, and clicks
    for path in links[people[1]["id"]]:
        api.get(path.replace("&amp;", "&"), headers=HUMAN, follow_redirects=False)

    counted = wait_for(
        lambda: (f := api.get(f"/api/reports/emails/{email['id']}").json()["figures"])["unique_clicks"] == 1 and f
    )
    assert (counted["unique_opens"], counted["unique_opens_human"]) == (2, 1)

    page.goto("/reports/emails")
    opens = page.get_by_test_id(f"email-opens-{email['id']}")
    expect(opens).to_have_text("1", timeout=20_000)  # people only: Ben
    page.get_by_test_id("human-switch").click()
    expect(opens).to_have_text("2")  # everything: the proxy's open too
    expect(page.get_by_test_id("report-as-of")).to_contain_text("Data as of")

    page.get_by_test_id(f"email-link-{email['id']}").click()
    expect(page.get_by_test_id("email-report")).to_be_visible()
    expect(page.get_by_test_id("email-figure-unique_opens_machine")).to_contain_text("1")
    expect(page.get_by_test_id("email-links")).to_contain_text("https://shop.example.fr/spring")
    with page.expect_download() as download:
        page.get_by_test_id("email-links-csv").click()
    assert download.value.suggested_filename.startswith(f"email-{email['id']}-links")
    with open(download.value.path(), encoding="utf-8-sig") as file:
        content = file.read()
    assert "https://shop.example.fr/spring,1,1,1" in content

    # The figures say where they come from; limited to a segment, from its members' own rows.
    expect(page.get_by_test_id("report-source")).to_have_attribute("data-source", "rollups")
    expect(page.get_by_test_id("report-attribution-days")).to_contain_text("7 days")
    page.goto(f"/reports/emails/{email['id']}?segment_id={segment['id']}")
    expect(page.get_by_test_id("report-source")).to_have_attribute("data-source", "raw")
    expect(page.get_by_test_id("email-figure-sent")).to_contain_text("2")
    expect(page.get_by_test_id("email-links")).to_contain_text("https://shop.example.fr/spring")
