import random
from collections.abc import Callable

import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from phonenumbers import NumberParseException, PhoneMetadata

from importer import phones
from importer.phones import normalize_phone


@pytest.mark.parametrize(
    ("raw", "region", "expected"),
    [
        ("+34 612 34 56 78", None, "34612345678"),
        ("0034 612 34 56 78", None, "34612345678"),
        ("612.34.56.78", "ES", "34612345678"),
        ("(612) 34-56-78", "es", "34612345678"),
        ("34612345678", None, "34612345678"),  # an international number that lost its "+" in a spreadsheet
        ("34612345678", "ES", "34612345678"),
        ("whatsapp:+34612345678", None, "34612345678"),
        ("+1 (415) 555-0132", None, "14155550132"),
        ("0151 23456789", "DE", "4915123456789"),
        ("+52 1 55 1234 5678", None, "525512345678"),  # Mexico's retired mobile "1"
        ("34612345678.0", None, "34612345678"),  # a float column as pandas writes it: the .0 is exact
        ("\u200e+34 612 34 56 78", None, "34612345678"),  # a direction mark, as copied from a chat
        ("＋３４ ６１２ ３４ ５６ ７８", None, "34612345678"),  # full-width, from an IME
    ],
)
def test_valid_spellings_become_digits(raw: str, region: str | None, expected: str) -> None:
    assert normalize_phone(raw, region).identifier == expected


def test_e164_format_keeps_the_plus() -> None:
    assert normalize_phone("612 34 56 78", "ES", "e164").identifier == "+34612345678"


@pytest.mark.parametrize(
    ("raw", "region", "reason"),
    [
        ("612", "ES", "too short for ES"),
        ("+34 612 34 56 78 99 99", None, "too long for ES"),
        ("call me", "ES", "not a phone number"),
        ("612345678", None, "no country code and no default region"),
        ("", "ES", "empty"),
        ("3.46E+10", "ES", "scientific notation"),  # the digits are gone: never guess
    ],
)
def test_unusable_numbers_say_why(raw: str, region: str | None, reason: str) -> None:
    phone = normalize_phone(raw, region)
    assert phone.identifier is None
    assert phone.error is not None and reason in phone.error


def test_idempotent_on_its_own_output() -> None:
    first = normalize_phone("+44 7911 123456", None).identifier
    assert first is not None
    assert normalize_phone(first, None).identifier == first


# --- the fast path agrees with phonenumbers ---------------------------------------------------------------------

_TYPES = ("mobile", "fixed_line", "toll_free", "premium_rate", "shared_cost", "voip", "personal_number", "uan")


def _outcome(
    parse: Callable[[str, str | None], phonenumbers.PhoneNumber], text: str, region: str | None
) -> phonenumbers.PhoneNumber | int:
    """The number a parser returns, or the error type it raises."""
    try:
        return parse(text, region)
    except NumberParseException as exc:
        return exc.error_type


def _spellings(region: str, rnd: random.Random) -> list[str]:
    """Every region's example numbers as sheets spell them: national, with its prefixes, with the country code
    with and without "+", cut short and run long."""
    metadata = PhoneMetadata.metadata_for_region(region)
    code = str(metadata.country_code)
    examples = [getattr(metadata, t).example_number for t in _TYPES if getattr(metadata, t) is not None]
    examples = [e for e in examples if e] or ["612345678"]
    prefixes = ["", "0", "00", "1", code, code + "0", "+" + code, "+" + code + "0", metadata.national_prefix or ""]
    out = []
    for example in examples:
        for prefix in prefixes:
            out.append(prefix + example)
            out.append(prefix + example[: rnd.randint(0, len(example))])
            out.append(prefix + example + str(rnd.randint(0, 999)))
            out.append(prefix + "".join(rnd.choice("0123456789") for _ in range(len(example))))
    return out


@pytest.mark.parametrize("region", sorted(phonenumbers.SUPPORTED_REGIONS))
def test_fast_path_parses_and_validates_as_phonenumbers_does(region: str) -> None:
    rnd = random.Random(region)
    for text in _spellings(region, rnd):
        for default in (region, None, "GB"):
            expected = _outcome(phonenumbers.parse, text, default)
            assert _outcome(phones.parse, text, default) == expected, (text, default)
            if isinstance(expected, phonenumbers.PhoneNumber):
                assert phones.is_valid(expected) == phonenumbers.is_valid_number(expected), (text, default)


@settings(max_examples=500, deadline=None)
@given(
    text=st.from_regex(r"\+?[0-9]{0,20}", fullmatch=True),
    region=st.sampled_from(sorted(phonenumbers.SUPPORTED_REGIONS) + [None]),
)
def test_fast_path_agrees_on_any_digits(text: str, region: str | None) -> None:
    expected = _outcome(phonenumbers.parse, text, region)
    assert _outcome(phones.parse, text, region) == expected
    if isinstance(expected, phonenumbers.PhoneNumber):
        assert phones.is_valid(expected) == phonenumbers.is_valid_number(expected)


# --- digits without "+" and a default region: national number, or a foreign number that lost its "+"? ----------


@pytest.mark.parametrize(
    ("raw", "region", "expected"),
    [
        ("34612345678", "DE", "34612345678"),  # a Spanish mobile, not the German landline 03461 2345678
        ("447400123456", "DE", "447400123456"),  # a British mobile
        ("33612345678", "IT", "33612345678"),  # a French mobile, not an Italian voicemail number
        ("12015550123", "MX", "12015550123"),  # a US number: Mexico's old mobile "1" only ever followed +52
        ("5215512345678", "ES", "525512345678"),  # ... as here, where it goes
        ("4915123456789", "DE", "4915123456789"),  # the region's own code without "+", not a landline 04915...
        ("998912345678", "KP", "998912345678"),  # an Uzbek number, though 99 is North Korea's international prefix
    ],
)
def test_a_foreign_mobile_that_lost_its_plus_is_read_as_that_mobile(raw: str, region: str, expected: str) -> None:
    assert normalize_phone(raw, region).identifier == expected
    assert normalize_phone(expected, region).identifier == expected  # and our own output reads the same again


@pytest.mark.parametrize(
    ("raw", "region", "expected"),
    [
        ("17074850742", "DE", "4917074850742"),  # a German mobile without its 0, though +1 707 485 0742 is valid
        ("6052007603", "US", "16052007603"),  # a US number, though +60 5200 7603 is a Malaysian one
        ("690404796", "ES", "34690404796"),  # a Spanish mobile, though +690 404796 is a Tokelau one
        ("612345678", "ES", "34612345678"),
    ],
)
def test_a_national_mobile_stays_national(raw: str, region: str, expected: str) -> None:
    assert normalize_phone(raw, region).identifier == expected
