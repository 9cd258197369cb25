import datetime as dt

import pytest

from parcours.rules import regex
from parcours.rules.fields import catalog
from parcours.rules.language import RuleError, Schema, parse

SCHEMA = Schema(catalog(), lambda: dt.datetime(2026, 1, 1, tzinfo=dt.UTC))


def test_a_valid_rule_reports_what_it_uses() -> None:
    checked = parse('country == "FR" and opens_30d > 2 and not (42 in segments)', SCHEMA)
    assert checked.fields == {"country", "opens_30d", "segments"}
    assert checked.segment_ids == {42}


@pytest.mark.parametrize(
    ("rule", "words", "position"),
    [
        ("", "empty", 0),
        ('country == "FR" and', "ends too early", None),
        ('countri == "FR"', "no field named 'countri'", 0),
        ('country == "FR" and opens == 3', "no field named 'opens'", 20),
        ("email == 3", "different kinds", 0),
        ('email =~ "("', "not a valid regular expression", 10),
        ('opens_30d > "a"', "different", None),
        ('first_name > "M"', "may be empty", 0),
        ('(first_name ?? "") > "M"', "Texts cannot be compared", 1),
        ("last_interaction_at >= $now", "may be empty", 0),
        ("opens_30d * 2 > 3", "arithmetic", None),
        ("opens_30d > 0.12345678901234567", "significant digits", None),
        ('(first_name ?? "") =~ "\\\\d+"', "[0-9]", None),
        ('(first_name ?? "") =~ "(a)\\\\1"', "not supported", None),
        ('email.as_lower == "x"', "not supported", 5),
        ("birth_date == last_interaction_at", "date field", 0),
    ],
)
def test_refused_rules_say_why_and_where(rule: str, words: str, position: int | None) -> None:
    with pytest.raises(RuleError) as refused:
        parse(rule, SCHEMA)
    assert words in refused.value.message
    if position is not None:
        assert refused.value.position == position


@pytest.mark.parametrize(
    ("pattern", "anchored", "expected"),
    [
        ("a.b", False, "a[^\\n]b"),
        ("^J(ea|oh)n$", True, "^(?:^J(?:(?:ea|oh))n(?=\\n?$))"),
        ("[a-z]+", False, "(?:[a-z])+"),
        ("x{2,3}", False, "(?:x){2,3}"),
        ("a|b", False, "[ab]"),
        ("ab|cd", False, "(?:ab|cd)"),
        ("\\.", False, "\\."),
    ],
)
def test_python_patterns_are_written_for_postgresql(pattern: str, anchored: bool, expected: str) -> None:
    assert regex.to_postgres(pattern, anchored=anchored) == expected
