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

try:  # the parser's own steps, reused by the fast path below
    from phonenumbers.phonenumberutil import (
        _match_national_number,
        _maybe_strip_national_prefix_carrier_code,
        _test_number_length,
    )

    _FAST_PARSE = True
except ImportError:  # a release that renamed its internals: its own parse is always right, only slower
    _FAST_PARSE = False

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
        found = _without_plus(compact)
        if found is None:
            return Phone(None, "no country code and no default region (use --default-region or a Country column)")
        return Phone(_format(found, fmt))
    try:
        number = parse(compact, region)
    except NumberParseException as exc:
        # Digits the region's international prefix reads wrongly (99 in North Korea): maybe a number without "+".
        found = _without_plus(compact)
        if found is not None:
            return Phone(_format(found, fmt))
        return Phone(None, _PARSE_ERRORS.get(exc.error_type, "not a phone number") + _for(region, compact))
    if is_valid(number):
        # "34612345678" in a German sheet reads as a German landline, and as a Spanish mobile that lost its "+"
        # (how Callbell writes numbers, and how exports drop the "+"). WhatsApp numbers are mobiles: the
        # international reading wins when it is one and the national reading is not. Only for digits with no
        # trunk prefix that could be a mobile abroad (a length look-up rules out most national numbers), and not
        # already read as country code + number (34612345678 in Spain).
        if (
            compact[0] != "0"
            and _plain_digits(compact)
            and _mobile_abroad_possible(compact)
            and not _read_with_its_country_code(compact, number)
        ):
            other = _without_plus(compact)
            if other is not None and other != number and _is_mobile(other) and not _is_mobile(number):
                return Phone(_format(other, fmt))
        return Phone(_format(number, fmt))
    # Only after a written +52: a "1" before ten digits, with no country code, is a number of the +1 countries.
    legacy = _without_mexican_mobile_one(number) if compact.lstrip("+").startswith("52") else None
    if legacy is not None:
        return Phone(_format(legacy, fmt))
    # "34612345678" typed in a Spanish sheet: a full international number that lost its "+".
    found = _without_plus(compact)
    if found is not None:
        return Phone(_format(found, fmt))
    reason = phonenumbers.is_possible_number_with_reason(number)
    where = phonenumbers.region_code_for_number(number) or region
    if reason in _POSSIBLE_ERRORS:
        return Phone(None, f"{_POSSIBLE_ERRORS[reason]} for {where}" if where else _POSSIBLE_ERRORS[reason])
    return Phone(None, f"not a valid number for {where}" if where else "not a valid number")


def _read_with_its_country_code(digits: str, number: PhoneNumber) -> bool:
    code = str(number.country_code)
    return digits.startswith(code) and digits[len(code) :] == phonenumbers.national_significant_number(number)


def _plain_digits(text: str) -> bool:
    return text.isascii() and text.isdigit()


def _without_plus(compact: str) -> PhoneNumber | None:
    """Plain digits read as an international number that lost its "+", when that is a valid number."""
    return _parse_valid("+" + compact) if _plain_digits(compact) else None


def _parse_valid(text: str) -> PhoneNumber | None:
    try:
        number = parse(text, None)
    except NumberParseException:
        return None
    return number if is_valid(number) else _without_mexican_mobile_one(number)


def _mobile_abroad_possible(digits: str) -> bool:
    """Whether +digits has enough digits after its country code to be a mobile number there: a cheap no for most
    national numbers (612345678 is +61 2345678, too short for an Australian mobile) before parsing them again."""
    prefix = _country_code_prefix(digits)
    return prefix is not None and len(digits) - prefix[1] >= _shortest_mobile(prefix[0])


def _country_code_prefix(digits: str) -> tuple[int, int] | None:
    """The country code digits start with, and its length (as the parser reads them after a "+")."""
    for size in (1, 2, 3):
        if (code := int(digits[:size])) in COUNTRY_CODE_TO_REGION_CODE:
            return code, size
    return None


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


def _for(region: str | None, compact: str) -> str:
    return "" if compact.startswith("+") or not region else f" for {region}"


def _format(number: PhoneNumber, fmt: PhoneFormat) -> str:
    e164 = phonenumbers.format_number(number, PhoneNumberFormat.E164)
    return e164 if fmt == "e164" else e164[1:]


# --- the fast path -------------------------------------------------------------------------------------------
# phonenumbers.parse and is_valid_number take ~14 us a number, most of it in steps that are generic (free text,
# extensions, RFC 3966, non-ASCII digits) or repeated (regexes rebuilt per call, one per number type). Nearly
# every cell is ASCII digits after an optional "+" by the time it gets here: `parse` and `is_valid` answer those
# with the library's own metadata and steps, and hand anything else to the library. tests/test_phones.py checks
# them against phonenumbers on every region.


def parse(compact: str, region: str | None) -> PhoneNumber:
    """phonenumbers.parse(compact, region), faster for "+" and digits; raises as it does."""
    number = _parse_digits(compact, region)
    return phonenumbers.parse(compact, region) if number is None else number


def _parse_digits(compact: str, region: str | None) -> PhoneNumber | None:
    """What phonenumbers.parse returns for `+digits`, or digits with a region; None for any other input, and for
    inputs the parser would refuse or read through an international prefix (the library says why)."""
    if not _FAST_PARSE:
        return None
    plus = compact[:1] == "+"
    digits = compact[1:] if plus else compact
    if not (2 < len(digits) <= 250 and _plain_digits(digits)):
        return None
    if plus:
        prefix = _country_code_prefix(digits) if digits[0] != "0" else None
        if prefix is None:
            return None
        country_code, size = prefix
        national = digits[size:]
        main_region = COUNTRY_CODE_TO_REGION_CODE[country_code][0]
        metadata = PhoneMetadata.metadata_for_region_or_calling_code(country_code, main_region)
    else:
        if region not in SUPPORTED_REGIONS:
            return None
        metadata = PhoneMetadata.metadata_for_region(region)
        if metadata is None or _international_prefix(region).match(digits):
            return None
        country_code, national = metadata.country_code, digits
        # The default region's country code typed without "+" (34612345678 in Spain): the parser's own rule.
        code = str(country_code)
        if digits.startswith(code):
            _, rest, _ = _maybe_strip_national_prefix_carrier_code(digits[len(code) :], metadata)
            general = metadata.general_desc
            if (
                not _match_national_number(digits, general, False) and _match_national_number(rest, general, False)
            ) or _test_number_length(digits, metadata) == ValidationResult.TOO_LONG:
                national = rest
                # From here the parser reads it with the metadata of the code's main region (GB for IM's +44).
                main_region = COUNTRY_CODE_TO_REGION_CODE[country_code][0]
                if main_region != region:
                    metadata = PhoneMetadata.metadata_for_region_or_calling_code(country_code, main_region)
    if metadata is None or len(national) < 2:
        return None
    _, stripped, _ = _maybe_strip_national_prefix_carrier_code(national, metadata)
    if _test_number_length(stripped, metadata) not in (
        ValidationResult.TOO_SHORT,
        ValidationResult.IS_POSSIBLE_LOCAL_ONLY,
        ValidationResult.INVALID_LENGTH,
    ):
        national = stripped
    if not 2 <= len(national) <= 17:
        return None
    number = PhoneNumber(country_code=country_code, national_number=int(national))
    if len(national) > 1 and national[0] == "0":  # Italian leading zeros, as the parser records them
        number.italian_leading_zero = True
        zeros = len(national) - len(national.lstrip("0"))
        zeros = min(zeros, len(national) - 1)
        if zeros != 1:
            number.number_of_leading_zeros = zeros
    return number


@cache
def _international_prefix(region: str) -> re.Pattern[str]:
    metadata = PhoneMetadata.metadata_for_region(region)
    return re.compile(metadata.international_prefix if metadata and metadata.international_prefix else "NonMatch")


def is_valid(number: PhoneNumber) -> bool:
    """phonenumbers.is_valid_number, with each region's number types joined into one regex per length."""
    regions = COUNTRY_CODE_TO_REGION_CODE.get(number.country_code)
    if regions is None:
        return False
    nsn = phonenumbers.national_significant_number(number)
    if len(regions) == 1:
        return _type_known(number.country_code, regions[0], nsn)
    for region in regions:  # the region of a shared code (+1, +7, +44): as region_code_for_number picks it
        metadata = PhoneMetadata.metadata_for_region(region)
        if metadata is None:
            continue
        if metadata.leading_digits is not None:
            if _leading_digits(region).match(nsn):
                return _type_known(number.country_code, region, nsn)
        elif _type_known(number.country_code, region, nsn):
            return True
    return False


def _type_known(country_code: int, region: str, nsn: str) -> bool:
    """The number matches the region's general pattern and one of its types (what is_valid_number asks)."""
    patterns = _patterns_by_length(country_code, region).get(len(nsn))
    return patterns is not None and bool(patterns[0].fullmatch(nsn)) and bool(patterns[1].fullmatch(nsn))


@cache
def _leading_digits(region: str) -> re.Pattern[str]:
    return re.compile(PhoneMetadata.metadata_for_region(region).leading_digits)


_TYPES = ("premium_rate", "toll_free", "shared_cost", "voip", "personal_number", "pager", "uan", "voicemail")


@cache
def _patterns_by_length(country_code: int, region: str) -> dict[int, tuple[re.Pattern[str], re.Pattern[str]]]:
    """For each length a number of the region can have: (general pattern, every type's pattern in one)."""
    metadata = PhoneMetadata.metadata_for_region_or_calling_code(country_code, region)
    if metadata is None or region != "001" and phonenumbers.country_code_for_valid_region(region) != country_code:
        return {}
    descs = [getattr(metadata, name) for name in (*_TYPES, "fixed_line")]
    if not metadata.same_mobile_and_fixed_line_pattern:  # the library checks mobile only then
        descs.append(metadata.mobile)
    general = metadata.general_desc
    if general is None or not general.national_number_pattern:
        return {}
    general_pattern = re.compile(general.national_number_pattern)
    table: dict[int, tuple[re.Pattern[str], re.Pattern[str]]] = {}
    for length in range(1, 18):
        if general.possible_length and length not in general.possible_length:
            continue
        alternatives = [
            d.national_number_pattern
            for d in descs
            if d is not None and d.national_number_pattern and (not d.possible_length or length in d.possible_length)
        ]
        if alternatives:
            table[length] = (general_pattern, re.compile("|".join(f"(?:{p})" for p in alternatives)))
    return table


def is_region(code: str) -> bool:
    """Whether `code` (any case) is a two-letter country code that phone numbers can be read for."""
    return code.strip().upper() in SUPPORTED_REGIONS


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
