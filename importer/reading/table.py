"""The table every reader returns, and what the CSV and Excel readers share to build it.

`SourceRow` and `Table` are what the rest of the importer sees of a file. The header search below a title
block and the padding of ragged rows are the same for CSV and for a sheet, so both readers take them from
here: they depend on this module, never on each other nor on `importer.reading.files`, which picks between them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from importer.errors import InputError
from importer.reading.cells import unneutralize

SNIFF_BYTES = 256 * 1024  # read first: decides the kind of file, then (CSV) the encoding and the delimiter
_HEADER_LOOKAHEAD = 30  # non-blank rows searched for the header below a title block


@dataclass(frozen=True, slots=True)
class SourceRow:
    number: int  # the row number a person sees in the sheet (the header is row 1)
    values: tuple[str, ...]  # one per header; missing cells are ""
    extra: tuple[str, ...] = ()  # non-empty cells beyond the last header (a ragged row)


@dataclass
class Table:
    path: Path
    headers: list[str]
    rows: Iterator[SourceRow]
    description: str  # what was read, for the person: "CSV, utf-8, delimiter ';'"
    # What was detected or worked around, one sentence each. Notes found while reading rows (NUL bytes
    # removed, ...) are appended once `rows` has been read to the end.
    notes: list[str] = field(default_factory=list)
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

    def estimated_rows(self) -> int | None:
        """Rows below the header (blank ones included), for a progress bar: a workbook's from its sheet's size;
        a CSV's from the rows read so far and the share of the file's bytes they took, exact once it is read."""
        return self.total_rows if self._estimate is None else self._estimate()


def split_header(
    path: Path, records: Iterator[tuple[int, list[str]]], where: str
) -> tuple[int, list[str], list[tuple[int, list[str]]], list[str]]:
    """Find the header: the first non-blank row with >= 2 non-empty cells among the first few, else the first.

    Rows above it (a title block: "Contacts export, March") are dropped. Returns the header's row number,
    the headers, the rows read ahead that are data, and notes.
    """
    ahead: list[tuple[int, list[str]]] = []
    for record in records:
        ahead.append(record)
        if sum(1 for c in record[1] if c.strip()) >= 2 or len(ahead) >= _HEADER_LOOKAHEAD:
            break
    if not ahead:
        raise InputError(f"{path}: no header row ({where} has no data)")
    index = next((i for i, (_, cells) in enumerate(ahead) if sum(1 for c in cells if c.strip()) >= 2), 0)
    number, cells = ahead[index]
    # A header written neutralized by our errors file ("'+Phone") reads as it was ("+Phone").
    headers = [unneutralize(c.replace("\ufeff", "")).strip() for c in cells]
    while headers and not headers[-1]:  # trailing blank cells (a trailing delimiter, a formatted column)
        headers.pop()
    notes = []
    if index:
        skipped = ", ".join(str(n) for n, _ in ahead[:index])
        notes.append(f"header on row {number}: row(s) {skipped} above it ignored (a title block)")
    return number, headers, ahead[index + 1 :], notes


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
