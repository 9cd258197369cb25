from datetime import UTC, datetime

import pytest

from parcours.contacts.importing import (
    CustomFieldSpec,
    ImportConsent,
    ImportOptions,
    check_mapping,
    company_size,
    consent_changes,
    obtained_at,
    prepare,
    revenue,
    with_basis,
)

HEADER = ["email", "first", "phone", "country", "tier"]
MAPPING = {"email": "email", "first": "first_name", "phone": "phone", "country": "country", "tier": "custom.tier"}
CUSTOM = {"tier": CustomFieldSpec(type="choice", choices=["Gold", "Silver"])}


def rows(*cells: list[str]) -> list[tuple[int, list[str]]]:
    return [(i + 2, c) for i, c in enumerate(cells)]


def test_rows_are_normalized() -> None:
    prepared = prepare(
        rows([" Zoe@Example.FR", "zoé", "06 12 34 56 78", "france", "gold"]), HEADER, MAPPING, ImportOptions(), CUSTOM
    )
    record = prepared.records[0]
    assert record.email == "zoe@example.fr"
    assert record.values == {"first_name": "Zoé", "phone": "+33612345678", "country": "FR"}
    assert record.custom == {"tier": "Gold"}


def test_bad_rows_are_rejected_with_line_field_and_reason() -> None:
    prepared = prepare(
        rows(["bad-email", "A", "", "", ""], ["ok@example.fr", "B", "12", "Narnia", "bronze"], ["", "C", "", "", ""]),
        HEADER,
        MAPPING,
        ImportOptions(),
        CUSTOM,
    )
    assert prepared.records == []
    assert prepared.rejected_rows == 3
    assert [(e.row, e.field) for e in prepared.errors] == [
        (2, "email"),
        (3, "phone"),
        (3, "country"),
        (3, "custom.tier"),
        (4, "email"),
    ]


def test_duplicates_within_the_file_merge_by_policy() -> None:
    data = rows(["a@example.fr", "Ann", "", "", ""], ["A@example.fr", "Anne", "", "FR", ""])
    fill = prepare(data, HEADER, MAPPING, ImportOptions(merge_policy="fill_empty"), CUSTOM)
    assert fill.duplicates_in_file == 1
    assert fill.records[0].values == {"first_name": "Ann", "country": "FR"}
    overwrite = prepare(data, HEADER, MAPPING, ImportOptions(merge_policy="overwrite"), CUSTOM)
    assert overwrite.records[0].values == {"first_name": "Anne", "country": "FR"}
    skip = prepare(data, HEADER, MAPPING, ImportOptions(merge_policy="skip"), CUSTOM)
    assert skip.records[0].values == {"first_name": "Ann"}


def test_mapping_problems_are_explained() -> None:
    assert "email" in (check_mapping({"first": "first_name"}, HEADER, CUSTOM) or "")
    assert "twice" not in (check_mapping(MAPPING, HEADER, CUSTOM) or "")
    assert check_mapping(MAPPING, HEADER, CUSTOM) is None
    assert "Two columns" in (check_mapping({"email": "email", "first": "email"}, HEADER, CUSTOM) or "")
    assert "not in the file" in (check_mapping({"nope": "email"}, HEADER, CUSTOM) or "")
    assert "not a field" in (check_mapping({"email": "email", "first": "shoe_size"}, HEADER, CUSTOM) or "")


def test_a_national_phone_is_read_in_its_rows_country_and_left_out_when_not_valid_there() -> None:
    data = rows(
        ["fr@example.fr", "", "06 12 34 56 78", "France", ""],
        ["be@example.fr", "", "0470 12 34 56", "Belgique", ""],
        ["none@example.fr", "", "06 11 22 33 44", "", ""],
        ["wrong@example.fr", "", "06 12 34 56 78", "BE", ""],
    )
    prepared = prepare(data, HEADER, MAPPING, ImportOptions(default_country="FR"), CUSTOM)
    phones = {r.email: r.values.get("phone") for r in prepared.records}
    assert phones == {
        "fr@example.fr": "+33612345678",
        "be@example.fr": "+32470123456",
        "none@example.fr": "+33611223344",
        "wrong@example.fr": None,
    }
    assert [(e.row, e.message, e.value_left_out) for e in prepared.errors] == [
        (5, "'06 12 34 56 78' is not a valid phone number for Belgium.", True)
    ]
    assert prepared.rejected_rows == 0 and prepared.skipped == []


def test_skipped_rows_say_why_with_the_line() -> None:
    data = rows(["a@example.fr", "A", "", "", ""], ["", "B", "", "", ""], ["A@example.fr", "C", "", "", ""])
    prepared = prepare(data, HEADER, MAPPING, ImportOptions(merge_policy="skip"), CUSTOM)
    assert [(s.row, s.reason) for s in prepared.skipped] == [(3, "The email is empty."), (4, "Same email as line 2.")]


BASIS = ImportConsent(level="marketing", email_opt_in=True, source="fair", obtained_at="2026-10-15")


def test_the_basis_fills_only_what_the_row_does_not_say() -> None:
    assert with_basis({"consent_level": "transactional"}, BASIS) == (
        {"consent_level": "transactional", "email_opt_in": True, "sms_opt_in": False},
        {"email_opt_in", "sms_opt_in"},
    )
    assert with_basis({"unsubscribed": True}, BASIS) == ({"unsubscribed": True}, set())
    assert with_basis({"city": "Lyon"}, None) == ({"city": "Lyon"}, set())


def test_an_import_raises_consent_never_lowers_it_and_leaves_the_unsubscribed_alone() -> None:
    current = {"consent_level": "transactional", "email_opt_in": True, "sms_opt_in": False, "unsubscribed": False}
    wanted = {"consent_level": "marketing", "email_opt_in": False, "sms_opt_in": True}
    assert consent_changes(current, wanted) == {"consent_level": "marketing", "sms_opt_in": True}
    assert consent_changes(current, {"consent_level": "none"}) == {}
    assert consent_changes(current, {"unsubscribed": True, "email_opt_in": True}) == {"unsubscribed": True}
    assert consent_changes({**current, "unsubscribed": True}, {**wanted, "unsubscribed": False}) == {}


def test_a_consent_date_is_a_past_date_or_moment_in_utc() -> None:
    now = datetime(2026, 12, 2, 12, tzinfo=UTC)
    assert obtained_at("2026-10-15", now) == datetime(2026, 10, 15, tzinfo=UTC)
    assert obtained_at("2026-10-15T14:30:00+02:00", now) == datetime(2026, 10, 15, 12, 30, tzinfo=UTC)
    assert obtained_at("2026-12-02", now) == datetime(2026, 12, 2, tzinfo=UTC)
    with pytest.raises(ValueError, match="future"):
        obtained_at("2026-12-03", now)
    with pytest.raises(ValueError, match="not a date"):
        obtained_at("last autumn", now)


@pytest.mark.parametrize(
    ("raw", "expected"), [("12", 12), ("1 200", 1200), ("51-200", 51), ("500+", 500), ("10 à 49", 10)]
)
def test_company_sizes_read_bands_as_their_lower_bound(raw: str, expected: int) -> None:
    assert company_size(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("12 500 000", 12_500_000),
        ("12,5 M€", 12_500_000),
        ("$1.2bn", 1_200_000_000),
        ("800k", 800_000),
        ("2 Mds €", 2e9),
    ],
)
def test_revenues_read_french_and_english_amounts(raw: str, expected: float) -> None:
    assert revenue(raw) == expected


@pytest.mark.parametrize(
    ("parse", "raw"), [(company_size, "12.5"), (company_size, "-3"), (revenue, "-5"), (revenue, "12 zz")]
)
def test_what_is_not_a_size_or_revenue_is_refused(parse: object, raw: str) -> None:
    with pytest.raises(ValueError):
        parse(raw)  # type: ignore[operator]


def test_a_company_detail_that_cannot_be_read_is_left_out_not_the_person() -> None:
    header = ["email", "company", "employees", "website"]
    mapping = {"email": "email", "company": "company", "employees": "account_size", "website": "account_website"}
    prepared = prepare(rows(["a@example.fr", "Acme", "many", "acme.fr"]), header, mapping, ImportOptions(), {})
    assert prepared.records[0].values == {"company": "Acme", "account_website": "https://acme.fr"}
    assert [(e.field, e.value_left_out) for e in prepared.errors] == [("account_size", True)]
    assert prepared.rejected_rows == 0
