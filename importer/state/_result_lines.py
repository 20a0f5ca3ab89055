"""The results file's CSV lines, built by SQLite in pages: for a million rows, joining each row's values in Python
(and fetching them one by one) was most of the end of a run.

A line is `row,status,uuid,identifier,error,warning,href,cells` and CRLF, exactly as the results writer
(importer.results.writer._CsvSheet.append) writes it when no leading value needs care: none holds a comma, a quote or
a line break, and none starts as a formula (neutralize). Such rows are nearly all of them (the identifier is digits;
uuid, error, warning and href are mostly empty). The others are handed back as outcomes, for the writer to format,
in their place in row order. This module must say "needs care" for every value the writer's _NEEDS_CSV_CARE matches;
it may say it for more (the writer then gives the same line), never for fewer: tests/state/test_result_lines.py
compares both on hostile values.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Collection, Iterator
from typing import NamedTuple

# (row, status, uuid, identifier, error, href, cells, warning), as Rows.outcomes gives them.
Outcome = tuple[int, str, str, str, str, str, str, str]
OUTCOME_COLUMNS = "row, status, uuid, identifier, error, href, cells, warning"

# What the csv module quotes; and NUL, where printf would stop (printf builds the leading values).
_QUOTED = (",", '"', "\r", "\n", "\0")
# First characters neutralize acts on ('*[=+\-@\t\r]): a value starting with one goes to the writer, except an
# identifier starting with "+" (--phone-format e164), made inert here as neutralize does: "'" before it.
_FORMULA = ("'", "=", "+", "-", "@", "\t", "\r")
# Cells longer than this (in bytes) go to the writer: a page then holds at most PAGE of these in memory.
_LONG_CELLS = 16 * 1024
PAGE = 1024  # rows per query: a page of ready lines


def _holds(column: str, chars: tuple[str, ...]) -> str:
    return " OR ".join(f"instr({column}, char({ord(c)}))" for c in chars)


def _starts(column: str, chars: tuple[str, ...]) -> str:
    # Comparisons, not substr(): this runs on every row. In binary order a text starts with c iff c <= text < c + 1.
    return " OR ".join(f"({column} >= char({ord(c)}) AND {column} < char({ord(c) + 1}))" for c in chars)


def _needs_care(column: str, first: tuple[str, ...] = _FORMULA) -> str:
    return f"({column} != '' AND ({_holds(column, _QUOTED)} OR {_starts(column, first)}))"


# Digits alone (the usual identifier): nothing more to look at.
_DIGITS = "(identifier >= '0' AND CAST(CAST(identifier AS INTEGER) AS TEXT) = identifier)"
_WRITER_ROWS = (
    *(_needs_care(column) for column in ("uuid", "error", "warning", "href")),
    f"(NOT {_DIGITS} AND {_needs_care('identifier', tuple(c for c in _FORMULA if c != '+'))})",
    f"length(CAST(cells AS BLOB)) > {_LONG_CELLS}",
)
_FOR_THE_WRITER = f"({' OR '.join(_WRITER_ROWS)})"
_IDENTIFIER = "CASE WHEN identifier >= '+' AND identifier < ',' THEN '''' || identifier ELSE identifier END"
# The row's cells are already one CSV line (made where the row was checked); none at all: no comma before them.
_LINE = (
    f"printf('%d,%s,%s,%s,%s,%s,%s%s', row, status, uuid, {_IDENTIFIER}, error, warning, href,"
    " iif(cells = '', '', ',')) || cells"
)
# Lines of consecutive rows, in row order (a subquery's order is the order group_concat sees them), as UTF-8 bytes:
# written as they are, never decoded and encoded again. CRLF between them, as group_concat's separator (one string
# less per row); the caller adds the last one.
_PAGE_SQL = f"""SELECT CAST(group_concat(line, char(13, 10)) AS BLOB), MAX(row), COUNT(*) FROM (
    SELECT {_LINE} AS line, row FROM rows WHERE row > ? AND row < ? ORDER BY row LIMIT ?)"""
_FIRST, _LAST = -(2**63), 2**63 - 1


class ToWrite(NamedTuple):
    """A row the caller writes itself: its results line when `line` (it needs the writer's care), else only its
    errors file row (a row with one of the `errors` statuses, whose results line is among the ready ones)."""

    outcome: Outcome
    line: bool


def result_lines(db: sqlite3.Connection, errors: Collection[str], page: int = PAGE) -> Iterator[bytes | ToWrite]:
    """Every row: bytes are the ready lines of consecutive rows; a ToWrite, a row for the caller. The results
    file's lines (bytes, and ToWrite with `line`) come in row order, and so do the rows to fix, but a row to fix
    whose results line is a ready one comes as soon as it is found, ahead of the ready lines before it: the errors
    file has an order of its own. No write to `rows` may happen until this is exhausted."""
    # The rows for the caller in one pass; between two that need the writer, every row is a ready line.
    marks = ", ".join("?" * len(errors)) or "NULL"
    for_caller = db.execute(
        f"SELECT {OUTCOME_COLUMNS}, {_FOR_THE_WRITER} FROM rows WHERE status IN ({marks}) OR {_FOR_THE_WRITER} "
        "ORDER BY row",
        tuple(errors),
    )
    after = _FIRST
    while batch := for_caller.fetchmany(500):
        for found in batch:
            outcome, line = found[:-1], bool(found[-1])
            if line:
                yield from _lines(db, after, outcome[0], page)
                after = outcome[0]
            yield ToWrite(outcome, line)
    yield from _lines(db, after, _LAST, page)


def _lines(db: sqlite3.Connection, after: int, before: int, page: int) -> Iterator[bytes]:
    """The ready lines of the rows after `after` and before `before`, a page at a time."""
    while after < before - 1:
        text, last, count = db.execute(_PAGE_SQL, (after, before, page)).fetchone()
        if count:
            yield text + b"\r\n"
        if count < page:
            return
        after = last
