"""Turn what people type (or export from other tools) into clean field values.

Pure functions: each takes a raw value and returns the normalized one or raises ValueError
with a sentence a marketer can act on. Used by the API, the form handlers and imports.
"""

from __future__ import annotations

import gettext
import re
import unicodedata
from datetime import date, datetime
from functools import cache
from typing import Any, Literal

import phonenumbers
import pycountry

from parcours.addresses import normalize_email
from parcours.contacts.vocabulary import CONSENT_LEVELS, LIFECYCLE_STAGES

DateFormat = Literal["auto", "YYYY-MM-DD", "DD/MM/YYYY", "MM/DD/YYYY"]

__all__ = [
    "clean_text",
    "fold",
    "normalize_consent_level",
    "normalize_country",
    "normalize_domain",
    "normalize_email",
    "normalize_gender",
    "normalize_language",
    "normalize_phone",
    "normalize_stage",
    "normalize_website",
    "parse_bool",
    "parse_date",
    "parse_number",
    "proper_case",
    "search_text",
    "valid_phone",
]


_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


def fold(value: str) -> str:
    """Lower-case, strip accents and punctuation: 'États-Unis' and 'etats unis' meet."""
    lowered = value.strip().lower()
    if not lowered.isascii():  # ASCII has no accents to strip (and NFKD leaves it as it is)
        decomposed = unicodedata.normalize("NFKD", lowered)
        lowered = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _NOT_ALNUM.sub(" ", lowered).strip()


def search_text(first_name: str | None, last_name: str | None, email: str) -> str:
    """What contact search matches against: names and email, folded."""
    return fold(f"{first_name or ''} {last_name or ''} {email}")[:800]


def clean_text(value: Any, limit: int = 200) -> str | None:
    text = re.sub(r"\s+", " ", str(value)).strip() if value is not None else ""
    return text[:limit] or None


# ---- companies' web addresses -----------------------------------------------------------------

_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)")


def normalize_domain(value: str) -> str:
    """A company's domain as accounts are matched on: 'https://WWW.Acme.fr/contact' is 'acme.fr'."""
    text = value.strip().lower()
    text = re.sub(r"^[a-z][a-z0-9+.-]*://", "", text)
    text = re.split(r"[/?#]", text, maxsplit=1)[0]
    text = text.rpartition("@")[2].split(":", 1)[0].rstrip(".")
    text = text.removeprefix("www.")
    try:
        # International names compare in their ASCII form: 'société.fr' and 'xn--socit-esab.fr' meet.
        text = text.encode("idna").decode("ascii") if not text.isascii() else text
    except UnicodeError:
        raise ValueError(f"'{value}' is not a web address or a domain.") from None
    labels = text.split(".")
    if len(labels) < 2 or len(text) > 200 or not all(_LABEL.fullmatch(label) for label in labels):
        raise ValueError(f"'{value}' is not a web address or a domain (like acme.com).")
    if labels[-1].isdigit():
        raise ValueError(f"'{value}' is an IP address, not a company's domain.")
    return text


def normalize_website(value: str) -> str:
    """A company's website as a link one can open: 'acme.fr' is 'https://acme.fr'."""
    text = value.strip()
    normalize_domain(text)  # refuses what is not a web address
    if "@" in text or " " in text:
        raise ValueError(f"'{value}' is not a web address (like https://acme.com).")
    if not re.match(r"^https?://", text, re.IGNORECASE):
        text = "https://" + re.sub(r"^[a-z][a-z0-9+.-]*://", "", text, flags=re.IGNORECASE)
    if len(text) > 300:
        raise ValueError("This web address is longer than 300 characters.")
    return text


# ---- phone -----------------------------------------------------------------------------------


def normalize_phone(value: str, default_country: str | None = "FR") -> str:
    raw = value.strip()
    if raw.startswith("00"):
        raw = "+" + raw[2:]
    try:
        number = phonenumbers.parse(raw, None if raw.startswith("+") else default_country)
    except phonenumbers.NumberParseException:
        raise ValueError(f"'{value}' is not a phone number.") from None
    if not phonenumbers.is_possible_number(number):
        raise ValueError(f"'{value}' is not a possible phone number (check the digits and country code).")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def valid_phone(value: str, country: str | None) -> str:
    """A number read in `country` unless it has its own prefix, refused unless it is allocated there
    (stricter than normalize_phone: '06 12 34 56 78' is possible in Belgium but no Belgian has it)."""
    raw = value.strip()
    if raw.startswith("00"):
        raw = "+" + raw[2:]
    if not raw.startswith("+") and not country:
        raise ValueError(f"'{value}' has no country code (+33 ...) and its row no country.")
    try:
        number = phonenumbers.parse(raw, None if raw.startswith("+") else country)
    except phonenumbers.NumberParseException:
        raise ValueError(f"'{value}' is not a phone number.") from None
    if not phonenumbers.is_valid_number(number):
        region = phonenumbers.region_code_for_country_code(number.country_code or 0)
        place = country_name(region if raw.startswith("+") or not country else country)
        raise ValueError(f"'{value}' is not a valid phone number for {place}.")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


# ---- countries and languages -------------------------------------------------------------------

_COUNTRY_ALIASES = {
    "uk": "GB",
    "u k": "GB",
    "great britain": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "angleterre": "GB",
    "grande bretagne": "GB",
    "usa": "US",
    "u s a": "US",
    "us": "US",
    "u s": "US",
    "america": "US",
    "etats unis d amerique": "US",
    "holland": "NL",
    "hollande": "NL",
    "russia": "RU",
    "russie": "RU",
    "south korea": "KR",
    "coree du sud": "KR",
    "vietnam": "VN",
    "czech republic": "CZ",
    "republique tcheque": "CZ",
    "ivory coast": "CI",
    "cote d ivoire": "CI",
    "suisse": "CH",
    "belgique": "BE",
    "deutschland": "DE",
    "espana": "ES",
    "italia": "IT",
}


@cache
def _countries() -> dict[str, str]:
    french = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["fr"], fallback=True)
    table: dict[str, str] = {}
    for country in pycountry.countries:
        code = country.alpha_2
        names = {country.name, getattr(country, "common_name", ""), getattr(country, "official_name", "")}
        names |= {french.gettext(n) for n in list(names) if n}
        for name in names | {country.alpha_2, country.alpha_3}:
            if name:
                table.setdefault(fold(name), code)
    table.update(_COUNTRY_ALIASES)
    return table


def country_name(code: str) -> str:
    """'BE' -> 'Belgium' (the code itself when it is no country, such as '001' for global numbers)."""
    country = pycountry.countries.get(alpha_2=code)
    return (getattr(country, "common_name", None) or country.name) if country else code


def normalize_country(value: str) -> str:
    code = _countries().get(fold(value))
    if code is None:
        raise ValueError(f"'{value}' is not a country we know: use a name (France) or a code (FR).")
    return code


@cache
def _languages() -> dict[str, str]:
    french = gettext.translation("iso639-3", pycountry.LOCALES_DIR, languages=["fr"], fallback=True)
    table: dict[str, str] = {}
    for language in pycountry.languages:
        code = getattr(language, "alpha_2", None)
        if not code:
            continue
        for name in (language.name, french.gettext(language.name), code, language.alpha_3):
            table.setdefault(fold(name), code)
    table.update({"francais": "fr", "anglais": "en", "allemand": "de", "espagnol": "es"})
    return table


def normalize_language(value: str) -> str:
    raw = value.strip()
    # "fr-FR", "en_GB": the language part is what we keep.
    base = re.split(r"[-_]", raw, maxsplit=1)[0] if re.fullmatch(r"[A-Za-z]{2,3}[-_][A-Za-z]{2,4}", raw) else raw
    code = _languages().get(fold(base))
    if code is None:
        raise ValueError(f"'{value}' is not a language we know: use a code (fr, en) or a name (French).")
    return code


# ---- names -----------------------------------------------------------------------------------

_PARTICLES = {"de", "du", "des", "la", "le", "van", "von", "der", "den", "da", "di", "del", "dos", "y", "e"}


def _cap(word: str) -> str:
    """Upper-case the first letter (not a leading bracket or digit), lower-case the rest."""
    for i, char in enumerate(word):
        if char.isalpha():
            return word[:i] + char.upper() + word[i + 1 :].lower()
    return word


def _case_word(word: str, first: bool) -> str:
    if not first and word.lower() in _PARTICLES:
        return word.lower()
    parts = re.split(r"([-'’])", word)
    cased = []
    for i, part in enumerate(parts):
        # "d'Artagnan", "l'Hermite": the elided particle stays lower-case after a first name.
        elided = i == 0 and not first and part.lower() in ("d", "l") and len(parts) > 2 and parts[1] in "'’"
        cased.append(part.lower() if elided else _cap(part))
    return "".join(cased)


def proper_case(value: str) -> str | None:
    """'jean-PIERRE de la FONTAINE' -> 'Jean-Pierre de la Fontaine'; "o'brien" -> "O'Brien"."""
    words = clean_text(value, 100)
    if words is None:
        return None
    return " ".join(_case_word(word, index == 0) for index, word in enumerate(words.split(" ")))


# ---- choices ---------------------------------------------------------------------------------

_GENDERS = {
    "f": "female",
    "female": "female",
    "woman": "female",
    "femme": "female",
    "mme": "female",
    "madame": "female",
    "mrs": "female",
    "ms": "female",
    "miss": "female",
    "mlle": "female",
    "w": "female",
    "m": "male",
    "male": "male",
    "man": "male",
    "homme": "male",
    "mr": "male",
    "monsieur": "male",
    "h": "male",
    "other": "other",
    "autre": "other",
    "non binary": "other",
    "nonbinary": "other",
    "nb": "other",
    "x": "other",
    "undisclosed": "undisclosed",
    "unknown": "undisclosed",
    "inconnu": "undisclosed",
    "prefer not to say": "undisclosed",
    "non precise": "undisclosed",
}


def normalize_gender(value: str) -> str:
    gender = _GENDERS.get(fold(value))
    if gender is None:
        raise ValueError(f"'{value}' is not a gender we know: use female, male, other or undisclosed.")
    return gender


_STAGE_ALIASES = {
    "mql": "marketing_qualified",
    "sql": "sales_ready",
    "client": "customer",
    "prospect": "lead",
    "abonne": "subscriber",
    "opportunite": "opportunity",
    "disqualifie": "disqualified",
}


def normalize_stage(value: str) -> str:
    key = fold(value).replace(" ", "_")
    stage = key if key in LIFECYCLE_STAGES else _STAGE_ALIASES.get(key.replace("_", " "))
    if stage is None:
        raise ValueError(f"'{value}' is not a lifecycle stage: use one of {', '.join(LIFECYCLE_STAGES)}.")
    return stage


def normalize_consent_level(value: str) -> str:
    key = fold(value)
    level = key if key in CONSENT_LEVELS else {"aucun": "none", "transactionnel": "transactional"}.get(key)
    if level is None:
        raise ValueError(f"'{value}' is not a consent level: use one of {', '.join(CONSENT_LEVELS)}.")
    return level


_TRUE = {"1", "true", "yes", "y", "oui", "o", "x", "vrai", "on", "opt in", "optin"}
_FALSE = {"0", "false", "no", "n", "non", "faux", "off", "opt out", "optout"}


def parse_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    key = fold(str(value))
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    raise ValueError(f"'{value}' is not yes or no.")


def parse_number(value: Any) -> float:
    """'1 234,56', '1,234.56', '1234.56' and '12 %' are all numbers."""
    if isinstance(value, bool):
        raise ValueError(f"'{value}' is not a number.")  # noqa: TRY004  (callers report a ValueError as a bad cell)
    if isinstance(value, (int, float)):
        return float(value)
    text = re.sub(r"[\s\u00a0\u202f%€$£]", "", str(value))
    if re.fullmatch(r"-?\d{1,3}(,\d{3})+(\.\d+)?", text):
        text = text.replace(",", "")
    elif re.fullmatch(r"-?\d{1,3}(\.\d{3})+(,\d+)?", text):
        text = text.replace(".", "").replace(",", ".")
    else:
        text = text.replace(",", ".")
    try:
        return float(text)
    except ValueError:
        raise ValueError(f"'{value}' is not a number.") from None


_DATE_PATTERNS: dict[str, tuple[str, ...]] = {
    "YYYY-MM-DD": ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d"),
    "DD/MM/YYYY": ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%y"),
    "MM/DD/YYYY": ("%m/%d/%Y", "%m-%d-%Y", "%m/%d/%y"),
}


def parse_date(value: Any, date_format: DateFormat = "auto") -> date:
    """ISO dates always work; 'auto' reads 03/04/1990 day first, as in most of the world."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()[:10] if re.match(r"\d{4}-\d{2}-\d{2}T", str(value).strip()) else str(value).strip()
    formats = _DATE_PATTERNS["YYYY-MM-DD"]
    formats += _DATE_PATTERNS["DD/MM/YYYY"] if date_format in ("auto", "DD/MM/YYYY") else ()
    formats += _DATE_PATTERNS["MM/DD/YYYY"] if date_format == "MM/DD/YYYY" else ()
    for pattern in formats:
        try:
            parsed = datetime.strptime(text, pattern).date()
        except ValueError:
            continue
        if not 1900 <= parsed.year <= 2100:
            raise ValueError(f"'{value}' is outside the years 1900 to 2100.")
        return parsed
    expected = "YYYY-MM-DD" if date_format == "auto" else date_format
    raise ValueError(f"'{value}' is not a date: write it as {expected} (or YYYY-MM-DD).")


def coerce_custom(field_type: str, choices: list[str], value: Any, date_format: DateFormat = "auto") -> Any:
    """A custom field's value in its stored form: str, float, bool, or an ISO date string."""
    if field_type == "number":
        return parse_number(value)
    if field_type == "boolean":
        return parse_bool(value)
    if field_type == "date":
        return parse_date(value, date_format).isoformat()
    if field_type == "choice":
        wanted = fold(str(value))
        for choice in choices:
            if fold(choice) == wanted:
                return choice
        raise ValueError(f"'{value}' is not one of the choices: {', '.join(choices)}.")
    text = clean_text(value, 1000)
    if text is None:
        raise ValueError("The value is empty.")
    return text
