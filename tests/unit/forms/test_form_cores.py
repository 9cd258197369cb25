"""The pure cores of forms: a marketer's regular expression is refused when it could take forever,
a definition's problems name their path, a post is checked and typed in the visitor's language,
and progressive profiling swaps known fields for the next unknown ones."""

from __future__ import annotations

import time

import pytest

from parcours.forms import definition, submission

EMAIL = {"name": "email", "type": "email", "required": True, "maps_to": "email"}


@pytest.mark.parametrize("pattern", ["(a+)+$", "(a|aa)*", "([a-z]+\\.)+com", "(a)\\1", "(?=a)a", "(x*)*"])
def test_a_pattern_that_could_backtrack_forever_is_refused(pattern: str) -> None:
    assert definition.pattern_problem(pattern) is not None


@pytest.mark.parametrize("pattern", ["[0-9]{5}", "[A-Z]{2}[0-9]{2}[A-Z0-9]{1,30}", "(FR|BE)[0-9]{9}", "[a-z.]+@[a-z]+"])
def test_an_ordinary_pattern_is_accepted_and_matches_in_linear_time(pattern: str) -> None:
    assert definition.pattern_problem(pattern) is None
    started = time.perf_counter()
    submission.check([{"name": "x", "type": "text", "pattern": pattern}], {"x": "a" * 499 + "!"}, "en")
    assert time.perf_counter() - started < 0.05


def test_a_pattern_that_backtracks_in_python_still_answers_at_once() -> None:
    # Accepted by the checks, but Python's `re` takes minutes on 500 letters: RE2 takes microseconds.
    pattern = "a*a*a*a*a*c"
    assert definition.pattern_problem(pattern) is None
    started = time.perf_counter()
    _, problem = submission.check([{"name": "x", "type": "text", "pattern": pattern}], {"x": "a" * 499}, "en")
    assert problem is not None and problem[0] == "x"
    assert time.perf_counter() - started < 0.05


def test_problems_name_the_path_of_the_field() -> None:
    fields = [
        EMAIL,
        {"name": "email", "type": "text", "maps_to": "first_name"},
        {"name": "size", "type": "select", "maps_to": "custom_size", "options": []},
        {"name": "ok", "type": "consent", "label": "Yes", "maps_to": "topic:news"},
    ]
    found = definition.problems(fields, {"allowed_domains": ["*.example.com", "bad domain"]}, {"size"}, set())
    assert found == [
        ("fields[1].name", "Two fields are named 'email' (fields[0] too)."),
        ("fields[2].options", "A select field needs at least one choice."),
        ("fields[3].maps_to", "There is no subscription topic 'news'."),
        ("settings.allowed_domains[1]", "'bad domain' is not a domain name (example.com, *.example.com)."),
    ]
    assert definition.publish_problems([{**EMAIL, "required": False}])[0][0] == "fields[0].required"


def test_a_post_is_typed_and_the_first_problem_is_said_in_the_visitors_language() -> None:
    fields = [
        EMAIL,
        {"name": "age", "type": "number"},
        {"name": "day", "type": "date"},
        {"name": "tags", "type": "checkboxes", "options": [{"value": "a"}, {"value": "b"}]},
        {"name": "ok", "type": "consent", "label": "Yes", "required": True, "messages": {"fr": "Cochez, svp."}},
    ]
    values, problem = submission.check(
        fields, {"email": " Ada@Example.COM ", "age": "42", "day": "2026-03-01", "tags": ["a", "b"], "ok": "yes"}, "en"
    )
    assert problem is None
    assert values == {"email": "ada@example.com", "age": 42, "day": "2026-03-01", "tags": ["a", "b"], "ok": True}
    assert submission.check(fields, {"email": "ada@example.com"}, "fr")[1] == ("ok", "Cochez, svp.")
    assert submission.check(fields, {"email": "nope"}, "fr")[1] == (
        "email",
        "Merci de saisir une adresse e-mail valide (nom@exemple.fr).",
    )
    assert submission.check(fields, {"email": "a@b.fr", "tags": ["z"], "ok": "1"}, "en")[1][0] == "tags"  # type: ignore[index]


def test_progressive_profiling_asks_a_known_person_the_next_unknown_fields() -> None:
    fields = [
        EMAIL,
        {"name": "first", "type": "text", "maps_to": "first_name"},
        {"name": "company", "type": "text", "maps_to": "company", "progressive": True},
        {"name": "job", "type": "text", "maps_to": "job_title", "progressive": True},
    ]
    names = lambda shown: [f["name"] for f in shown]
    assert names(submission.shown(fields, None, True)) == ["email", "first"]
    assert names(submission.shown(fields, {"first_name": "Ada"}, True)) == ["email", "company"]
    assert names(submission.shown(fields, {"first_name": "Ada", "company": "ACME"}, True)) == ["email", "job"]
    assert names(submission.shown(fields, {"first_name": "Ada"}, False)) == ["email", "first"]
