"""Reading the CSV files people actually have: any common encoding and delimiter, Excel quirks.

Pure: bytes in, header and rows out, or a CsvError that names the line.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter

import msgspec

from parcours.contacts.normalize import fold

DELIMITERS = (",", ";", "\t", "|")


class CsvError(ValueError):
    def __init__(self, message: str, row: int | None = None) -> None:
        super().__init__(message)
        self.row = row


class CsvTable(msgspec.Struct):
    encoding: str
    delimiter: str
    header: list[str]
    # (line number in the file, cells) for every non-blank data row.
    rows: list[tuple[int, list[str]]]


def decode(content: bytes) -> tuple[str, str]:
    if not content.strip():
        raise CsvError("The file is empty.")
    if b"\x00" in content[:65536]:
        raise CsvError(
            "This file is not a CSV (it looks like a binary file, such as a spreadsheet): save it as CSV and try again."
        )
    for encoding in ("utf-8-sig", "cp1252", "latin-1"):
        try:
            text = content.decode(encoding)
        except UnicodeDecodeError:
            continue
        return text, "utf-8" if encoding == "utf-8-sig" else encoding
    raise CsvError("The file's text encoding is not UTF-8 or Latin-1.")  # unreachable: latin-1 decodes all


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits the first lines into the most columns, consistently."""
    sample = [line for line in text.splitlines()[:50] if line.strip()]
    best, best_score = ",", -1.0
    for delimiter in DELIMITERS:
        try:
            widths = [len(row) for row in csv.reader(io.StringIO("\n".join(sample)), delimiter=delimiter)]
        except csv.Error:
            continue
        if not widths or max(widths) < 2:
            continue
        common, count = Counter(widths).most_common(1)[0]
        score = common * count / len(widths)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def read_table(content: bytes, *, max_rows: int | None = None) -> CsvTable:
    text, encoding = decode(content)
    delimiter = sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise CsvError("The file is empty.") from None
    except csv.Error as exc:
        raise CsvError(f"Line 1 is not valid CSV: {exc}.", 1) from None
    if len([h for h in header if h]) == 0:
        raise CsvError("The first line must name the columns, but it is empty.", 1)
    if len(header) < 2 and not _looks_like_column_name(header[0]):
        raise CsvError("This file is not a CSV: its first line does not name columns.", 1)
    duplicates = [name for name, n in Counter(h.lower() for h in header if h).items() if n > 1]
    if duplicates:
        raise CsvError(f"The column '{duplicates[0]}' appears twice in the first line: rename one.", 1)
    rows: list[tuple[int, list[str]]] = []
    line = reader.line_num
    try:
        for cells in reader:
            start, line = line + 1, reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) > len(header):
                extra = [c for c in cells[len(header) :] if c.strip()]
                if extra:
                    raise CsvError(
                        f"Line {start} has {len(cells)} values but the header names {len(header)} columns: "
                        "check for an unquoted delimiter in a value.",
                        start,
                    )
                cells = cells[: len(header)]
            rows.append((start, cells + [""] * (len(header) - len(cells))))
            if max_rows is not None and len(rows) >= max_rows:
                break
    except csv.Error as exc:
        raise CsvError(f"Line {reader.line_num} is not valid CSV: {exc}.", reader.line_num) from None
    return CsvTable(encoding=encoding, delimiter=delimiter, header=header, rows=rows)


def _looks_like_column_name(value: str) -> bool:
    return bool(re.fullmatch(r"[\w .\-'’()]{1,60}", value.strip()))


# Column names seen in exports from other tools, in English and French.
_SYNONYMS: dict[str, tuple[str, ...]] = {
    "email": (
        "email",
        "e mail",
        "mail",
        "email address",
        "adresse email",
        "adresse e mail",
        "courriel",
        "adresse mail",
        "emailaddress",
        "user email",
        "attendee email",
        "registrant email",
    ),
    "first_name": ("first name", "firstname", "given name", "prenom", "forename", "first"),
    "last_name": ("last name", "lastname", "surname", "family name", "nom", "nom de famille", "last"),
    "phone": (
        "phone",
        "telephone",
        "tel",
        "mobile",
        "portable",
        "phone number",
        "numero de telephone",
        "mobile phone",
        "cell",
    ),
    "job_title": ("job title", "title", "position", "poste", "fonction", "job", "titre"),
    "company": (
        "company",
        "company name",
        "organization",
        "organisation",
        "societe",
        "entreprise",
        "account",
        "compte",
        "raison sociale",
    ),
    "country": ("country", "pays", "country code", "code pays"),
    "city": ("city", "ville", "town", "localite"),
    "language": ("language", "langue", "lang", "locale", "preferred language"),
    "birth_date": ("birth date", "birthdate", "date of birth", "dob", "birthday", "date de naissance", "anniversaire"),
    "gender": ("gender", "sex", "sexe", "genre", "civilite", "salutation"),
    "lifecycle_stage": ("lifecycle stage", "stage", "lifecycle", "cycle de vie", "etape", "statut"),
    "source": ("source", "lead source", "origine", "origin", "provenance"),
    "consent_level": ("consent level", "consent", "consentement", "niveau de consentement"),
    "email_opt_in": (
        "email opt in",
        "opt in",
        "optin",
        "newsletter",
        "accepts marketing",
        "subscribed",
        "abonne",
        "opt in email",
    ),
    "sms_opt_in": ("sms opt in", "sms", "opt in sms", "sms consent"),
    "unsubscribed": ("unsubscribed", "desabonne", "opted out", "opt out", "desinscrit"),
    "account_industry": (
        "industry",
        "company industry",
        "sector",
        "secteur",
        "secteur d activite",
        "industrie",
        "activite",
        "code naf libelle",
    ),
    "account_size": (
        "company size",
        "size",
        "employees",
        "number of employees",
        "employee count",
        "headcount",
        "effectif",
        "effectifs",
        "taille",
        "taille entreprise",
        "taille de l entreprise",
        "nombre de salaries",
        "salaries",
        "tranche d effectif",
    ),
    "account_annual_revenue": (
        "annual revenue",
        "revenue",
        "company revenue",
        "turnover",
        "chiffre d affaires",
        "chiffre d affaires annuel",
        "ca",
        "ca annuel",
    ),
    "account_country": (
        "company country",
        "hq country",
        "pays de la societe",
        "pays entreprise",
        "pays de l entreprise",
    ),
    "account_website": (
        "website",
        "web site",
        "company website",
        "url",
        "site",
        "site web",
        "site internet",
        "site de l entreprise",
    ),
    "account_domain": ("domain", "company domain", "domaine", "nom de domaine", "domaine de l entreprise"),
}


def suggest_mapping(header: list[str], custom_fields: dict[str, str]) -> dict[str, str | None]:
    """Column -> field ('custom.<name>' for custom fields), or None to ignore the column."""
    lookup: dict[str, str] = {}
    for field, names in _SYNONYMS.items():
        for name in names + (field.replace("_", " "),):
            lookup.setdefault(fold(name), field)
    for name, label in custom_fields.items():
        lookup.setdefault(fold(name.replace("_", " ")), f"custom.{name}")
        lookup.setdefault(fold(label), f"custom.{name}")
    mapping: dict[str, str | None] = {}
    taken: set[str] = set()
    for column in header:
        known = lookup.get(fold(column))
        mapping[column] = known if known and known not in taken else None
        if known:
            taken.add(known)
    return mapping
