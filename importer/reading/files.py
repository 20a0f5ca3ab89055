"""Read a spreadsheet (CSV, XLSX, XLSM, XLSB, XLS, ODS) into rows of text, the way a person sees them.

Every cell comes out as a string: nothing is parsed as a number, so leading zeros survive and a phone
stored as an Excel number comes out as its digits, never as `3.46e+10` or `34600112233.0`.

The kind of file is decided by its bytes, not its name. CSV is streamed record by record; an Excel sheet is
loaded by python-calamine (Rust) and its cells are turned into text one row at a time. Anything that stops
reading raises `InputError` with one line that names the file, and the row where there is one.

This module is the entry point: it looks at the first bytes and hands the file to `importer.reading.csv_reader` or
`importer.reading.excel_reader`, which build the `Table` of `importer.reading.table`; the names callers use are
all here.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from importer.errors import InputError
from importer.i18n.message import N_
from importer.reading.csv_reader import DELIMITERS, FIELD_SIZE_LIMIT, detect_delimiter, detect_encoding, open_csv
from importer.reading.excel_reader import MAX_SHEET_CELLS, OLE_MAGIC, ZIP_MAGIC, open_excel
from importer.reading.table import SNIFF_BYTES, Batch, HeaderScore, SourceRow, Table, TextBatch, row_lists

__all__ = [
    "Batch",
    "DELIMITERS",
    "EXCEL_SUFFIXES",
    "FIELD_SIZE_LIMIT",
    "HeaderScore",
    "MAX_SHEET_CELLS",
    "SourceRow",
    "Table",
    "TextBatch",
    "chunks",
    "detect_delimiter",
    "detect_encoding",
    "open_table",
]

EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}


def open_table(
    path: str | Path,
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
    sheet: str | int | None = None,
    header_score: HeaderScore | None = None,
) -> Table:
    """Open a spreadsheet: detection and the header happen now, data rows are read lazily from `Table.rows`.

    `encoding` and `delimiter` (CSV) skip detection; `sheet` (Excel) is a sheet name or a 0-based index.
    `header_score` (importer.mapping.headers.Vocabulary.header_score) lets the header be the row that matches the
    vocabulary best, and a file without a header row be read whole (see importer.reading.table.split_header).
    """
    path = Path(path)
    try:
        with path.open("rb") as fh:
            head = fh.read(SNIFF_BYTES)
    except IsADirectoryError:
        raise InputError(N_("{file}: is a directory, not a spreadsheet", file=str(path))) from None
    except OSError as exc:
        raise InputError(N_("{file}: cannot read ({error})", file=str(path), error=str(exc.strerror or exc))) from None
    if not head:
        raise InputError(N_("{file}: the file is empty", file=str(path)))
    # Trust the bytes over the name: a ".csv" that is really a workbook (and the reverse) is common.
    if head.startswith(ZIP_MAGIC) or head.startswith(OLE_MAGIC):
        table = open_excel(path, head, sheet, header_score)
        if path.suffix.lower() not in EXCEL_SUFFIXES:
            named = (
                N_("the file is named {suffix} but is a workbook", suffix=path.suffix)
                if path.suffix
                else N_("the file is named without an extension but is a workbook")
            )
            table.notes.insert(0, named)
        return table
    table = open_csv(path, head, encoding, delimiter, header_score)
    if path.suffix.lower() in EXCEL_SUFFIXES:
        table.notes.insert(0, N_("the file is named {suffix} but holds CSV text: read as CSV", suffix=path.suffix))
    if sheet is not None:
        table.notes.append(N_("--sheet ignored: a CSV file has a single table"))
    return table


def chunks(table: Table, size: int) -> Iterator[list[SourceRow]]:
    """The table's rows in lists of at most `size`, still read lazily."""
    if size < 1:
        raise ValueError("chunk size must be at least 1")
    yield from row_lists(table.rows, size)
