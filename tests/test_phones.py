import pytest

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
