from parcours.contacts.importing import CustomFieldSpec, ImportOptions, check_mapping, prepare

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
