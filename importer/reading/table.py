"""The table every reader returns, and what the CSV and Excel readers share to build it.

`SourceRow` and `Table` are what the rest of the importer sees of a file. The header search below a title
block and the padding of ragged rows are the same for CSV and for a sheet, so both readers take them from
here: they depend on this module, never on each other nor on `importer.reading.files`, which picks between them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import chain, islice
from pathlib import Path
from typing import NamedTuple, Protocol

from importer.errors import InputError
from importer.i18n.message import N_, NP_, Text
from importer.reading.cells import unneutralize

SNIFF_BYTES = 256 * 1024  # read first: decides the kind of file, then (CSV) the encoding and the delimiter
_HEADER_LOOKAHEAD = 30  # non-blank rows searched for the header below a title block
SAMPLE_ROWS = 300  # rows a mapping reads the values of (Table.sample): a 1M-row file costs no more than a small one
NO_HEADER = "column {n}"  # the names of a headerless file's columns, as a config's "column N" entries name them
# How many cells of a row are known header words (importer.mapping.headers.Vocabulary.header_score): given by the
# caller, since reading knows no vocabulary. With it the header is the row that best matches the vocabulary (not a
# 31-field "EXTF;700;…" metadata line above it), and a first row of values is known for data (a headerless file).
HeaderScore = Callable[[Sequence[str]], int]
_BETTER_HEADER = 2  # known words a later row needs (and more than the first wide row has) to be the header instead
# A cell that is a value, never a header: a number of 5+ digits as phones, ids and dates are written, or an email.
_VALUE_CELL = re.compile(r"^\+?[\d\s().\-/]*\d[\d\s().\-/]*$|^[^@\s]+@[^@\s]+\.[^@\s]+$")


class SourceRow(NamedTuple):
    # A named tuple, not a frozen dataclass: one is built per row of the sheet, in a fifth of the time.
    number: int  # the row number a person sees in the sheet (the header is row 1)
    values: tuple[str, ...]  # one per header; missing cells are ""
    extra: tuple[str, ...] = ()  # non-empty cells beyond the last header (a ragged row)


class TextBatch(Protocol):
    """Rows still as the text they were read from (a CSV's lines): the check stage hands such a batch to a worker
    process, which splits it into SourceRows itself, so that the reading process does not build and send every row."""

    count: int  # the non-blank rows it holds

    def rows(self) -> list[SourceRow]: ...


Batch = list[SourceRow] | TextBatch


@dataclass
class Table:
    path: Path
    headers: list[str]
    rows: Iterator[SourceRow]
    description: Text  # what was read, for the person: "CSV, utf-8, delimiter ';'" (a Message: str() is English)
    # What was detected or worked around, one sentence each. Notes found while reading rows (NUL bytes
    # removed, ...) are appended once `rows` has been read to the end.
    notes: list[Text] = field(default_factory=list)
    kind: str = "CSV"  # CSV, XLSX, XLSM, XLSB, XLS or ODS: from the file's bytes, not its name
    encoding: str | None = None  # CSV only: the codec used
    delimiter: str | None = None  # CSV only
    sheet: str | None = None  # Excel only: the sheet read
    header_row: int = 1  # the sheet row the headers were taken from (below a title block it is > 1)
    # Sheet rows below the header, blank ones included (an upper bound of len(rows)); None when it would
    # cost a pass over the file (CSV: see estimated_rows).
    total_rows: int | None = None
    # CSV only: the rows below the header, extrapolated from the share of the file's bytes read so far.
    _estimate: Callable[[], int | None] | None = field(default=None, repr=False, compare=False)

    headerless: bool = False  # the first row was data: the headers are NO_HEADER's "column 1".."column N"
    _sample: list[SourceRow] | None = field(default=None, repr=False, compare=False)
    # CSV: the rows not read yet, in TextBatches of about the given number of rows (see batches).
    _text_batches: Callable[[int], Iterator[Batch]] | None = field(default=None, repr=False, compare=False)

    def sample(self, size: int = SAMPLE_ROWS) -> list[SourceRow]:
        """The first rows, read ahead and put back in front of `rows`: what a mapping reads columns' values from."""
        if self._sample is None:
            self._sample = list(islice(self.rows, size))
            self.rows = chain(self._sample, self.rows)
        return self._sample

    def batches(self, size: int, text: bool = True) -> Iterator[Batch]:
        """The rows in batches of `size` (the last may hold fewer), read lazily: lists of SourceRows, or with `text`
        (CSV) TextBatches, whose rows the process that checks them splits. Either this or `rows`, after `sample`."""
        if size < 1:
            raise ValueError("batch size must be at least 1")
        if self._text_batches is None or not text:
            yield from row_lists(self.rows, size)
            return
        sample = self._sample or []
        for start in range(0, len(sample), size):  # read ahead by `sample`: handed out first, as rows
            yield sample[start : start + size]
        yield from self._text_batches(size)

    def estimated_rows(self) -> int | None:
        """Rows below the header (blank ones included), for a progress bar: a workbook's from its sheet's size;
        a CSV's from the rows read so far and the share of the file's bytes they took, exact once it is read."""
        return self.total_rows if self._estimate is None else self._estimate()


def split_header(
    path: Path, records: Iterator[tuple[int, list[str]]], where: Text, score: HeaderScore | None = None
) -> tuple[int, list[str], list[tuple[int, list[str]]], list[Text]]:
    """Find the header among the first few non-blank rows: the first with >= 2 non-empty cells, else the first;
    with `score`, a later row that matches the vocabulary clearly better (the real header below a metadata line),
    and no header at all when the first row reads as values like the rows below it (see looks_like_data).

    Rows above it (a title block: "Contacts export, March") are dropped. Returns the header's row number (0 when
    the file has none), the headers, the rows read ahead that are data, and notes.
    """
    ahead: list[tuple[int, list[str]]] = []
    for record in records:
        ahead.append(record)
        wide = sum(1 for c in record[1] if c.strip()) >= 2
        # Without a score the first wide row is the header: stop there, as reading always did.
        if (wide and score is None) or len(ahead) >= _HEADER_LOOKAHEAD:
            break
    if not ahead:
        raise InputError(N_("{file}: no header row ({where} has no data)", file=str(path), where=where))
    wide_rows = [i for i, (_, cells) in enumerate(ahead) if sum(1 for c in cells if c.strip()) >= 2]
    index = wide_rows[0] if wide_rows else 0
    notes: list[Text] = []
    if score is not None and wide_rows:
        scores = {i: score(ahead[i][1]) for i in wide_rows}
        best = max(wide_rows, key=lambda i: (scores[i], -i))
        if scores[best] >= _BETTER_HEADER and scores[best] > scores[index]:
            index = best
        elif scores[index] == 0 and looks_like_data(ahead[index][1], [cells for _, cells in ahead[index + 1 :]]):
            width = max(len(cells) for _, cells in ahead[index:])
            while width and not any(len(c) >= width and c[width - 1].strip() for _, c in ahead[index:]):
                width -= 1
            headers = [NO_HEADER.format(n=n) for n in range(1, width + 1)]
            notes.append(
                N_(
                    "no header row: row {row} holds values like the rows below it; read as data",
                    row=str(ahead[index][0]),
                )
            )
            return 0, headers, ahead[index:], notes
    number, cells = ahead[index]
    # A header written neutralized by our errors file ("'+Phone") reads as it was ("+Phone").
    headers = [unneutralize(c.replace("\ufeff", "")).strip() for c in cells]
    while headers and not headers[-1]:  # trailing blank cells (a trailing delimiter, a formatted column)
        headers.pop()
    if index:
        skipped = ", ".join(str(n) for n, _ in ahead[:index])
        notes.append(
            NP_(
                "header on row {row}: row {rows} above it ignored (a title block)",
                "header on row {row}: rows {rows} above it ignored (a title block)",
                index,
                row=str(number),
                rows=skipped,
            )
        )
    return number, headers, ahead[index + 1 :], notes


def looks_like_data(first: Sequence[str], below: Sequence[Sequence[str]]) -> bool:
    """A first row that is values, not headers: one of its cells is a value (a number of 5+ digits, an email) in a
    column whose cells below are mostly values too (`Ana Ruiz,612345678` over `Luis Gil,699887766`)."""
    for col, cell in enumerate(first):
        text = cell.strip()
        if not text or not _VALUE_CELL.match(text) or (text[0] != "+" and sum(c.isdigit() for c in text) < 5):
            continue
        column = [row[col].strip() for row in below if col < len(row) and row[col].strip()]
        if not column or sum(1 for c in column if _VALUE_CELL.match(c)) * 5 >= len(column) * 4:
            return True
    return False


def row_lists(rows: Iterable[SourceRow], size: int) -> Iterator[list[SourceRow]]:
    """`rows` in lists of at most `size`, still read lazily."""
    rows = iter(rows)
    while batch := list(islice(rows, size)):
        yield batch


def source_rows(records: Iterable[tuple[int, list[str]]], width: int) -> Iterator[SourceRow]:
    for number, cells in records:
        if len(cells) == width:
            yield SourceRow(number, tuple(cells))
        elif len(cells) < width:
            yield SourceRow(number, (*cells, *("",) * (width - len(cells))))
        else:
            yield SourceRow(number, tuple(cells[:width]), tuple(c for c in cells[width:] if c.strip()))


def short_error(exc: BaseException) -> str:
    return str(exc).splitlines()[0][:200] if str(exc).strip() else type(exc).__name__
