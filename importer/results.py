"""The results file (one row per input row, keyed by its row number) and the errors file to fix and re-import."""

from __future__ import annotations

import csv
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

RESULT_COLUMNS = ("row", "status", "uuid", "identifier", "error")
# Statuses that mean the row did not reach the account and a person should look at it.
ERROR_STATUSES = frozenset({"invalid", "failed"})
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Outcome:
    row: int
    status: str  # valid | invalid | duplicate | created | updated | skipped | failed
    uuid: str = ""
    identifier: str = ""
    error: str = ""


def neutralize(value: str) -> str:
    """Make a cell inert for spreadsheets: a leading quote stops `=HYPERLINK(...)` from running, and Excel
    hides it, so `+34 600 11 22 33` still reads as it was typed."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def unneutralize(value: str) -> str:
    """Undo `neutralize` for a value read back from one of our files."""
    return value[1:] if value.startswith("'") and value[1:].startswith(_FORMULA_START) else value


def write_results(
    path: Path, headers: Sequence[str], outcomes: Iterable[Outcome], originals: dict[int, Sequence[str]]
) -> None:
    rows = (
        [str(o.row), o.status, o.uuid, o.identifier, o.error, *originals.get(o.row, ())]
        for o in sorted(outcomes, key=lambda o: o.row)
    )
    _write_csv(path, [*RESULT_COLUMNS, *headers], rows)


def write_errors(
    path: Path, headers: Sequence[str], outcomes: Iterable[Outcome], originals: dict[int, Sequence[str]]
) -> int:
    """The original columns plus `error`, for rows that need fixing; the file can be imported as it is."""
    error_at = next((i for i, h in enumerate(headers) if h.strip().casefold() == "error"), None)
    out_headers = list(headers) if error_at is not None else [*headers, "error"]
    rows = []
    for o in sorted(outcomes, key=lambda o: o.row):
        if o.status not in ERROR_STATUSES:
            continue
        values = list(originals.get(o.row, ())) + [""] * (len(headers) - len(originals.get(o.row, ())))
        if error_at is not None:  # re-importing an errors file: refresh its error column
            values[error_at] = o.error
        else:
            values.append(o.error)
        rows.append(values)
    _write_csv(path, out_headers, rows)
    return len(rows)


def _write_csv(path: Path, headers: Sequence[str], rows: Iterable[Sequence[str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    # utf-8-sig: Excel opens it with accents intact; written aside and renamed so a crash never leaves half.
    with tmp.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow([neutralize(h) for h in headers])
        writer.writerows([neutralize(v) for v in row] for row in rows)
    os.replace(tmp, path)
