"""The arithmetic of a program's progress: its months, a rate's value, the share of the target."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from parcours.programs import kpis


def test_the_months_of_a_period_cross_the_year() -> None:
    assert kpis.months(date(2026, 11, 15), date(2027, 2, 1)) == [
        ("2026-11", date(2026, 12, 1)),
        ("2026-12", date(2027, 1, 1)),
        ("2027-01", date(2027, 2, 1)),
        ("2027-02", date(2027, 3, 1)),
    ]
    assert kpis.month_count(date(2026, 11, 15), date(2027, 2, 1)) == 4
    assert kpis.months(date(2026, 5, 1), date(2026, 5, 31)) == [("2026-05", date(2026, 6, 1))]


def test_a_rate_divides_and_says_none_without_a_denominator() -> None:
    rate, total = kpis.CATALOGUE["open_rate"], kpis.CATALOGUE["segment_revenue"]
    assert kpis.value_of(rate, 1, 3) == 0.3333
    assert kpis.value_of(rate, 0, 0) is None
    assert kpis.value_of(total, 1234.567, None) == 1234.57


def test_the_share_of_the_target() -> None:
    assert kpis.share_of_target(0.15, 0.2) == 0.75
    assert kpis.share_of_target(None, 0.2) is None
    assert kpis.share_of_target(3, None) is None
    assert kpis.share_of_target(3, 0) is None


def test_every_kpi_says_what_it_counts_and_rates_what_they_divide_by() -> None:
    for kpi in kpis.CATALOGUE.values():
        assert kpi.counts
        assert (kpi.divided_by is not None) == kpi.is_rate
    assert all(k.available for k in kpis.CATALOGUE.values())
    assert [k for k, v in kpis.CATALOGUE.items() if v.needs_exploration] == ["exploration"]


def test_shipped_programs_are_twins_in_english_and_french() -> None:
    import msgspec

    from parcours.programs.schemas import ProgramTemplate

    root = Path(__file__).resolve().parents[3] / "templates" / "programs"
    shipped = {
        language: {
            t.key: t
            for t in (
                msgspec.json.decode(p.read_bytes(), type=ProgramTemplate) for p in (root / language).glob("*.json")
            )
        }
        for language in ("en", "fr")
    }
    assert (
        set(shipped["en"])
        == set(shipped["fr"])
        == {"welcome", "onboarding", "loyalty", "cross-sell", "reactivation", "blank"}
    )
    for key, english in shipped["en"].items():
        french = shipped["fr"][key]
        assert (english.language, french.language) == ("en", "fr")
        assert (english.kpi, english.months) == (french.kpi, french.months)
        assert english.kpi.metric in kpis.CATALOGUE and kpis.CATALOGUE[english.kpi.metric].available
