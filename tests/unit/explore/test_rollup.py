"""What a batch of interactions adds to the daily counts by type (pure)."""

from __future__ import annotations

import datetime as dt

from parcours.explore.rollup import counts
from parcours.interactions.batch import Stored


def stored(id_: int, kind: str, at: dt.datetime) -> Stored:
    return Stored(id=id_, contact_id=1, type=kind, occurred_at=at, properties={})


def test_counts_by_utc_day_and_type_with_the_values_they_carry() -> None:
    paris = dt.timezone(dt.timedelta(hours=1))
    rows = [
        stored(1, "purchase", dt.datetime(2026, 3, 1, 0, 30, tzinfo=paris)),  # 28 Feb in UTC
        stored(2, "purchase", dt.datetime(2026, 3, 1, 9, tzinfo=dt.UTC)),
        stored(3, "purchase", dt.datetime(2026, 3, 1, 10, tzinfo=dt.UTC)),  # no value
        stored(4, "email_opened", dt.datetime(2026, 3, 1, 11, tzinfo=dt.UTC)),
    ]
    assert counts(rows, {1: 10.0, 2: 20.5}) == {
        (dt.date(2026, 2, 28), "purchase"): [1, 10.0, 1],
        (dt.date(2026, 3, 1), "purchase"): [2, 20.5, 1],
        (dt.date(2026, 3, 1), "email_opened"): [1, 0.0, 0],
    }
