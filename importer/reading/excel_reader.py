"""Read a workbook (XLSX, XLSM, XLSB, XLS, ODS) with python-calamine, its cells turned into the text a person sees.

The kind comes from the bytes (a zip's members, or an OLE container). Before python-calamine loads a sheet,
what it cannot survive or tell us is checked here: a binary workbook is first read in a child process with a
memory cap (some abort the Rust reader), and an XLSX sheet's XML is scanned for a stray cell far from the
data (calamine would allocate the whole rectangle) and for formulas without a saved value. The sheet read is
the one asked for, else the first with data; its cells become text one row at a time, as rows are consumed.
"""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ElementTree
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import chain
from pathlib import Path

from python_calamine import (
    CalamineError,
    CalamineSheet,
    CalamineWorkbook,
    PasswordError,
    SheetVisibleEnum,
    load_workbook,
)

from importer.errors import InputError, capped
from importer.i18n.message import N_, NP_, Text
from importer.reading.table import HeaderScore, SourceRow, Table, short_error, source_rows, split_header
from importer.reading.values import cell_text

ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# python-calamine allocates a sheet's whole rectangle, 32 bytes a cell, before the first row comes out: one
# stray value at XFD1048576 asks for 512 GiB and aborts the process (calamine's issue #661). Sheets up to
# column Z pass at Excel's full height (27M cells); a wider one is measured first and refused above this.
MAX_SHEET_CELLS = 1 << 25  # 33.5M cells, 1 GiB for calamine's grid
_FAR_REF = re.compile(rb' r="(?:[A-Z]{2,3}[0-9]|[A-Z][0-9]{7})')  # a cell beyond column Z or row 999,999
_VALUE_CELL = re.compile(rb'<(?:\w+:)?c\s[^>]*?\br="([A-Z]{1,3})([0-9]{1,9})"[^>]*?(/?)>')  # "/": no value
# A formula without a saved value: written by a library (openpyxl), never calculated by a spreadsheet.
_UNSAVED_FORMULA = re.compile(rb"<f\b[^>]*(?:/>|>[^<]*</f>)\s*(?:</c>|<v\s*/>)")
_SCAN_CHUNK = 1 << 20


def _excel_kind(path: Path, head: bytes) -> str:
    """XLS, XLSX, XLSM, XLSB or ODS, from the bytes; a zip that holds no workbook is refused here."""
    if head.startswith(OLE_MAGIC):
        return "XLS"  # or a password-protected xlsx (an OLE container too): calamine tells them apart
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
    # zipfile also raises NotImplementedError (unknown compression, "strong encryption") and RuntimeError
    # (an encrypted member).
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, RuntimeError):
        raise InputError(
            N_(
                "{file}: not a readable spreadsheet: a damaged or incomplete zip archive; download or export it again",
                file=str(path),
            )
        ) from None
    if "mimetype" in names or "content.xml" in names:
        return "ODS"
    if "xl/workbook.bin" in names:
        return "XLSB"
    if "xl/workbook.xml" in names:
        return "XLSM" if "xl/vbaProject.bin" in names else "XLSX"
    raise InputError(
        N_(
            "{file}: not a readable spreadsheet: a zip archive without a workbook; unzip it and import the file inside",
            file=str(path),
        )
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
        raise InputError(
            N_(
                "{file}: not a readable spreadsheet: the {kind} reader fails on this file; save it as .xlsx",
                file=str(path),
                kind=kind,
            )
        )


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


def open_excel(path: Path, head: bytes, sheet: str | int | None, header_score: HeaderScore | None = None) -> Table:
    # python-calamine, not openpyxl: 10x the rows/s on a 100k-row sheet (bench/bench_read.py), at the cost of
    # holding the sheet's cells in memory (about 1 KB per 13-cell row).
    kind = _excel_kind(path, head)
    if kind in _PROBED_KINDS:
        _probe_in_a_child(path, kind)
    try:
        workbook = load_workbook(str(path))
    except PasswordError:
        raise InputError(
            N_(
                "{file}: the workbook is password-protected; remove the password in Excel and save it, or export CSV",
                file=str(path),
            )
        ) from None
    except (CalamineError, OSError, ValueError) as exc:
        raise InputError(
            N_(
                "{file}: not a readable spreadsheet: cannot read it as {kind} ({error})",
                file=str(path),
                kind=kind,
                error=short_error(exc),
            )
        ) from None
    except Exception as exc:  # a panic in the Rust reader surfaces as another type
        raise InputError(
            N_(
                "{file}: not a readable spreadsheet ({kind}, {error})",
                file=str(path),
                kind=kind,
                error=_exception_text(exc),
            )
        ) from None

    try:
        metas = list(workbook.sheets_metadata)
        names = [m.name for m in metas]
        hidden = {m.name for m in metas if m.visible != SheetVisibleEnum.Visible}
        notes: list[Text] = []
        if sheet is not None:
            name = _pick_sheet(path, names, sheet)
            found = _sheet_records(path, workbook, name, kind, header_score)
            if found is None:
                raise InputError(N_("{file}: sheet {sheet!r} has no data", file=str(path), sheet=name))
        else:
            # The first sheet with data, visible ones first: a hidden sheet is read only when no visible
            # sheet has data (it often holds lookup lists, not the contacts).
            found, name = None, ""
            for name in [n for n in names if n not in hidden] + [n for n in names if n in hidden]:
                found = _sheet_records(path, workbook, name, kind, header_score)
                if found is not None:
                    break
            if found is None:
                raise InputError(
                    N_("{file}: no data in any sheet ({sheets})", file=str(path), sheets=", ".join(map(repr, names)))
                )
            if len(names) > 1:
                others = capped([_sheet_name(n, n in hidden) for n in names if n != name])
                notes.append(
                    N_(
                        "sheet {sheet!r} read (the first with data); other sheets: {others}; see --sheet",
                        sheet=name,
                        others=others,
                    )
                )
        if name in hidden:
            notes.append(N_("sheet {sheet!r} is hidden in the workbook", sheet=name))
    except BaseException:
        workbook.close()
        raise

    header_number, headers, ahead, records, height, header_notes = found
    notes.extend(header_notes)
    rows = _closing(source_rows(chain(ahead, records), len(headers)), workbook)
    return Table(
        path,
        headers,
        rows,
        N_("{kind}, sheet {sheet!r}", kind=kind, sheet=name),
        notes,
        kind=kind,
        sheet=name,
        header_row=header_number,
        headerless=header_number == 0,
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
    raise InputError(
        N_(
            "{file}: no sheet {sheet!r}; the sheets are {sheets} (--sheet takes a name or a 0-based index)",
            file=str(path),
            sheet=text,
            sheets=listed,
        )
    )


# A sheet with data: header row number, headers, data rows read ahead, the other rows, height, notes.
_Found = tuple[int, list[str], list[tuple[int, list[str]]], Iterator[tuple[int, list[str]]], int, list[Text]]


def _sheet_records(
    path: Path, workbook: CalamineWorkbook, name: str, kind: str, header_score: HeaderScore | None = None
) -> _Found | None:
    """Load one sheet and find its header; None when the sheet has no data."""
    scan = _scan_xlsx_sheet(path, name) if kind in ("XLSX", "XLSM") else None
    if scan is not None and scan.cells > MAX_SHEET_CELLS:
        raise InputError(
            N_(
                "{file}: sheet {sheet!r} spans {extent} ({cells} cells), too large to load: a stray cell far from the"
                " data? Delete the rows and columns past the data (Ctrl+End shows the last cell), or save the sheet"
                " as CSV",
                file=str(path),
                sheet=name,
                extent=scan.extent,
                cells=scan.cells,
            )
        )
    try:
        ws: CalamineSheet = workbook.get_sheet_by_name(name)
    except Exception as exc:
        raise InputError(
            N_(
                "{file}: not a readable spreadsheet: sheet {sheet!r} is damaged ({error})",
                file=str(path),
                sheet=name,
                error=_exception_text(exc),
            )
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
        header_number, headers, ahead, header_notes = split_header(
            path, records, N_("sheet {sheet!r}", sheet=name), header_score
        )
    except InputError:
        return None
    height = ws.end[0] + 1 if ws.end else header_number  # `end` is 0-based and absolute
    if scan is not None and scan.unsaved_formulas:
        header_notes.append(
            NP_(
                "{n} formula cell has no saved value (the file was written by a program and never calculated): it"
                " reads as empty; open the file in Excel or LibreOffice and save it",
                "{n} formula cells have no saved value (the file was written by a program and never calculated):"
                " they read as empty; open the file in Excel or LibreOffice and save it",
                scan.unsaved_formulas,
            )
        )
    header_notes.extend(_merged_note(ws, header_number))
    return header_number, headers, ahead, records, height, header_notes


def _merged_note(ws: CalamineSheet, header_number: int) -> list[Text]:
    """Merged cells among the data: their value is read in the first cell only, as Excel's Save as CSV does."""
    try:
        ranges = ws.merged_cell_ranges or []  # xlsx and xls only
    except Exception:  # a reader that cannot tell: nothing to say
        return []
    below = sorted(r for r in ranges if r[0][0] + 1 > header_number)
    if not below:
        return []
    refs = [f"{_cell_ref(*start)}:{_cell_ref(*end)}" for start, end in below]
    shown = capped(refs)
    return [N_("merged cells {cells}: a value is read in the first cell of each, the others are empty", cells=shown)]


def _exception_text(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {short_error(exc)}"


def _sheet_name(name: str, hidden: bool) -> Text:
    return N_("{sheet!r} (hidden)", sheet=name) if hidden else repr(name)


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
        cells = [c if c.__class__ is str else cell_text(c) for c in row]
        joined = "".join(cells)
        if joined and not joined.isspace():
            yield number, cells


def _closing(rows: Iterator[SourceRow], workbook: CalamineWorkbook) -> Iterator[SourceRow]:
    try:
        yield from rows
    finally:
        workbook.close()
