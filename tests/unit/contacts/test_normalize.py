from datetime import date

import pytest

from parcours.contacts import normalize as n


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  Jean.DUPONT@Example.FR ", "jean.dupont@example.fr"),
        ("élodie@exemple.fr", "élodie@exemple.fr"),
    ],
)
def test_emails_are_trimmed_and_lower_cased(raw: str, expected: str) -> None:
    assert n.normalize_email(raw) == expected


@pytest.mark.parametrize("raw", ["", "jean", "jean@", "@example.fr", "jean dupont@example.fr", "a@b"])
def test_invalid_emails_are_refused_with_a_reason(raw: str) -> None:
    with pytest.raises(ValueError, match="email"):
        n.normalize_email(raw)


@pytest.mark.parametrize(
    ("raw", "country", "expected"),
    [
        ("06 12 34 56 78", "FR", "+33612345678"),
        ("+33 6 12 34 56 78", None, "+33612345678"),
        ("0033612345678", "GB", "+33612345678"),
        ("020 7946 0958", "GB", "+442079460958"),
        ("(415) 555-2671", "US", "+14155552671"),
    ],
)
def test_phones_become_e164(raw: str, country: str | None, expected: str) -> None:
    assert n.normalize_phone(raw, country) == expected


@pytest.mark.parametrize("raw", ["abc", "12", "+33 1"])
def test_impossible_phones_are_refused(raw: str) -> None:
    with pytest.raises(ValueError):
        n.normalize_phone(raw, "FR")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("France", "FR"),
        ("fr", "FR"),
        ("FRA", "FR"),
        ("Allemagne", "DE"),
        ("Germany", "DE"),
        ("États-Unis", "US"),
        ("USA", "US"),
        ("united kingdom", "GB"),
        ("Royaume-Uni", "GB"),
        ("UK", "GB"),
        ("Suisse", "CH"),
        ("Côte d'Ivoire", "CI"),
    ],
)
def test_country_names_and_codes_become_iso_alpha2(raw: str, expected: str) -> None:
    assert n.normalize_country(raw) == expected


def test_unknown_country_is_refused() -> None:
    with pytest.raises(ValueError, match="not a country"):
        n.normalize_country("Atlantis")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("jean-PIERRE", "Jean-Pierre"),
        ("DE LA FONTAINE", "De la Fontaine"),
        ("o'brien", "O'Brien"),
        ("  marie   curie ", "Marie Curie"),
        ("charles d'artagnan", "Charles d'Artagnan"),
        ("élodie", "Élodie"),
    ],
)
def test_names_are_proper_cased(raw: str, expected: str) -> None:
    assert n.proper_case(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("fr", "fr"), ("French", "fr"), ("français", "fr"), ("en-GB", "en"), ("Anglais", "en"), ("DE", "de")],
)
def test_languages_become_iso_639_1(raw: str, expected: str) -> None:
    assert n.normalize_language(raw) == expected


@pytest.mark.parametrize(
    ("raw", "fmt", "expected"),
    [
        ("1990-04-03", "auto", date(1990, 4, 3)),
        ("03/04/1990", "auto", date(1990, 4, 3)),
        ("03/04/1990", "MM/DD/YYYY", date(1990, 3, 4)),
        ("3.4.1990", "DD/MM/YYYY", date(1990, 4, 3)),
        ("1990-04-03T10:00:00Z", "auto", date(1990, 4, 3)),
    ],
)
def test_dates_in_common_formats(raw: str, fmt: n.DateFormat, expected: date) -> None:
    assert n.parse_date(raw, fmt) == expected


@pytest.mark.parametrize("raw", ["31/02/1990", "tomorrow", "1850-01-01"])
def test_bad_dates_are_refused(raw: str) -> None:
    with pytest.raises(ValueError):
        n.parse_date(raw)


@pytest.mark.parametrize(("raw", "expected"), [("Oui", True), ("no", False), ("1", True), ("X", True), ("faux", False)])
def test_yes_no(raw: str, expected: bool) -> None:
    assert n.parse_bool(raw) is expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("1 234,56", 1234.56), ("1,234.56", 1234.56), ("12", 12.0), ("1.234.567,8", 1234567.8), ("-3,5", -3.5)],
)
def test_numbers_in_french_and_english_notation(raw: str, expected: float) -> None:
    assert n.parse_number(raw) == expected


@pytest.mark.parametrize(("raw", "expected"), [("Mme", "female"), ("M", "male"), ("Homme", "male"), ("NB", "other")])
def test_genders(raw: str, expected: str) -> None:
    assert n.normalize_gender(raw) == expected


def test_choice_custom_values_take_the_choice_spelling() -> None:
    assert n.coerce_custom("choice", ["Gold", "Silver"], "gold") == "Gold"
    with pytest.raises(ValueError, match="choices"):
        n.coerce_custom("choice", ["Gold", "Silver"], "bronze")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("acme.com", "acme.com"),
        ("https://WWW.Acme.fr/contact?x=1", "acme.fr"),
        ("sub.acme.co.uk:8080", "sub.acme.co.uk"),
        ("ftp://files.acme.org/", "files.acme.org"),
        ("société.fr", "xn--socit-esab.fr"),
    ],
)
def test_domains_are_what_accounts_are_matched_on(raw: str, expected: str) -> None:
    assert n.normalize_domain(raw) == expected


@pytest.mark.parametrize("raw", ["Acme", "not a site", "1.2.3.4", "http://", "-acme-.com"])
def test_what_is_not_a_domain_is_refused(raw: str) -> None:
    with pytest.raises(ValueError):
        n.normalize_domain(raw)


def test_websites_become_links() -> None:
    assert n.normalize_website("acme.fr") == "https://acme.fr"
    assert n.normalize_website("http://acme.fr/about") == "http://acme.fr/about"
    with pytest.raises(ValueError):
        n.normalize_website("bob@acme.fr")
