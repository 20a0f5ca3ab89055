"""Phone numbers to WhatsApp identifiers, with Google's libphonenumber (the `phonenumbers` package).

Callbell's examples write WhatsApp numbers as country code + national number, digits only
(`391234567890`): that is the default form; `e164` adds the `+`.
"""

from __future__ import annotations

import gettext
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from typing import Literal

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat, ValidationResult

PhoneFormat = Literal["digits", "e164"]

_PARSE_ERRORS = {
    NumberParseException.INVALID_COUNTRY_CODE: "unknown country code",
    NumberParseException.NOT_A_NUMBER: "not a phone number",
    NumberParseException.TOO_SHORT_AFTER_IDD: "too short after the international prefix",
    NumberParseException.TOO_SHORT_NSN: "too short",
    NumberParseException.TOO_LONG: "too long",
}
_POSSIBLE_ERRORS = {
    ValidationResult.INVALID_COUNTRY_CODE: "unknown country code",
    ValidationResult.TOO_SHORT: "too short",
    ValidationResult.TOO_LONG: "too long",
    ValidationResult.INVALID_LENGTH: "wrong length",
}
_PREFIXES = re.compile(r"^\s*(?:whatsapp:|wa:|tel:)\s*", re.IGNORECASE)
_JUNK = re.compile(r"[\s.\-/()\u00a0\u2010-\u2015]+")
_SCIENTIFIC = re.compile(r"^[+-]?\d+(?:[.,]\d+)?[eE][+-]?\d+$")
_WHOLE_FLOAT = re.compile(r"^\+?\d{7,}\.0$")


@dataclass(frozen=True)
class Phone:
    identifier: str | None  # what is sent to Callbell; None when the number is unusable
    error: str | None = None  # why, for a person


def normalize_phone(raw: str, region: str | None = None, fmt: PhoneFormat = "digits") -> Phone:
    if not raw.isascii():
        # Full-width digits and "＋" become ASCII; invisible direction marks pasted from chats go.
        raw = "".join(c for c in unicodedata.normalize("NFKC", raw) if unicodedata.category(c) != "Cf")
    text = (_PREFIXES.sub("", raw) if ":" in raw else raw).strip()
    if not text:
        return Phone(None, "empty")
    if _SCIENTIFIC.match(text):
        return Phone(None, "in scientific notation (3.46E+10): its digits are lost; format the column as text")
    if _WHOLE_FLOAT.match(text):
        text = text[:-2]  # "34600112233.0", as pandas and some exports write whole numbers
    compact = _JUNK.sub("", text)
    if compact.startswith("00"):
        compact = "+" + compact[2:]  # the international prefix of most of the world
    region = region.upper() if region else None
    if not compact.startswith("+") and not region:
        # Spreadsheets drop the "+" of international numbers; accept digits that are valid that way.
        found = _parse_valid("+" + compact) if compact.isascii() and compact.isdigit() else None
        if found is None:
            return Phone(None, "no country code and no default region (use --default-region or a Country column)")
        return Phone(_format(found, fmt))
    try:
        number = phonenumbers.parse(compact, region)
    except NumberParseException as exc:
        return Phone(None, _PARSE_ERRORS.get(exc.error_type, "not a phone number") + _for(region, compact))
    if phonenumbers.is_valid_number(number):
        return Phone(_format(number, fmt))
    legacy = _without_mexican_mobile_one(number)
    if legacy is not None:
        return Phone(_format(legacy, fmt))
    # "34612345678" typed in a Spanish sheet: a full international number that lost its "+".
    if not compact.startswith("+") and compact.isascii() and compact.isdigit():
        found = _parse_valid("+" + compact)
        if found is not None:
            return Phone(_format(found, fmt))
    reason = phonenumbers.is_possible_number_with_reason(number)
    where = phonenumbers.region_code_for_number(number) or region
    if reason in _POSSIBLE_ERRORS:
        return Phone(None, f"{_POSSIBLE_ERRORS[reason]} for {where}" if where else _POSSIBLE_ERRORS[reason])
    return Phone(None, f"not a valid number for {where}" if where else "not a valid number")


def _parse_valid(text: str) -> phonenumbers.PhoneNumber | None:
    try:
        number = phonenumbers.parse(text, None)
    except NumberParseException:
        return None
    return number if phonenumbers.is_valid_number(number) else None


def _without_mexican_mobile_one(number: phonenumbers.PhoneNumber) -> phonenumbers.PhoneNumber | None:
    """Mexico dropped the "1" of mobile numbers in 2019 (+52 1 55... -> +52 55...); old sheets still have it."""
    national = str(number.national_number)
    if number.country_code != 52 or len(national) != 11 or not national.startswith("1"):
        return None
    return _parse_valid("+52" + national[1:])


def _for(region: str | None, compact: str) -> str:
    return "" if compact.startswith("+") or not region else f" for {region}"


def _format(number: phonenumbers.PhoneNumber, fmt: PhoneFormat) -> str:
    e164 = phonenumbers.format_number(number, PhoneNumberFormat.E164)
    return e164 if fmt == "e164" else e164[1:]


def region_for(country: str) -> str | None:
    """The phone region for a Country cell: an ISO code (ES, ESP), a calling code (+34, 34) or a name in
    English or Spanish (Spain, España, Reino Unido); None when it is none of those."""
    text = country.strip()
    code = text.upper()
    if code in phonenumbers.SUPPORTED_REGIONS:
        return code
    digits = code.lstrip("+")
    if digits.isascii() and digits.isdigit():  # not "²": isdigit() alone admits digits int() refuses
        region = phonenumbers.region_code_for_country_code(int(digits))
        return region if region in phonenumbers.SUPPORTED_REGIONS else None  # not "ZZ", nor "001" (+800...)
    region = _country_names().get(_fold(text))
    return region if region in phonenumbers.SUPPORTED_REGIONS else None


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).replace(".", " ").split())


@cache  # built once per process from pycountry's tables, a few milliseconds
def _country_names() -> dict[str, str]:
    import pycountry

    try:
        spanish = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["es"]).gettext
    except OSError:
        spanish = str
    names: dict[str, str] = {}
    for country in pycountry.countries:
        for name in (country.name, getattr(country, "official_name", None), getattr(country, "common_name", None)):
            if name:
                names.setdefault(_fold(name), country.alpha_2)
                names.setdefault(_fold(spanish(name)), country.alpha_2)
        names.setdefault(_fold(country.alpha_3), country.alpha_2)
    names |= {"uk": "GB", "usa": "US", "eeuu": "US", "ee uu": "US", "england": "GB", "inglaterra": "GB"}
    return names
