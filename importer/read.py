"""Read a spreadsheet (CSV, XLSX, XLS, ODS) into rows of text, the way a person sees them.

Every cell comes out as a string: nothing is parsed as a number, so leading zeros survive and a phone
stored as an Excel number comes out as its digits, never as `3.46e+10` or `34600112233.0`.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from importer.errors import InputError

DELIMITERS = (",", ";", "\t", "|")
EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}
_SNIFF_BYTES = 256 * 1024
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"


@dataclass(frozen=True)
class SourceRow:
    number: int  # the row number a person sees in the sheet (the header is row 1)
    values: tuple[str, ...]  # one per header; missing cells are ""
    extra: tuple[str, ...] = ()  # non-empty cells beyond the last header (a ragged row)


@dataclass
class Table:
    path: Path
    headers: list[str]
    rows: Iterator[SourceRow]
    description: str  # what was detected, for the person: "CSV, utf-8, delimiter ';'"
    notes: list[str] = field(default_factory=list)


def open_table(
    path: str | Path,
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
    sheet: str | None = None,
) -> Table:
    """Open a spreadsheet; the header is read now and data rows lazily from `Table.rows`."""
    path = Path(path)
    try:
        with path.open("rb") as fh:
            head = fh.read(_SNIFF_BYTES)
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory, not a spreadsheet") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from None
    if not head:
        raise InputError(f"{path}: the file is empty")
    # Trust the bytes over the name: a ".csv" that is really a workbook is common in the wild.
    if head.startswith(_ZIP_MAGIC) or head.startswith(_OLE_MAGIC) or path.suffix.lower() in EXCEL_SUFFIXES:
        return _open_excel(path, sheet)
    return _open_csv(path, head, encoding, delimiter)


# --- CSV -------------------------------------------------------------------------------------------------


def detect_encoding(head: bytes) -> str:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"  # Excel's "Unicode Text"
    sample = head[:4096]
    # UTF-16 without a BOM: ASCII text leaves every other byte zero.
    if len(sample) >= 4 and sample[1::2].count(0) > len(sample) // 4 and sample[0::2].count(0) == 0:
        return "utf-16-le"
    if len(sample) >= 4 and sample[0::2].count(0) > len(sample) // 4 and sample[1::2].count(0) == 0:
        return "utf-16-be"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the end of the sample is still UTF-8.
        if exc.start < len(head) - 4:
            return "cp1252"
    return "utf-8-sig"


def detect_delimiter(text: str) -> str:
    """Pick the candidate that splits the sample into the most consistent number of columns (> 1)."""
    lines = text.splitlines()[:50]
    if not lines:
        return ","
    best, best_score = ",", (0, 0)
    for candidate in DELIMITERS:
        widths = [len(r) for r in csv.reader(lines, delimiter=candidate) if r]
        if not widths or max(widths) < 2:
            continue
        header_width = widths[0]
        score = (sum(1 for w in widths if w == header_width), header_width)
        if score > best_score:
            best, best_score = candidate, score
    return best


def _open_csv(path: Path, head: bytes, encoding: str | None, delimiter: str | None) -> Table:
    enc = encoding or detect_encoding(head)
    try:
        codecs.lookup(enc)
    except LookupError:
        raise InputError(f"{path}: unknown encoding {enc!r}") from None
    try:
        sample = head.decode(enc, errors="strict" if encoding else "replace")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{path}: cannot be read as {enc} (byte {exc.start}); try --encoding cp1252 or utf-16"
        ) from None
    delim = delimiter if delimiter is not None else detect_delimiter(sample)
    if len(delim) != 1:
        raise InputError(f"--delimiter must be one character, got {delim!r}")

    fh = path.open("r", encoding=enc, newline="", errors="strict")
    reader = csv.reader(fh, delimiter=delim)
    try:
        header_cells = next(reader, None)
    except (UnicodeDecodeError, csv.Error) as exc:
        fh.close()
        raise InputError(f"{path}: row 1: {_decode_hint(exc, enc)}") from None
    if header_cells is None or not any(c.strip() for c in header_cells):
        fh.close()
        raise InputError(f"{path}: no header row (the file has no data)")
    headers = [c.replace("\ufeff", "").strip() for c in header_cells]
    shown = {"\t": "tab", ",": "','", ";": "';'", "|": "'|'"}.get(delim, repr(delim))
    description = f"CSV, {enc}, delimiter {shown}"
    return Table(path, headers, _csv_rows(path, fh, reader, len(headers), enc), description)


def _decode_hint(exc: Exception, enc: str) -> str:
    if isinstance(exc, UnicodeDecodeError):
        return f"not valid {enc} text; try --encoding cp1252 (Windows) or --encoding utf-16"
    return f"unreadable CSV ({exc})"


def _csv_rows(path: Path, fh: io.TextIOBase, reader: Iterator[list[str]], width: int, enc: str) -> Iterator[SourceRow]:
    number = 1
    with fh:
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except (UnicodeDecodeError, csv.Error) as exc:
                raise InputError(f"{path}: row {number + 1}: {_decode_hint(exc, enc)}") from None
            number += 1
            if not any(c.strip() for c in cells):
                continue
            yield _fit(number, cells, width)


def _fit(number: int, cells: list[str], width: int) -> SourceRow:
    if len(cells) <= width:
        return SourceRow(number, tuple(cells) + ("",) * (width - len(cells)))
    return SourceRow(number, tuple(cells[:width]), tuple(c for c in cells[width:] if c.strip()))


# --- Excel -----------------------------------------------------------------------------------------------


def _open_excel(path: Path, sheet: str | None) -> Table:
    # python-calamine (Rust) reads several times faster than openpyxl and handles xlsx, xls and ods.
    from python_calamine import CalamineError, load_workbook

    try:
        workbook = load_workbook(str(path))
    except (CalamineError, OSError, ValueError) as exc:
        raise InputError(f"{path}: not a readable spreadsheet ({_short(exc)})") from None
    except Exception as exc:  # calamine raises its own types for zip/xml/password problems
        raise InputError(f"{path}: not a readable spreadsheet ({type(exc).__name__}: {_short(exc)})") from None
    names = list(workbook.sheet_names)
    try:
        if sheet is not None:
            ws = workbook.get_sheet_by_index(int(sheet)) if sheet.isdigit() else workbook.get_sheet_by_name(sheet)
            rows = ws.to_python(skip_empty_area=False)
        else:
            ws, rows = None, []
            for name in names:  # the first sheet with data
                ws = workbook.get_sheet_by_name(name)
                rows = ws.to_python(skip_empty_area=False)
                if any(any(_cell_text(c).strip() for c in r) for r in rows):
                    break
    except (IndexError, ValueError, KeyError):
        raise InputError(f"{path}: no sheet {sheet!r}; sheets are {', '.join(names)}") from None
    except Exception as exc:
        raise InputError(f"{path}: cannot read sheet ({type(exc).__name__}: {_short(exc)})") from None

    texts = [[_cell_text(c) for c in r] for r in rows]
    header_index = next((i for i, r in enumerate(texts) if any(c.strip() for c in r)), None)
    if header_index is None:
        raise InputError(f"{path}: no data in sheet {ws.name if ws else sheet!r}")
    headers = [c.strip() for c in texts[header_index]]
    while headers and not headers[-1]:
        headers.pop()

    def generate() -> Iterator[SourceRow]:
        for offset, cells in enumerate(texts[header_index + 1 :], start=header_index + 2):
            if any(c.strip() for c in cells):
                yield _fit(offset, cells, len(headers))

    return Table(path, headers, generate(), f"{path.suffix.lstrip('.').upper() or 'Excel'}, sheet {ws.name!r}")


def _short(exc: Exception) -> str:
    return str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__


def _cell_text(value: object) -> str:
    """An Excel cell as the text a person typed: whole numbers without `.0`, dates as YYYY-MM-DD."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        text = repr(value)
        return format(Decimal(text), "f") if "e" in text or "E" in text else text
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.isoformat(timespec="seconds")
    return str(value)
