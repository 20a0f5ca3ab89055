"""The fast path of importer.phones.numbers: `parse` and `is_valid` answer as phonenumbers.parse and
phonenumbers.is_valid_number do, several times faster for the common input (ASCII digits after an optional "+").

phonenumbers.parse and is_valid_number take ~14 us a number, most of it in steps that are generic (free text,
extensions, RFC 3966, non-ASCII digits) or repeated (regexes rebuilt per call, one per number type). Nearly
every cell is ASCII digits after an optional "+" by the time it gets here: `parse` and `is_valid` answer those
with the library's own metadata and steps, and hand anything else to the library. tests/phones/test_numbers.py checks
them against phonenumbers on every region.
"""

from __future__ import annotations

import re
from functools import cache

import phonenumbers
from phonenumbers import (
    COUNTRY_CODE_TO_REGION_CODE,
    SUPPORTED_REGIONS,
    PhoneMetadata,
    PhoneNumber,
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


def plain_digits(text: str) -> bool:
    return text.isascii() and text.isdigit()


def country_code_prefix(digits: str) -> tuple[int, int] | None:
    """The country code digits start with, and its length (as the parser reads them after a "+")."""
    for size in (1, 2, 3):
        if (code := int(digits[:size])) in COUNTRY_CODE_TO_REGION_CODE:
            return code, size
    return None


def parse(compact: str, region: str | None) -> PhoneNumber:
    """phonenumbers.parse(compact, region), faster for "+" and digits; raises as it does."""
    number = _parse_digits(compact, region)
    return phonenumbers.parse(compact, region) if number is None else number


def _parse_digits(compact: str, region: str | None) -> PhoneNumber | None:
    """What phonenumbers.parse returns for `+digits`, or digits with a region; None for any other input, and for
    inputs the parser would refuse or read through an international prefix (the library says why)."""
    parts = _parse_parts(compact, region)
    if parts is None:
        return None
    country_code, national = parts
    number = PhoneNumber(country_code=country_code, national_number=int(national))
    if len(national) > 1 and national[0] == "0":  # Italian leading zeros, as the parser records them
        number.italian_leading_zero = True
        zeros = len(national) - len(national.lstrip("0"))
        zeros = min(zeros, len(national) - 1)
        if zeros != 1:
            number.number_of_leading_zeros = zeros
    return number


def valid_parts(compact: str, region: str | None) -> tuple[int, str] | None:
    """(country code, national significant number) of `compact` read as phonenumbers.parse(compact, region) reads
    it, when that is a valid number (is_valid_number); None when it is not, or when the fast path cannot tell.

    The common row's whole answer without a PhoneNumber: its E.164 form is "+" + code + national number, which is
    what format_number writes for a number read from digits (no extension, and the national number's leading
    zeros are the ones the parser records)."""
    parts = _parse_parts(compact, region)
    if parts is None or not _valid_nsn(*parts):
        return None
    return parts


def _parse_parts(compact: str, region: str | None) -> tuple[int, str] | None:
    """(country code, national number as the digits read) of what _parse_digits returns, or None."""
    if not _FAST_PARSE:
        return None
    plus = compact[:1] == "+"
    digits = compact[1:] if plus else compact
    if not (2 < len(digits) <= 250 and digits.isascii() and digits.isdigit()):
        return None
    if plus:
        prefix = country_code_prefix(digits) if digits[0] != "0" else None
        if prefix is None:
            return None
        country_code, size = prefix
        national = digits[size:]
        metadata = _main_metadata(country_code)
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
    if stripped != national and _test_number_length(stripped, metadata) not in (
        ValidationResult.TOO_SHORT,
        ValidationResult.IS_POSSIBLE_LOCAL_ONLY,
        ValidationResult.INVALID_LENGTH,
    ):
        national = stripped
    if not 2 <= len(national) <= 17:
        return None
    return country_code, national


@cache
def _main_metadata(country_code: int) -> PhoneMetadata | None:
    """The metadata the parser reads a "+code" number with: that of the code's main region."""
    main_region = COUNTRY_CODE_TO_REGION_CODE[country_code][0]
    return PhoneMetadata.metadata_for_region_or_calling_code(country_code, main_region)


@cache
def _international_prefix(region: str) -> re.Pattern[str]:
    metadata = PhoneMetadata.metadata_for_region(region)
    return re.compile(metadata.international_prefix if metadata and metadata.international_prefix else "NonMatch")


def is_valid(number: PhoneNumber) -> bool:
    """phonenumbers.is_valid_number, with each region's number types joined into one regex per length."""
    return _valid_nsn(number.country_code, phonenumbers.national_significant_number(number))


def _valid_nsn(country_code: int, nsn: str) -> bool:
    regions = COUNTRY_CODE_TO_REGION_CODE.get(country_code)
    if regions is None:
        return False
    if len(regions) == 1:
        return _type_known(country_code, regions[0], nsn)
    for region in regions:  # the region of a shared code (+1, +7, +44): as region_code_for_number picks it
        metadata = PhoneMetadata.metadata_for_region(region)
        if metadata is None:
            continue
        if metadata.leading_digits is not None:
            if _leading_digits(region).match(nsn):
                return _type_known(country_code, region, nsn)
        elif _type_known(country_code, region, nsn):
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
