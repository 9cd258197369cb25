"""Preparing an import: map columns, normalize values, reject bad rows, merge duplicates.

Pure: a parsed CSV and the user's choices in, clean records and row errors out.
The service then writes the records (see import_service.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from functools import lru_cache
from typing import Annotated, Any, Literal

import msgspec

from parcours.api import INT_MAX
from parcours.contacts import normalize as n
from parcours.contacts.matching import email_key
from parcours.contacts.vocabulary import ACCOUNT_FIELDS, CONSENT_LEVELS, IMPORTABLE_FIELDS, ConsentLevel

MergePolicy = Literal["fill_empty", "overwrite", "skip"]


class ImportConsent(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """On what basis the file's people may be contacted: the evidence each contact's consent history keeps."""

    level: ConsentLevel
    email_opt_in: bool = False
    sms_opt_in: bool = False
    # Where the consent was obtained, as one would tell an auditor: "trade fair form, October 2026".
    source: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    # When: a date (2026-10-15) or a date and time (2026-10-15T14:30:00Z), not in the future.
    obtained_at: Annotated[str, msgspec.Meta(min_length=1, max_length=40)]


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
    # None: the file's people keep the consent their rows give (by default none: no marketing message).
    consent: ImportConsent | None = None


def obtained_at(value: str, now: datetime) -> datetime:
    """The moment a consent was obtained, in UTC; a date alone is its midnight UTC."""
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(f"'{value}' is not a date: write it as YYYY-MM-DD.") from None
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    if moment > now:
        raise ValueError("The consent's date is in the future: give the date it was obtained.")
    return moment


# The consent fields a row or the import's basis may set.
_CONSENT = ("consent_level", "email_opt_in", "sms_opt_in", "unsubscribed")


def with_basis(values: dict[str, Any], basis: ImportConsent | None) -> tuple[dict[str, Any], set[str]]:
    """A row's values with the import's consent basis where the row says nothing of its own (its
    columns are more precise), and the fields the basis gave. A row marked unsubscribed gets none."""
    if basis is None or values.get("unsubscribed"):
        return values, set()
    given = {"consent_level": basis.level, "email_opt_in": basis.email_opt_in, "sms_opt_in": basis.sms_opt_in}
    filled = {f: v for f, v in given.items() if f not in values}
    return {**values, **filled}, set(filled)


def consent_changes(current: dict[str, Any], wanted: dict[str, Any]) -> dict[str, Any]:
    """What an import may change of a known contact's consent, whatever the merge policy: it raises the
    level, turns opt-ins on and records an unsubscribe; it never lowers consent (a file is often older than
    what the contact said since) and never touches the consent of someone who unsubscribed."""
    if current["unsubscribed"]:
        return {}
    if wanted.get("unsubscribed"):
        return {"unsubscribed": True}
    changes: dict[str, Any] = {}
    level = wanted.get("consent_level")
    if level and CONSENT_LEVELS.index(level) > CONSENT_LEVELS.index(current["consent_level"]):
        changes["consent_level"] = level
    changes |= {f: True for f in ("email_opt_in", "sms_opt_in") if wanted.get(f) and not current[f]}
    return changes


def without_consent(values: dict[str, Any]) -> dict[str, Any]:
    return {f: v for f, v in values.items() if f not in _CONSENT}


class CustomFieldSpec(msgspec.Struct, frozen=True):
    type: str
    choices: list[str] = []


class RowError(msgspec.Struct):
    row: int
    field: str | None
    message: str
    # The row is imported without this value (a phone number not valid for the row's country).
    value_left_out: bool = False


class SkippedRow(msgspec.Struct):
    row: int
    reason: str


class Record(msgspec.Struct):
    line: int
    email: str
    values: dict[str, Any]
    custom: dict[str, Any]


class Prepared(msgspec.Struct):
    records: list[Record]
    errors: list[RowError]
    skipped: list[SkippedRow]  # rows rejected or repeated in the file, in file order
    rows: int
    rejected_rows: int
    duplicates_in_file: int


def _city(raw: str) -> str | None:
    text = n.clean_text(raw, 100)
    return n.proper_case(text) if text and (text.isupper() or text.islower()) else text


# Fields whose values repeat down a file (first names, countries, stages, titles...): each distinct
# value is converted once. Emails are nearly all distinct: not worth remembering.
_DISTINCT = frozenset({"email"})


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
        "account_industry": lambda raw: n.clean_text(raw, 100),
        "account_size": company_size,
        "account_annual_revenue": revenue,
        "account_country": n.normalize_country,
        "account_website": n.normalize_website,
        "account_domain": n.normalize_domain,
    }


def company_size(raw: str) -> int:
    """Employees, as a number or a band as directories write them: '51-200' and '500+' are their
    lower bound (what a rule such as 'at least 50 employees' may rely on)."""
    band = re.fullmatch(r"\s*([\d\s.,\u00a0\u202f]+?)\s*(?:\+|-|–|à|to)\s*[\d\s.,\u00a0\u202f]*", raw)
    size = n.parse_number(band.group(1) if band else raw)
    if size < 0 or size > INT_MAX or size != int(size):
        raise ValueError(f"'{raw}' is not a number of employees.")
    return int(size)


_MULTIPLIERS = {"k": 1e3, "m": 1e6, "mm": 1e6, "me": 1e6, "md": 1e9, "mds": 1e9, "mrd": 1e9, "b": 1e9, "bn": 1e9}


def revenue(raw: str) -> float:
    """An annual revenue: '12 500 000', '12,5 M€', '$1.2bn' and '800k' are all numbers."""
    text = re.sub(r"[€$£\s\u00a0\u202f]|eur|usd", "", raw.lower())
    suffix = re.search(r"[a-z]+$", text)
    multiplier = _MULTIPLIERS.get(suffix.group(0)) if suffix else 1.0
    if multiplier is None:
        raise ValueError(f"'{raw}' is not an amount.")
    amount = n.parse_number(text[: suffix.start()] if suffix else text) * multiplier
    if amount < 0:
        raise ValueError(f"'{raw}' is a negative revenue.")
    return amount


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
        self.skipped: list[SkippedRow] = []
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
            left_out: list[RowError] = []
            phone, phone_at = "", 0
            for index, field in self.columns:
                raw = cells[index].strip()
                if not raw:
                    continue
                if field == "phone":
                    phone, phone_at = raw, len(row_errors)  # read once the row's country is known
                    continue
                try:
                    _, value = self._convert(field, raw)
                except ValueError as exc:
                    if field in ACCOUNT_FIELDS:  # the person is still imported, without that company detail
                        left_out.append(RowError(row=line, field=field, message=str(exc)))
                    else:
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
            phone_error = self._read_phone(line, phone, values) if phone else None
            if row_errors:
                # Reported in the file's column order; only the phone alone would not refuse the row.
                problems = (
                    row_errors[:phone_at] + ([phone_error] if phone_error else []) + row_errors[phone_at:] + left_out
                )
                self.errors.extend(problems)
                self.skipped.append(SkippedRow(row=line, reason=" ".join(e.message for e in problems)))
                self.rejected += 1
                continue
            if phone_error:
                left_out.insert(0, phone_error)
            self.errors.extend(msgspec.structs.replace(e, value_left_out=True) for e in left_out)
            email = values.pop("email")
            record = Record(line=line, email=email, values=values, custom=custom_values)
            # One person per mailbox: "j.doe@gmail.com" further down is the line of "jdoe@gmail.com".
            first = self.records.get(email_key(email))
            if first is not None:
                self.duplicates += 1
                _merge(first, record, self.options.merge_policy)
                merged = "" if self.options.merge_policy == "skip" else ": its values were merged into that line's"
                same = "" if first.email == email else f" ({first.email}: the same mailbox)"
                self.skipped.append(SkippedRow(row=line, reason=f"Same email as line {first.line}{same}{merged}."))
            else:
                self.records[email_key(email)] = record

    def _read_phone(self, line: int, raw: str, values: dict[str, Any]) -> RowError | None:
        """A national number is read in the row's own country, else in the import's default one."""
        try:
            values["phone"] = n.valid_phone(raw, values.get("country") or self.options.default_country)
        except ValueError as exc:
            return RowError(row=line, field="phone", message=str(exc))
        return None

    def result(self) -> Prepared:
        return Prepared(
            records=list(self.records.values()),
            errors=self.errors,
            skipped=self.skipped,
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
