"""Marketing spend through the real app: entries, the CSV import (all rows or none), the sums per
month and channel that ROI and acquisition cost read, paging, refusals and rights."""

from __future__ import annotations

from typing import Any


def _entries(api: Any, **query: Any) -> list[dict[str, Any]]:
    response = api.get("/api/marketing-spend", params={"limit": 500, **query})
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


def test_entries_add_up_by_month_and_channel(api: Any) -> None:
    for month, channel, amount in [("2031-01", "email", 100.0), ("2031-01", "social", 250.5), ("2031-02", "email", 80)]:
        made = api.post("/api/marketing-spend", json={"month": month, "channel": channel, "amount": amount})
        assert made.status_code == 201, made.text
        assert made.json()["created_by"]
    summary = api.get("/api/marketing-spend/summary", params={"first": "2031-01", "last": "2031-02"}).json()
    assert summary["total"] == 430.5
    assert summary["by_channel"] == {"email": 180.0, "social": 250.5}
    assert [(m["month"], m["total"]) for m in summary["months"]] == [("2031-01", 350.5), ("2031-02", 80.0)]
    # Newest month first; the filters narrow the list.
    listed = _entries(api, first="2031-01", last="2031-02")
    assert [e["month"] for e in listed] == ["2031-02", "2031-01", "2031-01"]
    assert [e["amount"] for e in _entries(api, first="2031-01", last="2031-02", channel="social")] == [250.5]
    # Deleting one entry changes the sums.
    social = next(e for e in listed if e["channel"] == "social")
    assert api.delete(f"/api/marketing-spend/{social['id']}").status_code == 204
    assert (
        api.get("/api/marketing-spend/summary", params={"first": "2031-01", "last": "2031-01"}).json()["total"] == 100
    )
    assert api.delete(f"/api/marketing-spend/{social['id']}").status_code == 404


def test_pages_follow_the_cursor(api: Any) -> None:
    for n in range(5):
        api.post("/api/marketing-spend", json={"month": f"2032-0{n + 1}", "channel": "print", "amount": n})
    seen: list[int] = []
    cursor = None
    while True:
        query: dict[str, Any] = {"first": "2032-01", "last": "2032-12", "limit": 2}
        if cursor:
            query["cursor"] = cursor
        page = api.get("/api/marketing-spend", params=query).json()
        assert page["total"] == 5
        seen += [e["amount"] for e in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [4, 3, 2, 1, 0]


def test_a_csv_import_adds_every_row_or_none(api: Any) -> None:
    good = '\ufeffMonth,Channel,Amount,Note\n2033-03,paid_search,"1 200,50",Spring campaign\n\n2033-04,events,300,\n'
    imported = api.post("/api/marketing-spend/import", json={"csv": good})
    assert imported.status_code == 201, imported.text
    assert imported.json() == {"added": 2}
    assert {(e["channel"], e["amount"], e["note"]) for e in _entries(api, first="2033-01", last="2033-12")} == {
        ("paid_search", 1200.5, "Spring campaign"),
        ("events", 300.0, ""),
    }
    bad = "month,channel,amount\n2034-01,email,10\n2034-13,email,10\n"
    refused = api.post("/api/marketing-spend/import", json={"csv": bad})
    assert refused.status_code == 400
    assert refused.json()["error"]["field"] == "csv"
    assert "Line 3" in refused.json()["error"]["message"]
    assert _entries(api, first="2034-01", last="2034-12") == []
    no_header = api.post("/api/marketing-spend/import", json={"csv": "2034-01,email,10\n"})
    assert no_header.status_code == 400 and "month, channel and amount" in no_header.json()["error"]["message"]


def test_bad_input_is_refused_naming_the_field(api: Any) -> None:
    cases = [
        ({"month": "2026-13", "channel": "email", "amount": 1}, "month"),
        ({"month": "2026-11", "channel": "", "amount": 1}, "channel"),
        ({"month": "2026-11", "channel": "email", "amount": -5}, "amount"),
        ({"month": "2026-11", "channel": "email", "amount": 1, "color": "red"}, "color"),
    ]
    for body, field in cases:
        response = api.post("/api/marketing-spend", json=body)
        assert response.status_code == 400, (body, response.text)
        assert field in (response.json()["error"].get("field") or response.json()["error"]["message"]), response.text
    wrong_order = api.get("/api/marketing-spend", params={"first": "2026-12", "last": "2026-01"})
    assert wrong_order.status_code == 400 and wrong_order.json()["error"]["field"] == "first"


def test_viewers_read_spend_and_cannot_change_it(api: Any) -> None:
    viewer = api.new_key("viewer")
    assert api.get("/api/marketing-spend", headers=api.as_key(viewer)).status_code == 200
    refused = api.post(
        "/api/marketing-spend", json={"month": "2026-11", "channel": "email", "amount": 1}, headers=api.as_key(viewer)
    )
    assert refused.status_code == 403
