import datetime as dt
import re

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
        ('(first_name ?? "") =~~ "(?s)a.b"', "only (?i)", None),
        ('(first_name ?? "") =~~ "a(?i:b)"', "part of a pattern", None),
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
    assert regex.for_postgres(pattern, anchored=anchored).regex == expected


@pytest.mark.parametrize(
    ("pattern", "anchored", "expected"),
    [
        ("@gmail\\.com$", False, ["%@gmail.com", "%@gmail.com\n"]),
        ("Jean", True, ["Jean%"]),
        ("(?i)jean", False, ["%jean%"]),
        ("^a_b\\Z", False, ["a\\_b"]),
        ("(?x) 100 %", False, ["%100\\%%"]),
        ("a.b", False, None),
        ("J(ea|oh)n", False, None),
    ],
)
def test_plain_text_patterns_are_written_as_like(pattern: str, anchored: bool, expected: list[str] | None) -> None:
    assert regex.for_postgres(pattern, anchored=anchored).likes == expected


@pytest.mark.parametrize(
    ("pattern", "text", "matches"),
    [("(?i)jean", "JEANNE", True), ("(?i)jean", "Marie-Jean", False), ("(?x) a b  # a comment", "abc", True)],
)
def test_an_anchored_pattern_keeps_its_leading_flags(pattern: str, text: str, matches: bool) -> None:
    assert bool(re.search(regex.python_anchored(pattern), text)) is matches
