"""The overview's pure parts: trends and bounce-rate spikes."""

from __future__ import annotations

from datetime import date

from parcours.reports.overview import change, counted, is_spike, ratio


def test_a_change_needs_something_to_compare_with() -> None:
    assert change(112, 100) == 0.12
    assert change(50, 100) == -0.5
    assert change(5, 0) is None and change(None, 3) is None and change(3, None) is None
    assert ratio(1, 4) == 0.25 and ratio(1, 0) is None


def test_a_counted_figure_sums_its_days_and_fills_the_empty_ones() -> None:
    days = [date(2026, 1, 1), date(2026, 1, 2), date(2026, 1, 3)]
    figure = counted("new_contacts", days, {days[0]: 2, days[2]: 1}, {date(2025, 12, 30): 6})
    assert (figure.value, figure.previous, figure.change) == (3, 6, -0.5)
    assert figure.series == [2, 0, 1]


def test_a_bounce_spike_is_above_five_percent_or_twice_the_usual() -> None:
    assert is_spike({"sent": 100, "bounced_hard": 4, "bounced_soft": 2}, {}) == (0.06, None)
    assert is_spike({"sent": 100, "bounced_hard": 5}, {}) is None  # 5% is not above 5%
    assert is_spike({"sent": 100, "bounced_soft": 3}, {"sent": 1000, "bounced_hard": 10}) == (0.03, 0.01)
    assert is_spike({"sent": 100, "bounced_soft": 2}, {"sent": 1000, "bounced_hard": 10}) is None
    # Too few sends say nothing.
    assert is_spike({"sent": 10, "bounced_hard": 5}, {}) is None
