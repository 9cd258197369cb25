from parcours.reports.emails import figures


def test_rates_name_their_divisor_and_are_empty_when_it_is_zero() -> None:
    shown = figures({"sent": 10, "bounced_hard": 1, "bounced_soft": 1, "unique_opens": 4, "unique_opens_human": 3})
    assert (shown.delivered, shown.bounced, shown.unique_opens_machine) == (8, 2, 1)
    rate = shown.rates["unique_open_rate_human"]
    assert (rate.value, rate.numerator, rate.divisor) == (3 / 8, "unique_opens_human", "delivered")
    assert shown.rates["click_to_open_rate"].value == 0.0
    nothing = figures({})
    assert nothing.rates["unique_open_rate"].value is None and nothing.rates["bounce_rate"].divisor == "sent"
