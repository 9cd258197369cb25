from datetime import UTC, date, datetime
from typing import Any

from parcours.interactions.batch import Stored
from parcours.reports.rollups import increments

AT = datetime(2026, 5, 4, 23, 30, tzinfo=UTC)
DAY = date(2026, 5, 4)
JOURNEY_EMAIL = {"email_id": 7, "campaign_id": None, "variant": None, "message_id": 1, "journey_id": 3, "node_id": "n1"}
CAMPAIGN_EMAIL = {"email_id": 8, "campaign_id": 2, "variant": "B", "message_id": 2}


def row(i: int, kind: str, **properties: Any) -> Stored:
    return Stored(id=i, contact_id=1, type=kind, occurred_at=AT, properties=properties)


def test_an_email_event_counts_for_its_email_journey_and_step() -> None:
    found = increments([row(1, "email_sent", **JOURNEY_EMAIL), row(2, "email_sent", **CAMPAIGN_EMAIL)])
    assert found == {
        (DAY, "email", "7", "sent"): 1,
        (DAY, "journey", "3", "sent"): 1,
        (DAY, "node", "3:n1", "sent"): 1,
        (DAY, "email", "8", "sent"): 1,
        (DAY, "campaign", "2", "sent"): 1,
        (DAY, "variant", "8:B", "sent"): 1,
    }


def test_firsts_make_unique_figures_and_machines_stay_out_of_human_ones() -> None:
    found = increments(
        [
            row(1, "email_opened", **CAMPAIGN_EMAIL, machine=True, first_open=True),
            row(
                2,
                "email_clicked",
                **CAMPAIGN_EMAIL,
                machine=False,
                first_click=True,
                first_human_open=True,
                first_human_click=True,
            ),
            row(3, "email_opened", **CAMPAIGN_EMAIL, machine=False),
            row(4, "email_bounced", **CAMPAIGN_EMAIL, hard=False),
        ]
    )
    email = {m: v for (d, s, i, m), v in found.items() if s == "email"}
    assert email == {
        "opens": 2,
        "unique_opens": 1,
        "unique_opens_human": 1,
        "clicks": 1,
        "unique_clicks": 1,
        "unique_clicks_human": 1,
        "bounced_soft": 1,
    }


def test_purchases_go_to_the_clicks_credited_and_forms_journeys_sources_count() -> None:
    found = increments(
        [
            row(1, "purchase", amount=40.5),
            row(2, "form_submitted", form_id=5, page_id=9, new_contact=True),
            row(3, "contact_created", source="webinar"),
            row(4, "journey_step", journey_id=3, node_id="e", node_type="entry.segment"),
            row(5, "journey_converted", journey_id=3),
            row(6, "purchase", amount=10),  # no click before: credited to nobody
        ],
        {1: (JOURNEY_EMAIL, CAMPAIGN_EMAIL), 2: (JOURNEY_EMAIL, JOURNEY_EMAIL)},
    )
    assert found[(DAY, "email", "7", "revenue")] == 40.5 and found[(DAY, "email", "8", "revenue_first_touch")] == 40.5
    assert (DAY, "email", "8", "revenue") not in found
    assert found[(DAY, "form", "5", "leads")] == found[(DAY, "page", "9", "submissions")] == 1
    assert found[(DAY, "journey", "3", "submissions")] == found[(DAY, "journey", "3", "leads")] == 1
    assert found[(DAY, "source", "webinar", "leads")] == 1
    assert found[(DAY, "journey", "3", "entered")] == found[(DAY, "journey", "3", "conversions")] == 1
