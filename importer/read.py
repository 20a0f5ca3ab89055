"""Read a spreadsheet (CSV, XLSX, XLSM, XLSB, XLS, ODS) into rows of text, the way a person sees them.

Every cell comes out as a string: nothing is parsed as a number, so leading zeros survive and a phone
stored as an Excel number comes out as its digits, never as `3.46e+10` or `34600112233.0`.

The kind of file is decided by its bytes, not its name. CSV is streamed record by record; an Excel sheet is
loaded by python-calamine (Rust) and its cells are turned into text one row at a time. Anything that stops
reading raises `InputError` with one line that names the file, and the row where there is one.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import os
import re
import xml.etree.ElementTree as ElementTree
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import chain, islice
from pathlib import Path
from typing import Any

from python_calamine import (
    CalamineError,
    CalamineSheet,
    CalamineWorkbook,
    PasswordError,
    SheetVisibleEnum,
    load_workbook,
)

from importer.errors import InputError
from importer.results import unneutralize

DELIMITERS = (",", ";", "\t", "|")
EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}
FIELD_SIZE_LIMIT = 16 * 1024 * 1024  # one cell; the csv module's default (128 KiB) is too small for notes
_SNIFF_BYTES = 256 * 1024
_ASCII_SCAN_LIMIT = 64 * 1024 * 1024  # how far to look for the first non-ASCII byte when guessing the encoding
_HEADER_LOOKAHEAD = 30  # non-blank rows searched for the header below a title block
_LONG_RECORD_LINES = 100  # a record this many lines long is reported: likely a quote that is never closed
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_CP1252_UNDEFINED = re.compile(rb"[\x81\x8d\x8f\x90\x9d]")
# A well-formed UTF-8 multi-byte character. cp1252 text almost never holds one (it would read "Ã©", "Ã±"):
# finding one in bytes that are not all UTF-8 means the file mixes encodings.
_UTF8_CHAR = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}|\xed[\x80-\x9f][\x80-\xbf]"
    rb"|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}|\xf4[\x80-\x8f][\x80-\xbf]{2}"
)
# Bytes that could not be decoded come through `surrogateescape` as U+DC80..U+DCFF: finding one tells which
# row is not in the file's encoding, exactly, without slowing the common (valid) path.
_ESCAPED = re.compile("[\udc80-\udcff]")
_CONTROL = re.compile("[\x01-\x08\x0b\x0e-\x19\x1b-\x1f\x7f]")  # not \t \n \r \f, NUL or DOS's EOF (^Z)
_SEP_LINE = re.compile(r"sep=(.)$", re.IGNORECASE)  # Excel's "sep=;" first line
# python-calamine allocates a sheet's whole rectangle, 32 bytes a cell, before the first row comes out: one
# stray value at XFD1048576 asks for 512 GiB and aborts the process (calamine's issue #661). Sheets up to
# column Z pass at Excel's full height (27M cells); a wider one is measured first and refused above this.
MAX_SHEET_CELLS = 1 << 25  # 33.5M cells, 1 GiB for calamine's grid
_FAR_REF = re.compile(rb' r="(?:[A-Z]{2,3}[0-9]|[A-Z][0-9]{7})')  # a cell beyond column Z or row 999,999
_VALUE_CELL = re.compile(rb'<(?:\w+:)?c\s[^>]*?\br="([A-Z]{1,3})([0-9]{1,9})"[^>]*?(/?)>')  # "/": no value
# A formula without a saved value: written by a library (openpyxl), never calculated by a spreadsheet.
_UNSAVED_FORMULA = re.compile(rb"<f\b[^>]*(?:/>|>[^<]*</f>)\s*(?:</c>|<v\s*/>)")
_SCAN_CHUNK = 1 << 20
_DELIMITER_NAMES = {"\t": "tab", ",": "','", ";": "';'", "|": "'|'"}
_DELIMITER_ALIASES = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";", "pipe": "|"}
_ENCODING_LABELS = {"utf-8-sig": "utf-8 (BOM)", "utf-16": "utf-16 (BOM)", "utf-32": "utf-32 (BOM)"}


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


def open_table(
    path: str | Path,
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
    sheet: str | int | None = None,
) -> Table:
    """Open a spreadsheet: detection and the header happen now, data rows are read lazily from `Table.rows`.

    `encoding` and `delimiter` (CSV) skip detection; `sheet` (Excel) is a sheet name or a 0-based index.
    """
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
    # Trust the bytes over the name: a ".csv" that is really a workbook (and the reverse) is common.
    if head.startswith(_ZIP_MAGIC) or head.startswith(_OLE_MAGIC):
        table = _open_excel(path, head, sheet)
        if path.suffix.lower() not in EXCEL_SUFFIXES:
            table.notes.insert(0, f"the file is named {path.suffix or 'without an extension'} but is a workbook")
        return table
    table = _open_csv(path, head, encoding, delimiter)
    if path.suffix.lower() in EXCEL_SUFFIXES:
        table.notes.insert(0, f"the file is named {path.suffix} but holds CSV text: read as CSV")
    if sheet is not None:
        table.notes.append("--sheet ignored: a CSV file has a single table")
    return table


def chunks(table: Table, size: int) -> Iterator[list[SourceRow]]:
    """The table's rows in lists of at most `size`, still read lazily."""
    if size < 1:
        raise ValueError("chunk size must be at least 1")
    rows = iter(table.rows)
    while batch := list(islice(rows, size)):
        yield batch


# --- Rows shared by both kinds ---------------------------------------------------------------------------


def _split_header(
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


def _source_rows(records: Iterable[tuple[int, list[str]]], width: int) -> Iterator[SourceRow]:
    for number, cells in records:
        if len(cells) == width:
            yield SourceRow(number, tuple(cells))
        elif len(cells) < width:
            yield SourceRow(number, (*cells, *("",) * (width - len(cells))))
        else:
            yield SourceRow(number, tuple(cells[:width]), tuple(c for c in cells[width:] if c.strip()))


def _is_blank(cells: list[str]) -> bool:
    joined = "".join(cells)
    return not joined or joined.isspace()


# --- CSV -------------------------------------------------------------------------------------------------


def detect_encoding(head: bytes, path: Path | None = None) -> str:
    """Guess a CSV's codec from its first bytes (and, for a file that starts all ASCII, its first non-ASCII ones)."""
    if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32"  # checked before UTF-16: the UTF-32 LE BOM starts with the UTF-16 LE one
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"  # Excel's "Unicode Text"; the codec reads the BOM to pick the byte order
    sample = head[:4096]
    # UTF-16 without a BOM: ASCII text leaves every other byte zero (stray NULs in UTF-8 text do not).
    if len(sample) >= 4:
        even_zeros, odd_zeros = sample[0::2].count(0), sample[1::2].count(0)
        if odd_zeros > len(sample) // 4 and even_zeros == 0:
            return "utf-16-le"
        if even_zeros > len(sample) // 4 and odd_zeros == 0:
            return "utf-16-be"
    evidence = head
    if head.isascii() and path is not None and len(head) == _SNIFF_BYTES:
        evidence = _first_non_ascii(path, len(head))
    try:
        # Not final: a multi-byte character cut at the end of the sample is still UTF-8.
        codecs.getincrementaldecoder("utf-8")().decode(evidence, final=False)
    except UnicodeDecodeError:
        if _UTF8_CHAR.search(evidence):
            # UTF-8 rows with accents and some rows that are not UTF-8 (one pasted from a cp1252 file): read as
            # cp1252, every accent of the UTF-8 rows would silently become "Ã©". Read as UTF-8 instead, so the
            # reader stops at the first row that is not, naming it.
            return "utf-8"
        # cp1252 (Excel's "CSV" on Windows) leaves five bytes undefined; latin-1 decodes anything.
        return "latin-1" if _CP1252_UNDEFINED.search(evidence) else "cp1252"
    return "utf-8"


def _first_non_ascii(path: Path, start: int) -> bytes:
    """The first chunk after `start` that is not pure ASCII (b"" if none): the evidence for UTF-8 or not."""
    with path.open("rb") as fh:
        fh.seek(start)
        while start < _ASCII_SCAN_LIMIT and (chunk := fh.read(1024 * 1024)):
            if not chunk.isascii():
                return chunk
            start += len(chunk)
    return b""


def detect_delimiter(text: str) -> str:
    """Pick the candidate that splits most sample records into the same number (> 1) of cells.

    Ties go to the wider split, then to the order of DELIMITERS. Only `, ; tab |` are candidates: letting
    anything be a delimiter is how sniffers pick a letter or a space.
    """
    best, best_score = ",", (0, 0)
    for candidate in DELIMITERS:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=candidate)
        try:
            widths = [len(r) for r in islice(reader, 200) if r and not _is_blank(r)]
        except csv.Error:
            continue
        counts: dict[int, int] = {}
        for width in widths:
            if width > 1:
                counts[width] = counts.get(width, 0) + 1
        if not counts:
            continue
        width, count = max(counts.items(), key=lambda item: (item[1], item[0]))
        if (count, width) > best_score:
            best, best_score = candidate, (count, width)
    return best


class _LineState:
    """What the line filter saw in the record being parsed (the csv reader pulls lines one record at a time)."""

    __slots__ = ("flag", "nul", "bad_line", "quotes", "records")

    def __init__(self) -> None:
        self.flag = False  # something below is set: one check on the common path
        self.nul = False
        self.bad_line: str | None = None
        self.quotes = 0  # '"' characters seen so far: a record's count tells whether its quotes pair up
        self.records = 0  # records read so far, the header and blank ones included (for progress)


def _clean_lines(lines: Iterable[str], state: _LineState, check_escapes: bool) -> Iterator[str]:
    # The csv module (3.11) refuses a line with NUL ("line contains NUL") and loses the row: strip them.
    for line in lines:
        if "\x00" in line:
            line = line.replace("\x00", "")
            state.nul = state.flag = True
        if check_escapes and not line.isascii() and _ESCAPED.search(line):
            state.bad_line = line
            state.flag = True
        if '"' in line:
            state.quotes += line.count('"')
        yield line


def _encoding_hint(line: str, enc: str) -> str:
    """Which encoding to try for a line that is not valid `enc`: the first candidate that decodes it."""
    try:
        raw = line.encode(enc, "surrogateescape")
    except (UnicodeError, LookupError):
        raw = b""
    current = codecs.lookup(enc).name
    for candidate in ("utf-8", "cp1252", "latin-1"):
        if codecs.lookup(candidate).name == current:
            continue
        try:
            raw.decode(candidate)
        except UnicodeDecodeError:
            continue
        return candidate
    return "latin-1"


def _open_csv(path: Path, head: bytes, encoding: str | None, delimiter: str | None) -> Table:
    notes: list[str] = []
    if encoding:
        enc = encoding
        try:
            info = codecs.lookup(enc)
        except LookupError:
            raise InputError(f"{path}: unknown encoding {enc!r} (--encoding)") from None
        if not getattr(info, "_is_text_encoding", True):  # base64, zlib, rot13...: bytes to bytes, not text
            raise InputError(f"{path}: {enc!r} is not a text encoding (--encoding)")
    else:
        enc = detect_encoding(head, path)
        why = {"cp1252": " (the file is not UTF-8)", "latin-1": " (the file is not UTF-8 nor cp1252)"}.get(enc, "")
        notes.append(f"encoding {_ENCODING_LABELS.get(enc, enc)} detected{why}")
    enc_label = _ENCODING_LABELS.get(enc, codecs.lookup(enc).name)

    # The sample decides the delimiter and whether this is text at all; cut the last, maybe partial, line.
    try:
        sample = codecs.getincrementaldecoder(enc)(errors="replace").decode(head, final=len(head) < _SNIFF_BYTES)
    except UnicodeError as exc:  # "utf-16" given for a file without a BOM, and the like
        guess = detect_encoding(head, path)
        hint = guess if codecs.lookup(guess).name != codecs.lookup(enc).name else "cp1252"
        raise InputError(f"{path}: row 1: not valid {enc} text ({_short(exc)}); try --encoding {hint}") from None
    if len(head) == _SNIFF_BYTES and "\n" in sample:
        sample = sample[: sample.rfind("\n") + 1]
    _reject_non_csv(path, sample)
    first_line = re.split(r"\r\n|\r|\n", sample.lstrip("\ufeff"), maxsplit=1)[0]
    sep_line = _SEP_LINE.match(first_line)

    if delimiter is not None:
        delim = _DELIMITER_ALIASES.get(delimiter.lower(), delimiter)
        if len(delim) != 1 or delim in '"\r\n':
            raise InputError(f"--delimiter must be one character (or 'tab'), got {delimiter!r}")
    elif sep_line:
        delim = sep_line.group(1)
        notes.append(f"delimiter {_DELIMITER_NAMES.get(delim, repr(delim))} from the file's 'sep=' line")
    else:
        delim = detect_delimiter(sample)
        notes.append(f"delimiter {_DELIMITER_NAMES.get(delim, repr(delim))} detected")

    if csv.field_size_limit() < FIELD_SIZE_LIMIT:
        csv.field_size_limit(FIELD_SIZE_LIMIT)
    # surrogateescape: a byte that is not valid in `enc` must not stop the read somewhere inside an 8 KiB
    # chunk; the line filter finds it and the error names the exact row.
    fh = path.open("r", encoding=enc, errors="surrogateescape", newline="")
    try:
        state = _LineState()
        check = codecs.lookup(enc).name not in ("iso8859-1", "latin-1")  # latin-1 decodes every byte
        lines = _clean_lines(fh, state, check)
        if sep_line:
            try:
                next(lines, None)  # Excel hides this line: the header is still row 1
            except UnicodeError as exc:
                raise InputError(f"{path}: row 1: not valid {enc_label} text ({_short(exc)})") from None
        records = _csv_records(path, lines, delim, enc, state, notes)
        header_number, headers, ahead, header_notes = _split_header(path, records, "the file")
    except BaseException:
        fh.close()
        raise
    notes.extend(header_notes)
    description = f"CSV, {enc_label}, delimiter {_DELIMITER_NAMES.get(delim, repr(delim))}"
    rows = _source_rows(chain(ahead, records), len(headers))
    estimate = _csv_estimate(fh, state, header_number)
    return Table(
        path,
        headers,
        rows,
        description,
        notes,
        kind="CSV",
        encoding=enc,
        delimiter=delim,
        header_row=header_number,
        _estimate=estimate,
    )


def _csv_estimate(fh: io.TextIOWrapper, state: _LineState, header_row: int) -> Callable[[], int | None]:
    """How many rows lie below the header, from those read so far and the bytes they took: the position in the
    file as stored (`fh.buffer`), so UTF-16 and other codecs are measured in the same unit as the file's size.
    The text layer reads ahead by at most a few KiB: the estimate is a little low, exact at the end."""
    size = os.fstat(fh.fileno()).st_size

    def estimate() -> int | None:
        try:
            done = fh.buffer.tell()
        except (ValueError, OSError):  # closed: read to the end
            done = size
        rows = state.records - header_row
        if rows <= 0 or done <= 0:
            return None
        return max(rows, round(rows * size / done))

    return estimate


def _reject_non_csv(path: Path, sample: str) -> None:
    """Refuse what is not delimited text: binary data, or an HTML/XML page saved with a spreadsheet's name."""
    start = sample.lstrip("\ufeff \t\r\n")[:200].lower()
    if start.startswith(("<!doctype html", "<html", "<table")):
        raise InputError(f"{path}: is an HTML page, not CSV or a workbook; open it in Excel and save it as .xlsx")
    if start.startswith("<?xml"):
        raise InputError(f"{path}: is an XML file (Excel 2003 XML?); open it in Excel and save it as .xlsx")
    chunk = sample[:65536]
    if chunk and len(_CONTROL.findall(chunk)) > max(8, len(chunk) // 50):
        raise InputError(
            f"{path}: not a readable spreadsheet: binary data, neither CSV text nor a known workbook format"
        )


def _csv_records(
    path: Path, lines: Iterator[str], delim: str, enc: str, state: _LineState, notes: list[str]
) -> Iterator[tuple[int, list[str]]]:
    """Non-blank records with their row numbers (blank records count: a spreadsheet shows them as rows)."""
    reader = csv.reader(lines, delimiter=delim)
    number = 0
    nul_rows: list[int] = []
    line_num = 0
    quotes = before = spanned = 0  # state.quotes after the last record and the one before it; its lines
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            # A quote never closed makes the csv module (not strict) read every line after it, to the end of
            # the file, into one cell: the rows below would vanish, maybe into a valid note. Such a record is
            # the last one, spans several lines and holds an odd number of quotes (real ones come in pairs).
            if number and spanned > 1 and (quotes - before) % 2:
                raise InputError(
                    f"{path}: row {number}: a quote opened on this row is never closed, so the {spanned - 1} "
                    "line(s) below it would be read into one cell; fix the quotes on this row"
                ) from None
            break
        except csv.Error as exc:
            if "field larger than field limit" in str(exc):
                raise InputError(
                    f"{path}: row {number + 1}: a cell is larger than {FIELD_SIZE_LIMIT // (1024 * 1024)} MB "
                    "(a quote that is never closed swallows the rest of the file: check the quotes on this row)"
                ) from None
            raise InputError(f"{path}: row {number + 1}: unreadable CSV ({exc})") from None
        except UnicodeError as exc:  # a codec (UTF-16) that cannot escape the bad bytes
            raise InputError(
                f"{path}: near row {number + 1}: not valid {enc} text ({_short(exc)}); the file may be damaged"
            ) from None
        number += 1
        state.records = number
        if state.flag:
            if state.bad_line is not None:
                hint = _encoding_hint(state.bad_line, enc)
                raise InputError(
                    f"{path}: row {number}: bytes that are not valid {enc} text (the rows above are); "
                    f"try --encoding {hint}"
                )
            if state.nul:
                nul_rows.append(number)
            state.flag = state.nul = False
        spanned = reader.line_num - line_num
        if spanned > _LONG_RECORD_LINES:
            notes.append(f"row {number} spans {spanned} lines: check for a quote never closed")
        line_num = reader.line_num
        before, quotes = quotes, state.quotes
        joined = "".join(cells)
        if not joined or joined.isspace():
            continue
        yield number, cells
    if nul_rows:
        shown = ", ".join(map(str, nul_rows[:10])) + (f" and {len(nul_rows) - 10} more" if len(nul_rows) > 10 else "")
        notes.append(f"NUL bytes removed from {len(nul_rows)} row(s): {shown}")


# --- Excel -----------------------------------------------------------------------------------------------


def _excel_kind(path: Path, head: bytes) -> str:
    """XLS, XLSX, XLSM, XLSB or ODS, from the bytes; a zip that holds no workbook is refused here."""
    if head.startswith(_OLE_MAGIC):
        return "XLS"  # or a password-protected xlsx (an OLE container too): calamine tells them apart
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
    # zipfile also raises NotImplementedError (unknown compression, "strong encryption") and RuntimeError
    # (an encrypted member).
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, RuntimeError):
        raise InputError(
            f"{path}: not a readable spreadsheet: a damaged or incomplete zip archive; download or export it again"
        ) from None
    if "mimetype" in names or "content.xml" in names:
        return "ODS"
    if "xl/workbook.bin" in names:
        return "XLSB"
    if "xl/workbook.xml" in names:
        return "XLSM" if "xl/vbaProject.bin" in names else "XLSX"
    raise InputError(
        f"{path}: not a readable spreadsheet: a zip archive without a workbook; unzip it and import the file inside"
    )


# Binary workbooks the fuzzer has seen abort the Rust reader (a SIGABRT no Python code can catch, after
# trying to allocate many GB): they are read once in a child process with a memory cap first.
_PROBED_KINDS = frozenset({"XLS", "XLSB"})
_PROBE_MEMORY = 2 * 1024**3


def _probe_in_a_child(path: Path, kind: str) -> None:
    import multiprocessing

    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
    child = context.Process(target=_probe, args=(str(path),), daemon=True)
    child.start()
    child.join()
    if child.exitcode != 0:
        raise InputError(f"{path}: not a readable spreadsheet: the {kind} reader fails on this file; save it as .xlsx")


def _probe(path: str) -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (_PROBE_MEMORY, _PROBE_MEMORY))
    os.dup2(os.open(os.devnull, os.O_WRONLY), 2)  # the reader's abort message is not for the person
    try:
        workbook = load_workbook(path)
        for name in workbook.sheet_names:
            for _ in workbook.get_sheet_by_name(name).iter_rows():
                pass
    except Exception:
        os._exit(0)  # a Python-level error: the parent meets it again and reports it properly
    os._exit(0)


def _open_excel(path: Path, head: bytes, sheet: str | int | None) -> Table:
    # python-calamine, not openpyxl: 10x the rows/s on a 100k-row sheet (bench/bench_read.py), at the cost of
    # holding the sheet's cells in memory (about 1 KB per 13-cell row).
    kind = _excel_kind(path, head)
    if kind in _PROBED_KINDS:
        _probe_in_a_child(path, kind)
    try:
        workbook = load_workbook(str(path))
    except PasswordError:
        raise InputError(
            f"{path}: the workbook is password-protected; remove the password in Excel and save it, or export CSV"
        ) from None
    except (CalamineError, OSError, ValueError) as exc:
        raise InputError(f"{path}: not a readable spreadsheet: cannot read it as {kind} ({_short(exc)})") from None
    except Exception as exc:  # a panic in the Rust reader surfaces as another type
        raise InputError(f"{path}: not a readable spreadsheet ({kind}, {type(exc).__name__}: {_short(exc)})") from None

    try:
        metas = list(workbook.sheets_metadata)
        names = [m.name for m in metas]
        hidden = {m.name for m in metas if m.visible != SheetVisibleEnum.Visible}
        notes: list[str] = []
        if sheet is not None:
            name = _pick_sheet(path, names, sheet)
            found = _sheet_records(path, workbook, name, kind)
            if found is None:
                raise InputError(f"{path}: sheet {name!r} has no data")
        else:
            # The first sheet with data, visible ones first: a hidden sheet is read only when no visible
            # sheet has data (it often holds lookup lists, not the contacts).
            found, name = None, ""
            for name in [n for n in names if n not in hidden] + [n for n in names if n in hidden]:
                found = _sheet_records(path, workbook, name, kind)
                if found is not None:
                    break
            if found is None:
                raise InputError(f"{path}: no data in any sheet ({', '.join(map(repr, names))})")
            if len(names) > 1:
                others = ", ".join(f"{n!r}" + (" (hidden)" if n in hidden else "") for n in names if n != name)
                notes.append(f"sheet {name!r} read (the first with data); other sheets: {others}; see --sheet")
        if name in hidden:
            notes.append(f"sheet {name!r} is hidden in the workbook")
    except BaseException:
        workbook.close()
        raise

    header_number, headers, ahead, records, height, header_notes = found
    notes.extend(header_notes)
    rows = _closing(_source_rows(chain(ahead, records), len(headers)), workbook)
    return Table(
        path,
        headers,
        rows,
        f"{kind}, sheet {name!r}",
        notes,
        kind=kind,
        sheet=name,
        header_row=header_number,
        total_rows=max(height - header_number, 0),
    )


def _pick_sheet(path: Path, names: list[str], sheet: str | int) -> str:
    """`--sheet`: a name (exact, then ignoring case and spaces) or a 0-based index."""
    text = str(sheet).strip()
    if text in names:
        return text
    folded = [n for n in names if n.strip().casefold() == text.casefold()]
    if len(folded) == 1:
        return folded[0]
    if text.isascii() and text.isdigit() and int(text) < len(names):
        return names[int(text)]
    listed = ", ".join(f"{i}: {n!r}" for i, n in enumerate(names))
    raise InputError(f"{path}: no sheet {text!r}; the sheets are {listed} (--sheet takes a name or a 0-based index)")


# A sheet with data: header row number, headers, data rows read ahead, the other rows, height, notes.
_Found = tuple[int, list[str], list[tuple[int, list[str]]], Iterator[tuple[int, list[str]]], int, list[str]]


def _sheet_records(path: Path, workbook: CalamineWorkbook, name: str, kind: str) -> _Found | None:
    """Load one sheet and find its header; None when the sheet has no data."""
    scan = _scan_xlsx_sheet(path, name) if kind in ("XLSX", "XLSM") else None
    if scan is not None and scan.cells > MAX_SHEET_CELLS:
        raise InputError(
            f"{path}: sheet {name!r} spans {scan.extent} ({scan.cells:,} cells), too large to load: a stray cell far "
            "from the data? Delete the rows and columns past the data (Ctrl+End shows the last cell), or save the "
            "sheet as CSV"
        )
    try:
        ws: CalamineSheet = workbook.get_sheet_by_name(name)
    except Exception as exc:
        raise InputError(
            f"{path}: not a readable spreadsheet: sheet {name!r} is damaged ({type(exc).__name__}: {_short(exc)})"
        ) from None
    if ws.start is None:
        return None
    # python-calamine's iter_rows() starts at the sheet's row 1, blank rows above the data included (but drops
    # blank columns on the left, which shifts every row alike). Should a version start at the first row with
    # data instead (its issue #177), that row is not blank: then number from there.
    rows = ws.iter_rows()
    first = next(rows, None)
    if first is None:
        return None
    top = ws.start[0] if ws.start[0] > 0 and any(c != "" for c in first) else 0
    records = _excel_records(chain([first], rows), top + 1)
    try:
        header_number, headers, ahead, header_notes = _split_header(path, records, f"sheet {name!r}")
    except InputError:
        return None
    height = ws.end[0] + 1 if ws.end else header_number  # `end` is 0-based and absolute
    if scan is not None and scan.unsaved_formulas:
        header_notes.append(
            f"{scan.unsaved_formulas} formula cell(s) have no saved value (the file was written by a program and "
            "never calculated): they read as empty; open the file in Excel or LibreOffice and save it"
        )
    header_notes.extend(_merged_note(ws, header_number))
    return header_number, headers, ahead, records, height, header_notes


def _merged_note(ws: CalamineSheet, header_number: int) -> list[str]:
    """Merged cells among the data: their value is read in the first cell only, as Excel's Save as CSV does."""
    try:
        ranges = ws.merged_cell_ranges or []  # xlsx and xls only
    except Exception:  # a reader that cannot tell: nothing to say
        return []
    below = sorted(r for r in ranges if r[0][0] + 1 > header_number)
    if not below:
        return []
    refs = [f"{_cell_ref(*start)}:{_cell_ref(*end)}" for start, end in below]
    shown = ", ".join(refs[:5]) + (f" and {len(refs) - 5} more" if len(refs) > 5 else "")
    return [f"merged cells {shown}: a value is read in the first cell of each, the others are empty"]


def _cell_ref(row: int, col: int) -> str:
    """0-based (row, col) as Excel names the cell: (0, 27) is AB1."""
    letters = ""
    col += 1
    while col:
        col, rest = divmod(col - 1, 26)
        letters = chr(65 + rest) + letters
    return f"{letters}{row + 1}"


def _col_index(letters: bytes) -> int:
    index = 0
    for byte in letters:
        index = index * 26 + byte - 64
    return index - 1


@dataclass
class _SheetScan:
    cells: int = 0  # the rectangle python-calamine will allocate; 0 when it is known to be small enough
    extent: str = ""  # that rectangle as Excel names it, "A1:XFD1048576"
    unsaved_formulas: int = 0


def _scan_xlsx_sheet(path: Path, name: str) -> _SheetScan | None:
    """A look at a sheet's XML before python-calamine loads it, for what calamine cannot tell us safely.

    One pass finds formulas without a saved value and whether any cell lies beyond column Z or row 999,999;
    only then does a second pass measure the rectangle of cells with a value (a sheet without such cells is
    small enough: 999,999 x 26 < MAX_SHEET_CELLS). About 0.2 s per 100,000 rows of 13 columns. None when the
    sheet cannot be found or read here: calamine's own error, if any, is then the one reported.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            member = _xlsx_sheet_member(archive, name)
            if member is None:
                return None
            scan = _SheetScan()
            far = False
            for body in _xml_chunks(archive, member):
                far = far or _FAR_REF.search(body) is not None
                if b"<f" in body:
                    scan.unsaved_formulas += len(_UNSAVED_FORMULA.findall(body))
            if far:  # a second pass, with the cost of a look at every cell: wide or very long sheets only
                top, left, bottom, right = 1 << 30, 1 << 30, -1, -1
                for body in _xml_chunks(archive, member):
                    for letters, digits, empty in _VALUE_CELL.findall(body):
                        if empty:  # <c r="XFD9" s="1"/>: formatting only, calamine keeps no cell
                            continue
                        row, col = int(digits) - 1, _col_index(letters)
                        top, bottom = min(top, row), max(bottom, row)
                        left, right = min(left, col), max(right, col)
                if bottom >= 0:
                    scan.cells = (bottom - top + 1) * (right - left + 1)
                    scan.extent = f"{_cell_ref(top, left)}:{_cell_ref(bottom, right)}"
            return scan
    except (
        zipfile.BadZipFile,
        OSError,
        ValueError,
        KeyError,
        EOFError,
        zlib.error,
        ElementTree.ParseError,
        NotImplementedError,
        RuntimeError,
    ):
        return None


def _xlsx_sheet_member(archive: zipfile.ZipFile, name: str) -> str | None:
    """The zip member holding sheet `name`: xl/workbook.xml names it, its relationships give the part."""
    rel_id = None
    for element in ElementTree.fromstring(archive.read("xl/workbook.xml")).iter():
        if element.tag.rsplit("}", 1)[-1] == "sheet" and element.get("name") == name:
            rel_id = next((v for k, v in element.attrib.items() if k.rsplit("}", 1)[-1] == "id"), None)
            break
    if rel_id is None:
        return None
    for element in ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels")).iter():
        if element.get("Id") == rel_id and element.get("Target"):
            target = element.get("Target", "")
            member = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            return member if member in archive.NameToInfo else None
    return None


def _xml_chunks(archive: zipfile.ZipFile, member: str) -> Iterator[bytes]:
    """The member's bytes in chunks of about 1 MiB, each cut before a cell (`<c `) so no cell is split."""
    tail = b""
    with archive.open(member) as fh:
        while chunk := fh.read(_SCAN_CHUNK):
            buffer = tail + chunk
            cut = buffer.rfind(b"<c ")
            if cut <= 0:
                cut = buffer.rfind(b"<")
            if cut <= 0:
                tail = buffer
                continue
            tail = buffer[cut:]
            yield buffer[:cut]
    if tail:
        yield tail


def _excel_records(rows: Iterable[list[object]], first: int) -> Iterator[tuple[int, list[str]]]:
    # Cells become text here, one row at a time, as the rows are consumed.
    for number, row in enumerate(rows, first):
        cells = [c if c.__class__ is str else _cell_text(c) for c in row]
        joined = "".join(cells)
        if joined and not joined.isspace():
            yield number, cells


def _closing(rows: Iterator[SourceRow], workbook: CalamineWorkbook) -> Iterator[SourceRow]:
    try:
        yield from rows
    finally:
        workbook.close()


def _short(exc: BaseException) -> str:
    return str(exc).splitlines()[0][:200] if str(exc).strip() else type(exc).__name__


def _cell_text(value: object) -> str:
    """An Excel cell as the text a person sees: whole numbers without `.0`, no exponent, ISO dates.

    Formulas come out as the value the spreadsheet saved with them (what Excel shows). A formula never
    computed (written by a library such as openpyxl and not saved by Excel or LibreOffice since) has no saved
    value and comes out empty; error cells (#N/A) also come out empty, as python-calamine gives no text for
    them. Empty is the safe side: such a phone is reported missing instead of imported wrong.
    """
    if value is None:
        return ""
    convert = _CONVERTERS.get(value.__class__)
    if convert is not None:
        return convert(value)
    for kind, convert in _CONVERTERS.items():  # a subclass (pandas' Timestamp, numpy's float64, ...)
        if isinstance(value, kind):
            return convert(value)
    return str(value)


def _float_text(value: float) -> str:
    if value.is_integer():
        return str(int(value))
    # 15 significant digits, as Excel shows a number: 0.1+0.2 is 0.3, not 0.30000000000000004.
    text = f"{value:.15g}"
    return format(Decimal(text), "f") if "e" in text else text


def _datetime_text(value: dt.datetime) -> str:
    if value.microsecond:
        value = _round_second(value)
    if not (value.hour or value.minute or value.second):
        return value.date().isoformat()  # a date typed in a date-and-time column
    return value.isoformat(" ", "seconds")


def _time_text(value: dt.time) -> str:
    if value.microsecond:
        value = _round_second(dt.datetime.combine(dt.date(2000, 1, 1), value)).time()
    return value.isoformat("seconds")


def _duration_text(value: dt.timedelta) -> str:
    # A duration cell, shown as Excel's [h]:mm:ss.
    seconds = round(value.total_seconds())
    sign, seconds = ("-", -seconds) if seconds < 0 else ("", seconds)
    return f"{sign}{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def _round_second(value: dt.datetime) -> dt.datetime:
    # Excel stores times as fractions of a day: 10:30:00 can come back as 10:29:59.999999.
    if value.microsecond >= 500_000:
        value += dt.timedelta(seconds=1)
    return value.replace(microsecond=0)


# Exact type first (one dict look-up per cell, the hot path); order matters for the isinstance fallback:
# bool before int (bool is an int), datetime before date (datetime is a date).
_CONVERTERS: dict[type, Callable[[Any], str]] = {
    bool: lambda v: "TRUE" if v else "FALSE",
    float: _float_text,
    int: str,
    dt.datetime: _datetime_text,
    dt.date: dt.date.isoformat,
    dt.time: _time_text,
    dt.timedelta: _duration_text,
}
