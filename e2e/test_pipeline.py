"""A marketer reads the lead pipeline: leads sit in the column of their stage with a count per
column, a lead dragged to another column changes stage (and a move the funnel refuses is put back
with the reason), and the inbound/outbound filter changes what is counted."""

import re
import time
from typing import Any

import httpx
from playwright.sync_api import Page, expect

from e2e.conftest import create_contact


def counts(api: httpx.Client, origin: str | None = None) -> dict[str, int]:
    response = api.get("/api/pipeline", params={"origin": origin} if origin else {})
    assert response.status_code == 200, response.text
    return {row["stage"]: row["count"] for row in response.json()["stages"]}


def stage_of(api: httpx.Client, contact_id: int, wanted: str, timeout: float = 10) -> str:
    """The contact's stage once it is `wanted` (the board moves a card before its save returns)."""
    deadline = time.monotonic() + timeout
    while True:
        stage = str(api.get(f"/api/contacts/{contact_id}").json()["lifecycle_stage"])
        if stage == wanted or time.monotonic() > deadline:
            return stage
        time.sleep(0.1)


def drag(page: Page, card_test_id: str, column_test_id: str) -> None:
    """Press on a card, move in small steps (the board waits for a few pixels before a drag
    starts), and release over the column, as a hand with a mouse does."""
    column = page.get_by_test_id(column_test_id)
    column.scroll_into_view_if_needed()
    card = page.get_by_test_id(card_test_id)
    start = card.bounding_box()
    assert start is not None
    page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] - 6)
    page.mouse.down()
    end = column.bounding_box()
    assert end is not None
    page.mouse.move(start["x"] + start["width"] / 2 + 10, start["y"] + start["height"] - 6, steps=5)
    page.mouse.move(end["x"] + end["width"] / 2, end["y"] + 60, steps=15)
    expect(column).to_have_attribute("data-over", "yes")
    page.mouse.up()


def lead(api: httpx.Client, name: str, stage: str, origin: str | None, **fields: Any) -> dict[str, Any]:
    stamp = time.monotonic_ns()
    return create_contact(
        api,
        email=f"{name.lower()}.{stamp}@example.org",
        first_name=name,
        last_name="Pipeline",
        lifecycle_stage=stage,
        lead_origin=origin,
        **fields,
        lead_origin_detail="form: Newsletter" if origin == "inbound" else "import: fairs.csv",
    )


def test_leads_sit_in_their_column_and_a_dragged_lead_changes_stage(page: Page, api: httpx.Client) -> None:
    anna = lead(api, "Anna", "lead", "inbound", job_title="Head of Growth")
    boris = lead(api, "Boris", "lead", "outbound")
    expected = counts(api)
    best = 0.0
    for _ in range(100):  # the shipped demographic model scores her title within moments
        best = max([s["score"] for s in api.get(f"/api/contacts/{anna['id']}/scores").json()] or [0])
        if best >= 15:
            break
        time.sleep(0.1)
    assert best >= 15

    page.goto("/pipeline")
    expect(page.get_by_test_id("pipeline-column-lead").get_by_test_id(f"lead-card-{anna['id']}")).to_be_visible()
    expect(page.get_by_test_id("pipeline-column-lead").get_by_test_id(f"lead-card-{boris['id']}")).to_be_visible()
    expect(page.get_by_test_id(f"lead-card-{anna['id']}")).to_contain_text("Anna Pipeline")
    expect(page.get_by_test_id(f"lead-card-{anna['id']}").get_by_test_id("lead-card-origin")).to_have_text("Inbound")
    expect(page.get_by_test_id(f"lead-card-{anna['id']}").get_by_test_id("lead-card-score")).to_contain_text(
        f"{best:g} pts"
    )
    for stage, count in expected.items():
        expect(page.get_by_test_id(f"pipeline-count-{stage}")).to_have_text(str(count))

    drag(page, f"lead-card-{anna['id']}", "pipeline-column-marketing_qualified")
    expect(
        page.get_by_test_id("pipeline-column-marketing_qualified").get_by_test_id(f"lead-card-{anna['id']}")
    ).to_be_visible()
    expect(page.get_by_test_id("pipeline-count-lead")).to_have_text(str(expected["lead"] - 1))
    expect(page.get_by_test_id("pipeline-count-marketing_qualified")).to_have_text(
        str(expected["marketing_qualified"] + 1)
    )
    assert stage_of(api, anna["id"], "marketing_qualified") == "marketing_qualified"
    assert counts(api)["marketing_qualified"] == expected["marketing_qualified"] + 1

    # The card links to the contact, who shows the same stage.
    page.get_by_test_id(f"lead-card-{anna['id']}").get_by_test_id("lead-card-link").click()
    expect(page).to_have_url(re.compile(rf"/contacts/{anna['id']}$"))
    expect(page.get_by_test_id("contact-stage-badge")).to_have_text("Marketing qualified")


def test_a_move_the_funnel_refuses_is_put_back_with_the_reason(page: Page, api: httpx.Client) -> None:
    carla = lead(api, "Carla", "opportunity", "outbound")
    before = counts(api)

    page.goto("/pipeline")
    expect(page.get_by_test_id(f"lead-card-{carla['id']}")).to_be_visible()
    drag(page, f"lead-card-{carla['id']}", "pipeline-column-sales_accepted")
    expect(page.get_by_test_id("pipeline-error")).to_be_visible()
    expect(page.get_by_test_id("pipeline-error")).to_contain_text("Carla")
    expect(page.get_by_test_id("pipeline-error")).to_contain_text("opportunity")
    expect(
        page.get_by_test_id("pipeline-column-opportunity").get_by_test_id(f"lead-card-{carla['id']}")
    ).to_be_visible()
    expect(page.get_by_test_id("pipeline-count-opportunity")).to_have_text(str(before["opportunity"]))
    expect(page.get_by_test_id("pipeline-count-sales_accepted")).to_have_text(str(before["sales_accepted"]))
    assert api.get(f"/api/contacts/{carla['id']}").json()["lifecycle_stage"] == "opportunity"


def test_the_origin_filter_changes_the_counts_and_the_cards(page: Page, api: httpx.Client) -> None:
    inbound = lead(api, "Dora", "sales_ready", "inbound")
    outbound = lead(api, "Emil", "sales_ready", "outbound")

    page.goto("/pipeline")
    column = page.get_by_test_id("pipeline-column-sales_ready")
    expect(column.get_by_test_id(f"lead-card-{inbound['id']}")).to_be_visible()
    expect(column.get_by_test_id(f"lead-card-{outbound['id']}")).to_be_visible()
    expect(page.get_by_test_id("pipeline-count-sales_ready")).to_have_text(str(counts(api)["sales_ready"]))

    page.get_by_test_id("pipeline-origin").get_by_text("Inbound", exact=True).click()
    inbound_counts = counts(api, "inbound")
    expect(page.get_by_test_id("pipeline-count-sales_ready")).to_have_text(str(inbound_counts["sales_ready"]))
    expect(column.get_by_test_id(f"lead-card-{inbound['id']}")).to_be_visible()
    expect(column.get_by_test_id(f"lead-card-{outbound['id']}")).to_have_count(0)

    page.get_by_test_id("pipeline-origin").get_by_text("Outbound", exact=True).click()
    outbound_counts = counts(api, "outbound")
    expect(page.get_by_test_id("pipeline-count-sales_ready")).to_have_text(str(outbound_counts["sales_ready"]))
    expect(column.get_by_test_id(f"lead-card-{outbound['id']}")).to_be_visible()
    expect(column.get_by_test_id(f"lead-card-{inbound['id']}")).to_have_count(0)
    assert inbound_counts["sales_ready"] + outbound_counts["sales_ready"] <= counts(api)["sales_ready"]
