"""RFM through the real app: the recompute job over purchases (quintiles on a known set, an order
posted twice, the period), the fields in segments (SQL fill and real-time evaluation agree), the
contact's explanation, presets and rights. The module's database holds only these contacts."""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec
import pytest

from parcours.rfm.core import Measures, score_customers
from tests.conftest import signed_in
from tests.factories import unique_email

NOW = dt.datetime.now(dt.UTC)
# (days since the last purchase, orders in the last 365 days, amount of each order)
CUSTOMERS = [
    (10, 1, 30.0),
    (20, 1, 500.0),
    (30, 1, 20.0),
    (40, 1, 40.0),
    (50, 1, 50.0),
    (60, 1, 60.0),
    (70, 2, 35.0),
    (80, 2, 45.0),
    (90, 3, 25.0),
    (100, 9, 15.0),
]


def ago(days: float) -> str:
    return (NOW - dt.timedelta(days=days)).isoformat()


def purchase(contact_id: int, days: float, amount: float, order_id: str | None = None) -> dict[str, Any]:
    properties: dict[str, Any] = {"amount": amount, "currency": "EUR", "category": "shoes"}
    if order_id is not None:
        properties["order_id"] = order_id
    return {"type": "purchase", "contact_id": contact_id, "occurred_at": ago(days), "properties": properties}


def recompute(api: Any) -> dict[str, Any]:
    response = api.post("/api/rfm/recompute")
    assert response.status_code == 202, response.text
    job = api.wait_job(response.json()["job_id"])
    assert job["status"] == "done", job
    return job


def rfm_of(api: Any, contact_id: int) -> dict[str, Any]:
    response = api.get(f"/api/rfm/contacts/{contact_id}")
    assert response.status_code == 200, response.text
    return dict(response.json())


@pytest.fixture(scope="module")
def base(api: Any) -> dict[str, Any]:
    """Ten customers of CUSTOMERS, one who bought only before the period, one who never bought."""
    made = [api.post("/api/contacts", json={"email": unique_email("rfm")}).json()["id"] for _ in range(12)]
    customers, lapsed, prospect = made[:10], made[10], made[11]
    batch = []
    for cid, (days, orders, amount) in zip(customers, CUSTOMERS, strict=True):
        batch += [purchase(cid, days + 2 * k, amount, order_id=f"{cid}-{k}") for k in range(orders)]
    # The first customer's last order arrives twice (a shop that re-sends): it counts once.
    batch.append(purchase(customers[0], 10, 30.0, order_id=f"{customers[0]}-0"))
    # The last customer's big order 400 days ago is outside the period: frequency and monetary ignore it.
    batch.append(purchase(customers[9], 400, 10_000.0))
    batch.append(purchase(lapsed, 500, 80.0))
    batch.append({"type": "page_visited", "contact_id": prospect, "properties": {"url": "https://shop.example/"}})
    response = api.post("/api/interactions", json={"batch": batch})
    assert response.status_code in (200, 202), response.text
    first = recompute(api)
    return {"customers": customers, "lapsed": lapsed, "prospect": prospect, "first": first}


def expected_scores(base: dict[str, Any], period_days: int = 365) -> dict[int, Any]:
    measures = {
        cid: Measures(
            days=days,
            orders=sum(1 for k in range(orders) if days + 2 * k < period_days),
            revenue=sum(amount for k in range(orders) if days + 2 * k < period_days),
        )
        for cid, (days, orders, amount) in zip(base["customers"], CUSTOMERS, strict=True)
    }
    measures[base["lapsed"]] = Measures(days=500, orders=0, revenue=0.0)
    return score_customers(measures)


def test_quintiles_among_customers_match_the_core(api: Any, base: dict[str, Any]) -> None:
    result = base["first"]["result"]
    assert result["kind"] == "rfm_recompute" and result["customers"] == 11 and result["changed"] == 11
    expected = expected_scores(base)
    for cid, scores in expected.items():
        got = rfm_of(api, cid)
        assert (got["recency"], got["frequency"], got["monetary"]) == (
            scores.recency,
            scores.frequency,
            scores.monetary,
        ), cid
        assert got["score"] == scores.score and got["segment"] == scores.group
    first, big_spender, heavy = base["customers"][0], base["customers"][1], base["customers"][9]
    # The most recent buyer is R5; the 500 spender the top monetary; nine orders the top frequency.
    assert rfm_of(api, first)["recency"] == 5 and rfm_of(api, big_spender)["monetary"] == 5
    assert rfm_of(api, heavy)["frequency"] == 5
    # Who bought only 500 days ago is still a customer, ranked last on every score.
    lapsed = rfm_of(api, base["lapsed"])
    assert lapsed["score"] == "111" and lapsed["segment"] == "lost"
    assert lapsed["measures"] == {"days": 500, "orders": 0, "revenue": 0.0}


def test_an_order_posted_twice_counts_once(api: Any, base: dict[str, Any]) -> None:
    first = rfm_of(api, base["customers"][0])
    assert first["measures"] == {"days": 10, "orders": 1, "revenue": 30.0}
    # With the copy counted it would have two orders, tied with the 7th and 8th customers (F=4).
    assert first["frequency"] == 1


def test_purchases_before_the_period_count_for_recency_only(api: Any, base: dict[str, Any]) -> None:
    heavy = rfm_of(api, base["customers"][9])
    assert heavy["measures"] == {"days": 100, "orders": 9, "revenue": 135.0}
    assert heavy["run"]["period_days"] == 365


def test_non_customers_have_empty_fields(api: Any, base: dict[str, Any]) -> None:
    prospect = rfm_of(api, base["prospect"])
    assert [prospect[k] for k in ("recency", "frequency", "monetary", "score", "segment", "measures")] == [None] * 6


def test_the_run_records_what_each_score_covered(api: Any, base: dict[str, Any]) -> None:
    run = api.get("/api/rfm").json()["last_run"]
    assert run["customers"] == 11 and run["period_days"] == 365
    recency = {r["score"]: (r["low"], r["high"]) for r in run["ranges"]["recency"]}
    assert recency[1][1] == 500 and recency[5][0] == 10
    assert sorted(run["ranges"]) == ["frequency", "monetary", "recency"]


def test_a_recompute_with_nothing_new_changes_nothing(api: Any, base: dict[str, Any]) -> None:
    assert recompute(api)["result"]["changed"] == 0


def test_a_shorter_period_is_a_setting_and_segments_follow_a_recompute(
    api: Any, app_settings: Any, base: dict[str, Any]
) -> None:
    def frequent(period_days: int) -> list[int]:
        return sorted(cid for cid, s in expected_scores(base, period_days).items() if s.frequency >= 4)

    response = api.post(
        "/api/segments", json={"kind": "dynamic", "name": "Frequent", "rule": "(rfm_frequency ?? 0) >= 4"}
    )
    segment_id = response.json()["id"]

    def members() -> list[int]:
        page = api.get(f"/api/segments/{segment_id}/members", params={"limit": 100}).json()
        return sorted(c["id"] for c in page["items"])

    assert frequent(30) != frequent(365)
    assert api.eventually(lambda: members() == frequent(365)), members()
    # Same database, the product started again with a 30-day period.
    with signed_in(msgspec.structs.replace(app_settings, rfm_period_days=30)) as short:
        assert short.get("/api/rfm").json()["period_days"] == 30
        recompute(short)
        expected = expected_scores(base, period_days=30)
        for cid, scores in expected.items():
            assert rfm_of(short, cid)["score"] == scores.score, cid
        assert rfm_of(short, base["customers"][9])["measures"]["orders"] == 0
        assert short.eventually(lambda: members() == frequent(30)), members()
    recompute(api)
    assert rfm_of(api, base["customers"][9])["measures"]["orders"] == 9
    assert api.eventually(lambda: members() == frequent(365)), members()


def test_a_segment_on_rfm_fields_agrees_in_sql_and_in_real_time(api: Any, base: dict[str, Any]) -> None:
    expected = expected_scores(base)
    rule = '(rfm_recency ?? 0) >= 4 or rfm_segment in ["lost", "at_risk"] or rfm_score == "111"'
    wanted = sorted(
        cid for cid, s in expected.items() if s.recency >= 4 or s.group in ("lost", "at_risk") or s.score == "111"
    )
    assert 0 < len(wanted) < 11
    response = api.post("/api/segments", json={"kind": "dynamic", "name": "RFM mix", "rule": rule})
    assert response.status_code == 201, response.text
    segment_id = response.json()["id"]

    def members() -> list[int]:
        page = api.get(f"/api/segments/{segment_id}/members", params={"limit": 100}).json()
        return sorted(c["id"] for c in page["items"])

    assert api.eventually(lambda: members() == wanted), members()
    # An interaction on every contact has each judged again in memory: nobody moves.
    everyone = [*base["customers"], base["lapsed"], base["prospect"]]
    batch = [
        {"type": "page_visited", "contact_id": cid, "properties": {"url": "https://x.example/"}} for cid in everyone
    ]
    api.post("/api/interactions", json={"batch": batch})
    assert api.eventually(
        lambda: all(
            api.get(f"/api/contacts/{cid}/interactions", params={"type": "page_visited"}).json()["items"]
            for cid in everyone
        )
    )
    preview = api.post("/api/segments/preview", json={"rule": rule}).json()
    assert preview["count"] == len(wanted)
    assert members() == wanted


def test_rfm_fields_are_listed_for_rules_with_their_groups(api: Any) -> None:
    fields = {f["name"]: f for f in api.get("/api/rules/fields").json()}
    assert fields["rfm_recency"]["type"] == "number" and fields["rfm_recency"]["group"] == "rfm"
    assert fields["rfm_score"]["type"] == "string"
    labels = {c["value"]: c["label_fr"] for c in fields["rfm_segment"]["choices"]}
    assert labels["cant_lose_them"] == "À ne pas perdre" and len(labels) == 11


def test_presets_create_segments_of_the_main_groups(api: Any, base: dict[str, Any]) -> None:
    presets = {p["key"]: p for p in api.get("/api/segments/presets").json()}
    assert {"rfm-champions", "rfm-loyal", "rfm-at-risk", "rfm-cant-lose-them", "rfm-lost"} <= set(presets)
    response = api.post("/api/segments/presets/rfm-lost")
    assert response.status_code == 201, response.text
    segment_id = response.json()["id"]
    lost = sorted(cid for cid, s in expected_scores(base).items() if s.group == "lost")
    assert api.eventually(
        lambda: (
            sorted(
                c["id"] for c in api.get(f"/api/segments/{segment_id}/members", params={"limit": 100}).json()["items"]
            )
            == lost
        )
    )


def test_rights_and_unknown_contacts(api: Any) -> None:
    viewer = api.new_key("viewer")
    refused = api.post("/api/rfm/recompute", headers=api.as_key(viewer))
    assert refused.status_code == 403
    assert api.get("/api/rfm", headers=api.as_key(viewer)).status_code == 200
    missing = api.get("/api/rfm/contacts/999999999")
    assert missing.status_code == 404 and missing.json()["error"]["field"] == "contact_id"
