"""Preparing an import: map columns, normalize values, reject bad rows, merge duplicates.

Pure: a parsed CSV and the user's choices in, clean records and row errors out.
The service then writes the records (see import_service.py).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Annotated, Any, Literal

import msgspec

from parcours.contacts import normalize as n
from parcours.contacts.vocabulary import IMPORTABLE_FIELDS

MergePolicy = Literal["fill_empty", "overwrite", "skip"]


class ImportOptions(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """How an import treats the file's rows (sent as JSON in the `options` form field)."""

    # What to do with a contact whose email is already in the base (or earlier in the file).
    merge_policy: MergePolicy = "fill_empty"
    # valid_only: import the good rows and report the others; all_or_nothing: any bad row stops it.
    on_error: Literal["valid_only", "all_or_nothing"] = "valid_only"
    # For phone numbers written without an international prefix: a country code or name.
    default_country: Annotated[str, msgspec.Meta(max_length=100)] = "FR"
    date_format: n.DateFormat = "auto"
    # The `source` given to contacts this import creates (as long as the contact's column).
    source: Annotated[str, msgspec.Meta(max_length=100)] = "import"
    # A static segment to put every imported contact in (new or already known).
    segment_id: Annotated[int, msgspec.Meta(ge=1, le=2**31 - 1)] | None = None


class CustomFieldSpec(msgspec.Struct, frozen=True):
    type: str
    choices: list[str] = []


class RowError(msgspec.Struct):
    row: int
    field: str | None
    message: str


class Record(msgspec.Struct):
    line: int
    email: str
    values: dict[str, Any]
    custom: dict[str, Any]


class Prepared(msgspec.Struct):
    records: list[Record]
    errors: list[RowError]
    rows: int
    rejected_rows: int
    duplicates_in_file: int


def _city(raw: str) -> str | None:
    text = n.clean_text(raw, 100)
    return n.proper_case(text) if text and (text.isupper() or text.islower()) else text


# Fields whose values repeat down a file (first names, countries, stages, titles...): each distinct
# value is converted once. Emails and phone numbers are nearly all distinct: not worth remembering.
_DISTINCT = frozenset({"email", "phone"})


def converters(options: ImportOptions) -> dict[str, Callable[[str], Any]]:
    plain = _converters(options)
    return {
        field: convert if field in _DISTINCT else lru_cache(maxsize=50_000)(convert) for field, convert in plain.items()
    }


def _converters(options: ImportOptions) -> dict[str, Callable[[str], Any]]:
    return {
        "email": n.normalize_email,
        "first_name": n.proper_case,
        "last_name": n.proper_case,
        "phone": lambda raw: n.normalize_phone(raw, options.default_country),
        "job_title": lambda raw: n.clean_text(raw, 200),
        "company": lambda raw: n.clean_text(raw, 200),
        "country": n.normalize_country,
        "city": _city,
        "language": n.normalize_language,
        "birth_date": lambda raw: n.parse_date(raw, options.date_format),
        "gender": n.normalize_gender,
        "lifecycle_stage": n.normalize_stage,
        "source": lambda raw: n.clean_text(raw, 100),
        "consent_level": n.normalize_consent_level,
        "email_opt_in": n.parse_bool,
        "sms_opt_in": n.parse_bool,
        "unsubscribed": n.parse_bool,
    }


def check_mapping(mapping: dict[str, str | None], header: list[str], custom: dict[str, CustomFieldSpec]) -> str | None:
    """A sentence saying what is wrong with the mapping, or None when it can be used."""
    unknown_columns = [c for c in mapping if c not in header]
    if unknown_columns:
        return f"The column '{unknown_columns[0]}' is not in the file."
    targets = [f for f in mapping.values() if f]
    for field in targets:
        if field not in IMPORTABLE_FIELDS and not (field.startswith("custom.") and field[7:] in custom):
            return f"'{field}' is not a field a column can be imported into."
    duplicates = {f for f in targets if targets.count(f) > 1}
    if duplicates:
        return f"Two columns are mapped to '{min(duplicates)}': map each field once."
    if "email" not in targets:
        return "Map one column to 'email': it is how contacts are identified."
    return None


def _merge(into: Record, other: Record, policy: MergePolicy) -> None:
    if policy == "overwrite":
        into.values.update(other.values)
        into.custom.update(other.custom)
    elif policy == "fill_empty":
        for key, value in other.values.items():
            into.values.setdefault(key, value)
        for key, value in other.custom.items():
            into.custom.setdefault(key, value)


class Preparation:
    """Rows go in a batch at a time (so a caller can report progress); records come out merged."""

    def __init__(
        self,
        header: list[str],
        mapping: dict[str, str | None],
        options: ImportOptions,
        custom: dict[str, CustomFieldSpec],
    ) -> None:
        self.options, self.custom = options, custom
        self.convert = converters(options)
        self.columns = [(header.index(column), field) for column, field in mapping.items() if field]
        self.records: dict[str, Record] = {}
        self.errors: list[RowError] = []
        self.rows = self.rejected = self.duplicates = 0

    def _convert(self, field: str, raw: str) -> tuple[str, Any]:
        if field.startswith("custom."):
            spec = self.custom[field[7:]]
            return field, n.coerce_custom(spec.type, spec.choices, raw, self.options.date_format)
        return field, self.convert[field](raw)

    def add_rows(self, rows: list[tuple[int, list[str]]]) -> None:
        for line, cells in rows:
            self.rows += 1
            values: dict[str, Any] = {}
            custom_values: dict[str, Any] = {}
            row_errors: list[RowError] = []
            for index, field in self.columns:
                raw = cells[index].strip()
                if not raw:
                    continue
                try:
                    _, value = self._convert(field, raw)
                except ValueError as exc:
                    row_errors.append(RowError(row=line, field=field, message=str(exc)))
                    continue
                if value is None:
                    continue
                if field.startswith("custom."):
                    custom_values[field[7:]] = value
                else:
                    values[field] = value
            if "email" not in values and not any(e.field == "email" for e in row_errors):
                row_errors.append(RowError(row=line, field="email", message="The email is empty."))
            if row_errors:
                self.errors.extend(row_errors)
                self.rejected += 1
                continue
            email = values.pop("email")
            record = Record(line=line, email=email, values=values, custom=custom_values)
            if email in self.records:
                self.duplicates += 1
                _merge(self.records[email], record, self.options.merge_policy)
            else:
                self.records[email] = record

    def result(self) -> Prepared:
        return Prepared(
            records=list(self.records.values()),
            errors=self.errors,
            rows=self.rows,
            rejected_rows=self.rejected,
            duplicates_in_file=self.duplicates,
        )


def prepare(
    rows: list[tuple[int, list[str]]],
    header: list[str],
    mapping: dict[str, str | None],
    options: ImportOptions,
    custom: dict[str, CustomFieldSpec],
) -> Prepared:
    preparation = Preparation(header, mapping, options, custom)
    preparation.add_rows(rows)
    return preparation.result()
