"""The reference every benchmark prints beside its absolute figures: how many phone numbers one core of this
machine parses, validates and formats per second with phonenumbers, measured in the same run.

A figure divided by it (a ratio) compares across machines: BENCHMARKS.md taken on a machine 2.6 times faster
gives rows/s 2.6 times higher, and the same ratios. The work is the importer's own inner loop (a phone cell to
an identifier), on a fixed mix of regions and spellings, valid and not, in the measuring process (one core),
timed in CPU seconds so that other work waiting for the core lowers it less; still, a busy machine lowers it,
so the benchmarks measure it before and after their own work and keep the higher.

    .venv/bin/python bench/reference.py     # prints the figure
"""

from __future__ import annotations

import time

import phonenumbers

NAME = "phonenumbers parse + is_valid_number + format on one core"
UNIT = "numbers/s"

# (cell, default region): the spellings of bench_dry_run.py's generator, plus other regions and broken cells.
NUMBERS: tuple[tuple[str, str | None], ...] = (
    ("+34 612 34 56 78", None),
    ("612 345 678", "ES"),
    ("0034 712 345 678", "ES"),
    ("(612) 345-678", "ES"),
    ("+44 7700 900123", None),
    ("07700 900456", "GB"),
    ("+55 11 91234-5678", None),
    ("(21) 99876-5432", "BR"),
    ("+52 1 55 1234 5678", None),
    ("55 1234 5678", "MX"),
    ("+1 415 555 2671", None),
    ("+39 312 345 6789", None),
    ("06 12 34 56 78", "FR"),
    ("0151 23456789", "DE"),
    ("+51 912 345 678", None),
    ("+34 612 34", None),  # too short
    ("1234", "ES"),
    ("+999 123 456", None),  # no such country code
)


def _work(rounds: int) -> int:
    done = 0
    e164 = phonenumbers.PhoneNumberFormat.E164
    for _ in range(rounds):
        for cell, region in NUMBERS:
            try:
                number = phonenumbers.parse(cell, region)
            except phonenumbers.NumberParseException:
                done += 1
                continue
            if phonenumbers.is_valid_number(number):
                phonenumbers.format_number(number, e164)
            done += 1
    return done


def phone_reference(seconds: float = 2.0, trials: int = 8) -> float:
    """Numbers per second on one core: the best of `trials` runs of about seconds / trials each (the best, since
    other work on the machine can only slow a run down)."""
    _work(2)  # each region's metadata loads on first use: not part of the rate
    best = 0.0
    for _ in range(trials):
        done, started = 0, time.process_time()
        while (elapsed := time.process_time() - started) < seconds / trials:
            done += _work(20)
        best = max(best, done / elapsed)
    return best


def describe(rate: float) -> str:
    return f"reference ({NAME}): {rate:,.0f} {UNIT}"


def ratio(figure: float, rate: float) -> str:
    """A figure as a multiple of the reference, for the tables (rows/s ÷ numbers/s)."""
    if not rate:
        return "?"
    return f"{figure / rate:.2f}" if figure / rate >= 0.1 else f"{figure / rate:.3f}"


if __name__ == "__main__":
    print(describe(phone_reference()))
