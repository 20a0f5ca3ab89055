"""Phone numbers to WhatsApp identifiers, with Google's libphonenumber (the `phonenumbers` package).

Callbell's examples write WhatsApp numbers as country code + national number, digits only
(`391234567890`): that is the default form; `e164` adds the `+`. A reading that changed what the cell says
(an extension removed, digits read as a foreign mobile) is told in `Phone.notes`, for the person.
"""

from __future__ import annotations

import gettext
import re
import tomllib
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Literal

import phonenumbers
from phonenumbers import (
    COUNTRY_CODE_TO_REGION_CODE,
    SUPPORTED_REGIONS,
    NumberParseException,
    PhoneMetadata,
    PhoneNumber,
    PhoneNumberFormat,
    PhoneNumberType,
    ValidationResult,
)

from importer.i18n.message import N_, Territory, Text
from importer.phones._fast import country_code_prefix, is_valid, parse, plain_digits, valid_parts

try:  # the library's own extension spellings (x, ext., #, ;ext=, anexo...), as its parser strips them
    from phonenumbers.phonenumberutil import _EXTN_PATTERN as _LIBRARY_EXTENSION
except ImportError:  # a release that renamed it: its parse still drops those, unreported
    _LIBRARY_EXTENSION = None

__all__ = [
    "Phone",
    "PhoneFormat",
    "country_names",
    "is_region",
    "is_valid",
    "normalize_phone",
    "parse",
    "region_for",
    "split_extension",
]

PhoneFormat = Literal["digits", "e164"]

# Messages (importer.i18n): the validation's output renders them in the run's language; str() is English.
_NOT_A_PHONE = N_("not a phone number")
_UNKNOWN_CODE = N_("unknown country code")
_TOO_SHORT = N_("too short")
_TOO_LONG = N_("too long")
_PARSE_ERRORS = {
    NumberParseException.INVALID_COUNTRY_CODE: _UNKNOWN_CODE,
    NumberParseException.NOT_A_NUMBER: _NOT_A_PHONE,
    NumberParseException.TOO_SHORT_AFTER_IDD: N_("too short after the international prefix"),
    NumberParseException.TOO_SHORT_NSN: _TOO_SHORT,
    NumberParseException.TOO_LONG: _TOO_LONG,
}
_POSSIBLE_ERRORS = {
    ValidationResult.INVALID_COUNTRY_CODE: _UNKNOWN_CODE,
    ValidationResult.TOO_SHORT: _TOO_SHORT,
    ValidationResult.TOO_LONG: _TOO_LONG,
    ValidationResult.INVALID_LENGTH: N_("wrong length"),
}
_EMPTY = N_("empty")
_SCIENTIFIC_ERROR = N_("in scientific notation (3.46E+10): its digits are lost; format the column as text")
_NO_REGION = N_("no country code and no default region (use --default-region or a Country column)")
_MEXICO_ONE = N_("the 1 after +52 removed (Mexico dropped it in 2019)")
_PREFIXES = re.compile(r"^\s*(?:whatsapp:|wa:|tel:)\s*", re.IGNORECASE)
_JUNK = re.compile(r"[\s.\-/()\u00a0\u2010-\u2015]+")
_SCIENTIFIC = re.compile(r"^[+-]?\d+(?:[.,]\d+)?[eE][+-]?\d+$")
_WHOLE_FLOAT = re.compile(r"^\+?\d{7,}\.0$")


@dataclass(frozen=True, slots=True)
class Phone:
    identifier: str | None  # what is sent to Callbell; None when the number is unusable
    error: Text | None = None  # why, for a person (a Message: str() is English)
    extension: str | None = None  # the digits of an extension removed from the cell: WhatsApp numbers have none
    notes: tuple[Text, ...] = ()  # what the reading changed, one short sentence each, for a person


def normalize_phone(raw: str, region: str | None = None, fmt: PhoneFormat = "digits") -> Phone:
    if not raw.isascii():
        # Full-width digits and "＋" become ASCII; invisible direction marks pasted from chats go.
        raw = "".join(c for c in unicodedata.normalize("NFKC", raw) if unicodedata.category(c) != "Cf")
    text = (_PREFIXES.sub("", raw) if ":" in raw else raw).strip()
    if not text:
        return Phone(None, _EMPTY)
    if ("e" in text or "E" in text) and _SCIENTIFIC.match(text):
        return Phone(None, _SCIENTIFIC_ERROR)
    if text[-2:] == ".0" and _WHOLE_FLOAT.match(text):
        text = text[:-2]  # "34600112233.0", as pandas and some exports write whole numbers
    compact = _JUNK.sub("", text)
    # Anything but digits after the first character (a letter, "#", ";", ","): maybe an extension ("x123").
    # One string method decides, so digits, with or without "+", pay nothing for the look.
    if not compact[1:].isdigit():
        rest, extension = split_extension(text)
        if extension is not None:
            phone = normalize_phone(rest, region, fmt)
            return Phone(
                phone.identifier,
                phone.error,
                extension,
                (N_("extension {extension} removed", extension=extension), *phone.notes),
            )
    if compact.startswith("00"):
        compact = "+" + compact[2:]  # the international prefix of most of the world
    region = region.upper() if region else None
    # The common row: a valid number read from digits, answered without a PhoneNumber (importer.phones._fast);
    # a reading that might go another way (digits that could be a mobile abroad) takes the full path below.
    if (parts := valid_parts(compact, region)) is not None:
        code, national = parts
        if compact[0] in "+0" or not _mobile_abroad_possible(compact) or compact == f"{code}{national}":
            return Phone(f"+{code}{national}" if fmt == "e164" else f"{code}{national}")
    if not compact.startswith("+") and not region:
        # Spreadsheets drop the "+" of international numbers; accept digits that are valid that way.
        found = _without_plus(compact)
        if found is None:
            return Phone(None, _NO_REGION)
        return Phone(_format(found, fmt))
    try:
        number = parse(compact, region)
    except NumberParseException as exc:
        # Digits the region's international prefix reads wrongly (99 in North Korea): maybe a number without "+".
        found = _without_plus(compact)
        if found is not None:
            return Phone(_format(found, fmt))
        return Phone(None, _for(_PARSE_ERRORS.get(exc.error_type, _NOT_A_PHONE), region, compact))
    if is_valid(number):
        # "34612345678" in a German sheet reads as a German landline, and as a Spanish mobile that lost its "+"
        # (how Callbell writes numbers, and how exports drop the "+"). WhatsApp numbers are mobiles: the
        # international reading wins when it is one and the national reading is not. Only for digits with no
        # trunk prefix that could be a mobile abroad (a length look-up rules out most national numbers), and not
        # already read as country code + number (34612345678 in Spain).
        if (
            compact[0] != "0"
            and plain_digits(compact)
            and _mobile_abroad_possible(compact)
            and not _read_with_its_country_code(compact, number)
        ):
            other = _without_plus(compact)
            if other is not None and other != number and _is_mobile(other) and not _is_mobile(number):
                note = N_(
                    "read as {number} ({country}, a mobile number), not as a {region} number",
                    number=_shown(other),
                    country=_country(other),
                    region=region,
                )
                return Phone(_format(other, fmt), notes=(note,))
        return Phone(_format(number, fmt))
    # Only after a written +52: a "1" before ten digits, with no country code, is a number of the +1 countries.
    legacy = _without_mexican_mobile_one(number) if compact.lstrip("+").startswith("52") else None
    if legacy is not None:
        return Phone(_format(legacy, fmt), notes=(_MEXICO_ONE,))
    # "34612345678" typed in a Spanish sheet: a full international number that lost its "+".
    found = _without_plus(compact)
    if found is not None:
        note = N_(
            "read as {number} ({country}): not a valid {region} number",
            number=_shown(found),
            country=_country(found),
            region=region,
        )
        # No note for digits that hold the region's own country code (34612345678 in a Spanish sheet, the way
        # Callbell writes numbers): that reading is the obvious one.
        foreign = region is not None and phonenumbers.region_code_for_number(found) != region
        return Phone(_format(found, fmt), notes=(note,) if foreign else ())
    reason = phonenumbers.is_possible_number_with_reason(number)
    where = phonenumbers.region_code_for_number(number) or region
    if reason in _POSSIBLE_ERRORS:
        error = _POSSIBLE_ERRORS[reason]
        return Phone(None, N_("{error} for {region}", error=error, region=where) if where else error)
    return Phone(None, N_("not a valid number for {region}", region=where) if where else N_("not a valid number"))


def split_extension(text: str) -> tuple[str, str | None]:
    """The number without its extension, and the extension's digits (None when there is none):
    "(376)694-9481x10051" is ("(376)694-9481", "10051")."""
    match = _LIBRARY_EXTENSION.search(text) if _LIBRARY_EXTENSION is not None else None
    if match is None:
        match = _labelled_extension().search(text)
    if match is None or not any(c.isdigit() for c in text[: match.start()]):  # "Ana x 12": no number before it
        return text, None
    return text[: match.start()].rstrip(), next(group for group in match.groups() if group)


def _shown(number: PhoneNumber) -> str:
    # "+34 612345678": country code apart, as people read it; format_number's grouping would cost ~10 us a row.
    return f"+{number.country_code} {phonenumbers.national_significant_number(number)}"


def _country(number: PhoneNumber) -> Territory | str:
    # The country's name in the run's language (Spain, España...) when the message is rendered (importer.i18n).
    region = phonenumbers.region_code_for_number(number)
    return Territory(region) if region and region != "001" else f"+{number.country_code}"


def _read_with_its_country_code(digits: str, number: PhoneNumber) -> bool:
    code = str(number.country_code)
    return digits.startswith(code) and digits[len(code) :] == phonenumbers.national_significant_number(number)


def _without_plus(compact: str) -> PhoneNumber | None:
    """Plain digits read as an international number that lost its "+", when that is a valid number."""
    return _parse_valid("+" + compact) if plain_digits(compact) else None


def _parse_valid(text: str) -> PhoneNumber | None:
    try:
        number = parse(text, None)
    except NumberParseException:
        return None
    return number if is_valid(number) else _without_mexican_mobile_one(number)


def _mobile_abroad_possible(digits: str) -> bool:
    """Whether +digits has enough digits after its country code to be a mobile number there: a cheap no for most
    national numbers (612345678 is +61 2345678, too short for an Australian mobile) before parsing them again."""
    prefix = country_code_prefix(digits)
    return prefix is not None and len(digits) - prefix[1] >= _shortest_mobile(prefix[0])


@cache
def _shortest_mobile(country_code: int) -> int:
    """The fewest digits a mobile number of this country code can have."""
    lengths = [99]
    for region in COUNTRY_CODE_TO_REGION_CODE[country_code]:
        metadata = PhoneMetadata.metadata_for_region_or_calling_code(country_code, region)
        if metadata is None:
            continue
        general = metadata.general_desc.possible_length if metadata.general_desc is not None else ()
        descs = [metadata.mobile] + ([metadata.fixed_line] if metadata.same_mobile_and_fixed_line_pattern else [])
        for desc in descs:
            if desc is not None and desc.national_number_pattern:
                possible = desc.possible_length or general
                lengths.append(min(possible) if possible else 0)
    return min(lengths)


_MOBILE_TYPES = frozenset({PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE})


def _is_mobile(number: PhoneNumber) -> bool:
    return phonenumbers.number_type(number) in _MOBILE_TYPES


def _without_mexican_mobile_one(number: PhoneNumber) -> PhoneNumber | None:
    """Mexico dropped the "1" of mobile numbers in 2019 (+52 1 55... -> +52 55...); old sheets still have it."""
    national = str(number.national_number)
    if number.country_code != 52 or len(national) != 11 or not national.startswith("1"):
        return None
    return _parse_valid("+52" + national[1:])


def _for(error: Text, region: str | None, compact: str) -> Text:
    return error if compact.startswith("+") or not region else N_("{error} for {region}", error=error, region=region)


def _format(number: PhoneNumber, fmt: PhoneFormat) -> str:
    e164 = phonenumbers.format_number(number, PhoneNumberFormat.E164)
    return e164 if fmt == "e164" else e164[1:]


def is_region(code: str) -> bool:
    """Whether `code` (any case) is a two-letter country code that phone numbers can be read for."""
    return code.strip().upper() in SUPPORTED_REGIONS


def region_for(country: str) -> str | None:
    """The phone region for a Country cell: an ISO code (ES, ESP), a calling code (+34, 34) or a name in
    English, Spanish, Portuguese, Italian, French or German (Spain, España, Espanha, Spagna, Espagne, Spanien,
    Reino Unido), or an everyday short form (UK, USA, EE.UU.); None when it is none of those."""
    text = country.strip()
    code = text.upper()
    if code in phonenumbers.SUPPORTED_REGIONS:
        return code
    digits = code.lstrip("+")
    if digits.isascii() and digits.isdigit():  # not "²": isdigit() alone admits digits int() refuses
        region = phonenumbers.region_code_for_country_code(int(digits))
        return region if region in phonenumbers.SUPPORTED_REGIONS else None  # not "ZZ", nor "001" (+800...)
    region = country_names().get(_fold(text))
    return region if region in phonenumbers.SUPPORTED_REGIONS else None


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.replace(".", " ").replace("-", " ").replace("'", " ").split())


# pycountry's translations of the ISO 3166 names, besides English: pt_BR before pt (Brazil's spellings first).
_LANGUAGES = ("es", "pt_BR", "pt", "it", "fr", "de")


@cache  # built once per process from pycountry's tables and our data file
def country_names() -> dict[str, str]:
    """Folded country names (see _fold) to ISO 3166 alpha-2 codes."""
    import pycountry

    translations = [str]
    for language in _LANGUAGES:
        try:
            translations.append(gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[language]).gettext)
        except OSError:  # a pycountry built without that locale
            continue
    names: dict[str, str] = {}
    heads: dict[str, set[str]] = {}
    for country in pycountry.countries:
        code = country.alpha_2
        english = [
            n
            for n in (country.name, getattr(country, "official_name", None), getattr(country, "common_name", None))
            if n
        ]
        for translate in translations:
            for name in english:
                local = translate(name)
                names.setdefault(_fold(local), code)
                # "Bolivia, Plurinational State of", "Bolivia (Estado Plurinacional de)": "Bolivia" alone too, when
                # that names one country ("Korea, ..." names two).
                head = re.split(r"[,(]", local, maxsplit=1)[0]
                if head != local:
                    heads.setdefault(_fold(head), set()).add(code)
        names.setdefault(_fold(country.alpha_3), code)
    for head, codes in heads.items():
        if len(codes) == 1 and head:
            names.setdefault(head, codes.pop())
    names |= {_fold(name): code.upper() for name, code in _phone_words()["countries"].items()}
    return names


@cache
def _phone_words() -> dict[str, Any]:
    """importer/data/phones.toml: extension labels and country names that people extend."""
    return tomllib.loads(resources.files("importer").joinpath("data/phones.toml").read_text(encoding="utf-8"))


@cache
def _labelled_extension() -> re.Pattern[str]:
    """An extension after a label of the data file ("ramal 12", "DW: 12"), at the end of the text."""
    labels = sorted(_phone_words()["extension"]["labels"], key=len, reverse=True)
    alternatives = "|".join(re.escape(label) for label in labels)
    return re.compile(rf"[\s,;]*(?<![^\W\d_])(?:{alternatives})\.?[\s:=.\-]*(\d{{1,20}})\s*#?$", re.IGNORECASE)
