"""A marketer starts from a template, edits it by drag and drop and in code without losing
anything, previews it on mobile as a contact, runs an A/B test on the subject to a segment,
sees the messages, opens and clicks and the winner; the unsubscribe link works in one click."""

import re
import time
from typing import Any

import httpx
from playwright.sync_api import Page, expect

from e2e.conftest import create_contact, wait_for


def drag_block(page: Page, block: str) -> None:
    """GrapesJS follows the mouse: move in small, paced steps from the block into the canvas."""
    page.get_by_test_id("designer").evaluate("element => element.scrollIntoView()")
    source = page.get_by_test_id(f"designer-block-{block}").bounding_box()
    canvas = page.get_by_test_id("designer-canvas").bounding_box()
    assert source and canvas
    x0, y0 = source["x"] + source["width"] / 2, source["y"] + source["height"] / 2
    x1, y1 = canvas["x"] + canvas["width"] / 2, canvas["y"] + 250
    page.mouse.move(x0, y0)
    page.mouse.down()
    for step in range(1, 21):
        page.mouse.move(x0 + (x1 - x0) * step / 20, y0 + (y1 - y0) * step / 20)
        page.wait_for_timeout(20)
    page.mouse.move(x1 + 2, y1 + 1)
    page.wait_for_timeout(100)
    page.mouse.up()


def test_design_test_and_send_an_ab_campaign(page: Page, api: httpx.Client, server: Any) -> None:
    stamp = time.monotonic_ns()
    readers = [
        create_contact(
            api,
            email=f"reader{i}.{stamp}@example.org",
            first_name=f"Reader{i}",
            email_opt_in=True,
            consent_level="marketing",
        )
        for i in range(12)
    ]
    lina = create_contact(
        api, email=f"lina.{stamp}@example.org", first_name="Lina", email_opt_in=True, consent_level="marketing"
    )
    segment = api.post("/api/segments", json={"name": f"Spring readers {stamp}", "kind": "static"}).json()
    api.post(f"/api/segments/{segment['id']}/members", json={"contact_ids": [c["id"] for c in readers + [lina]]})

    page.goto("/emails")
    page.get_by_test_id("emails-new").click()
    page.get_by_test_id("template-newsletter").click()
    page.get_by_test_id("email-name").fill(f"Spring letter {stamp}")
    page.get_by_test_id("email-from-name").fill("Parcours")
    page.get_by_test_id("email-from-email").fill("news@example.fr")
    page.get_by_test_id("email-create").click()
    expect(page.get_by_test_id("designer-canvas")).to_be_visible(timeout=20_000)
    email_id = int(re.search(r"/emails/(\d+)", page.url).group(1))

    # Drag and drop a block, then undo and redo it.
    page.get_by_test_id("designer-block-event_card").wait_for()
    drag_block(page, "event_card")
    wait_for(lambda: "{{ event.name }}" in api.get(f"/api/emails/{email_id}").json()["mjml"])
    page.get_by_test_id("editor-undo").click()
    wait_for(lambda: "{{ event.name }}" not in api.get(f"/api/emails/{email_id}").json()["mjml"])
    page.get_by_test_id("editor-redo").click()
    wait_for(lambda: "{{ event.name }}" in api.get(f"/api/emails/{email_id}").json()["mjml"])

    # Edit in code; the design follows and nothing is lost across a reload.
    page.get_by_test_id("editor-tab-code").click()
    code = page.get_by_test_id("editor-code")
    code.fill(code.input_value().replace("Five habits", "Six habits"))
    page.get_by_test_id("editor-code-apply").click()
    wait_for(lambda: "Six habits" in api.get(f"/api/emails/{email_id}").json()["html"])
    page.reload()
    expect(page.frame_locator("iframe.gjs-frame").first.get_by_text("Six habits", exact=False)).to_be_visible(
        timeout=20_000
    )
    assert "{{ event.name }}" in api.get(f"/api/emails/{email_id}").json()["mjml"]

    # Preview on mobile as a chosen contact.
    page.get_by_test_id("editor-tab-preview").click()
    page.get_by_test_id("preview-device").get_by_text("Mobile").click()
    page.get_by_test_id("contact-picker").fill("lina")
    page.get_by_role("option", name=re.compile("Lina")).click()
    expect(page.frame_locator("[data-testid=preview-frame]").get_by_text("Hello Lina", exact=False)).to_be_visible()
    assert page.get_by_test_id("preview-frame").evaluate("e => e.clientWidth") == 375

    # An A/B test on the subject, sent to the segment.
    page.get_by_test_id("editor-send").click()
    page.get_by_test_id("campaign-segments").click()
    page.get_by_role("option", name=re.compile(f"Spring readers {stamp}")).click()
    page.keyboard.press("Escape")
    page.get_by_test_id("campaign-ab").check()
    page.get_by_test_id("ab-variant-A").fill("Spring news")
    page.get_by_test_id("ab-variant-B").fill("Six habits inside")
    page.get_by_test_id("ab-sample").fill("50")
    page.get_by_test_id("campaign-send").click()
    expect(page.get_by_test_id("audience-receiving")).to_contain_text("will receive it")
    page.get_by_test_id("audience-confirm").click()
    expect(page.get_by_test_id("campaign-status")).to_have_text("A/B testing", timeout=20_000)
    campaign_id = int(re.search(r"/campaigns/(\d+)", page.url).group(1))

    # Readers of variant B open and click: B wins when the marketer picks the winner.
    def sent_b() -> list[dict[str, Any]]:
        items = api.get("/api/outbox", params={"campaign_id": campaign_id, "limit": 100}).json()["items"]
        return [m for m in items if m["variant"] == "B" and m["status"] == "captured"]

    for message in wait_for(sent_b):
        html = api.get(f"/api/outbox/{message['id']}").json()["html"]
        for path in re.findall(r'http://127\.0\.0\.1:\d+(/t/[oc]/[^"]+)', html)[:2]:
            api.get(path.replace("&amp;", "&"), follow_redirects=False)
    expect(page.get_by_test_id("stat-opens")).not_to_have_text(re.compile(r"^0 "), timeout=15_000)
    page.get_by_test_id("campaign-decide").click()
    expect(page.get_by_test_id("campaign-winner")).to_contain_text("Variant B won", timeout=15_000)
    expect(page.get_by_test_id("campaign-status")).to_have_text("Sent", timeout=30_000)
    expect(page.get_by_test_id("variant-row-B")).to_be_visible()

    # The Outbox shows every message; its unsubscribe link works in one click.
    page.get_by_test_id("emails-tab-outbox").click()
    page.get_by_test_id("outbox-search").fill(f"lina.{stamp}")
    row = page.locator("[data-testid^=outbox-row-]").filter(has_text=f"lina.{stamp}").first  # once the search applies
    row.click()
    expect(page.get_by_test_id("outbox-html")).to_be_visible()
    message_id = int(row.get_attribute("data-testid").rsplit("-", 1)[1])
    headers = dict(api.get(f"/api/outbox/{message_id}").json()["headers"])
    unsubscribe = headers["List-Unsubscribe"].strip().strip("<>")
    page.goto(unsubscribe)
    page.get_by_test_id("unsubscribe-confirm").click()
    expect(page.get_by_test_id("unsubscribe-done")).to_contain_text("unsubscribed")
    assert api.get(f"/api/contacts/{lina['id']}").json()["unsubscribed"] is True
