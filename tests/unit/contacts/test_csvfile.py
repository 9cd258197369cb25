import pytest

from parcours.contacts.csvfile import CsvError, read_table, suggest_mapping


def test_utf8_with_bom_and_semicolons() -> None:
    table = read_table("\ufeffE-mail;Prénom;Nom\njean@example.fr;Jean;Dupont\n".encode())
    assert (table.encoding, table.delimiter) == ("utf-8", ";")
    assert table.header == ["E-mail", "Prénom", "Nom"]
    assert table.rows == [(2, ["jean@example.fr", "Jean", "Dupont"])]


def test_windows_1252_with_tabs() -> None:
    table = read_table("email\tcity\nzoe@example.fr\tSaint-Étienne\n".encode("cp1252"))
    assert (table.encoding, table.delimiter) == ("cp1252", "\t")
    assert table.rows[0][1] == ["zoe@example.fr", "Saint-Étienne"]


def test_quoted_values_keep_their_delimiters_and_line_numbers_follow_the_file() -> None:
    content = b'email,company\n"a@example.fr","Dupont, Fils & Cie"\n\n"b@example.fr","multi\nline"\nc@example.fr,X\n'
    table = read_table(content)
    assert [line for line, _ in table.rows] == [2, 4, 6]
    assert table.rows[0][1][1] == "Dupont, Fils & Cie"


def test_short_rows_are_padded_and_trailing_empty_cells_ignored() -> None:
    table = read_table(b"email,first,last\na@example.fr\nb@example.fr,B,C,,\n")
    assert table.rows == [(2, ["a@example.fr", "", ""]), (3, ["b@example.fr", "B", "C"])]


def test_a_row_with_more_values_than_columns_names_its_line() -> None:
    with pytest.raises(CsvError) as error:
        read_table(b"email,name\na@example.fr,A\nb@example.fr,B,extra\n")
    assert error.value.row == 3
    assert "Line 3" in str(error.value)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"   \n\n", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not a CSV"),
        (b"email,Email\na,b\n", "appears twice"),
    ],
)
def test_files_that_are_not_usable_csv(content: bytes, message: str) -> None:
    with pytest.raises(CsvError, match=message):
        read_table(content)


def test_mapping_is_suggested_from_english_and_french_column_names() -> None:
    header = [
        "Courriel",
        "Prénom",
        "Nom de famille",
        "Société",
        "Pays",
        "Téléphone",
        "Date de naissance",
        "Loyalty tier",
        "Notes",
    ]
    mapping = suggest_mapping(header, {"loyalty_tier": "Loyalty tier"})
    assert mapping == {
        "Courriel": "email",
        "Prénom": "first_name",
        "Nom de famille": "last_name",
        "Société": "company",
        "Pays": "country",
        "Téléphone": "phone",
        "Date de naissance": "birth_date",
        "Loyalty tier": "custom.loyalty_tier",
        "Notes": None,
    }


def test_a_field_is_suggested_for_one_column_only() -> None:
    assert suggest_mapping(["email", "mail"], {}) == {"email": "email", "mail": None}


def test_company_columns_are_recognised_in_english_and_french() -> None:
    english = ["Email", "Company", "Industry", "Employees", "Annual revenue", "Company country", "Website", "Domain"]
    french = [
        "Courriel",
        "Raison sociale",
        "Secteur d'activité",
        "Effectif",
        "Chiffre d'affaires",
        "Pays de la société",
        "Site web",
        "Domaine",
    ]
    fields = [
        "email",
        "company",
        "account_industry",
        "account_size",
        "account_annual_revenue",
        "account_country",
        "account_website",
        "account_domain",
    ]
    assert list(suggest_mapping(english, {}).values()) == fields
    assert list(suggest_mapping(french, {}).values()) == fields
