"""importer.reading.files on real files written into tmp_path: CSV in every encoding and delimiter, and workbooks."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import os
import zipfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from importer.errors import InputError
from importer.reading.csv_reader import detect_delimiter
from importer.reading.files import SourceRow, chunks, open_table

ROWS = [["Nombre", "Teléfono", "Notas"], ["José Álvarez", "+34 612 34 56 78", 'dice "hola"; adiós']]


def encode(text: str, encoding: str) -> bytes:
    """`text` in `encoding`; "utf-16-be-bom" is big-endian UTF-16 with a BOM (Python's "utf-16" is LE here)."""
    if encoding == "utf-16-be-bom":
        return codecs.BOM_UTF16_BE + text.encode("utf-16-be")
    return text.encode(encoding)


def write_csv(path: Path, encoding: str, delimiter: str) -> Path:
    lines = [delimiter.join(f'"{c}"' if delimiter in c or '"' in c else c for c in r) for r in ROWS]
    text = "\r\n".join(line.replace('"hola"', '""hola""') for line in lines) + "\r\n"
    path.write_bytes(encode(text, encoding))
    return path


def rows_of(path: Path, **options: str) -> list[tuple[int, tuple[str, ...]]]:
    return [(r.number, r.values) for r in open_table(path, **options).rows]


# --- CSV: encodings and delimiters -----------------------------------------------------------------------

ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "utf-16-be-bom", "utf-16-le", "utf-16-be", "utf-32", "cp1252"]


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_csv_encodings_and_delimiters_are_detected(tmp_path: Path, encoding: str, delimiter: str) -> None:
    table = open_table(write_csv(tmp_path / "c.csv", encoding, delimiter))
    assert table.headers == ["Nombre", "Teléfono", "Notas"]
    rows = list(table.rows)
    assert [r.values for r in rows] == [("José Álvarez", "+34 612 34 56 78", 'dice "hola"; adiós')]
    assert rows[0].number == 2
    assert table.delimiter == delimiter and table.kind == "CSV"
    shown = {"\t": "tab", ",": "','", ";": "';'", "|": "'|'"}[delimiter]
    assert f"delimiter {shown} detected" in table.notes and f"delimiter {shown}" in str(table.description)
    notes = [str(note) for note in table.notes]  # Messages: str() is English
    assert any(note.startswith("encoding ") and note.endswith(("detected", ")")) for note in notes)


def test_excel_unicode_text_export_utf16_tabs(tmp_path: Path) -> None:
    # Excel's "Unicode Text (*.txt)": UTF-16 LE with a BOM, tab-delimited, CRLF, cells with commas unquoted.
    path = tmp_path / "export.txt"
    path.write_bytes("Name\tPhone\tCity\r\nAna\t612345678\tLima, Perú\r\n".encode("utf-16"))
    table = open_table(path)
    assert table.description == "CSV, utf-16 (BOM), delimiter tab"
    assert [r.values for r in table.rows] == [("Ana", "612345678", "Lima, Perú")]


def test_cp1252_after_a_long_ascii_start_is_still_detected(tmp_path: Path) -> None:
    # The first 256 KiB are plain ASCII: the evidence (an "í" in cp1252) comes later, and is looked for.
    path = tmp_path / "late.csv"
    body = "".join(f"Name{i},6123{i:05d}\n" for i in range(20_000))
    path.write_bytes(b"Name,Phone\n" + body.encode("ascii") + "María,612000000\n".encode("cp1252"))
    table = open_table(path)
    assert table.encoding == "cp1252"
    assert list(table.rows)[-1] == SourceRow(20_002, ("María", "612000000"))


def test_bytes_undefined_in_cp1252_fall_back_to_latin1(tmp_path: Path) -> None:
    path = tmp_path / "l1.csv"
    path.write_bytes(b"Name,Note\nAna,x\x81y\xe9\n")
    table = open_table(path)
    assert table.encoding == "latin-1"
    assert [r.values for r in table.rows] == [("Ana", "x\x81yé")]


def test_explicit_encoding_skips_detection(tmp_path: Path) -> None:
    path = tmp_path / "u.csv"
    path.write_text("Name,City\nJosé,Bogotá\n", encoding="utf-8")
    table = open_table(path, encoding="cp1252")  # wrong on purpose: what was asked is what is used
    assert [r.values for r in table.rows] == [("JosÃ©", "BogotÃ¡")]
    assert table.encoding == "cp1252" and not any(str(n).startswith("encoding") for n in table.notes)


def test_explicit_utf8_on_a_file_with_bom_still_gives_clean_headers(tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes(codecs.BOM_UTF8 + b" Name ,Phone\nAna,1\n")
    assert open_table(path, encoding="utf-8").headers == ["Name", "Phone"]


def test_unknown_encoding_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(InputError, match="unknown encoding 'klingon'"):
        open_table(path, encoding="klingon")


def test_decode_failure_names_the_row_and_an_encoding_to_try(tmp_path: Path) -> None:
    # Valid UTF-8 (with accents) for 300 KiB, then one row saved in cp1252: the file mixes encodings.
    path = tmp_path / "mixed.csv"
    good = "".join(f"José{i},6123{i:05d}\n" for i in range(15_000)).encode("utf-8")
    path.write_bytes(b"Name,Phone\n" + good + "María,612000000\n".encode("cp1252") + b"Luis,1\n")
    table = open_table(path)
    assert table.encoding == "utf-8"
    with pytest.raises(InputError) as info:
        list(table.rows)
    message = str(info.value)
    assert message.startswith(f"{path}: row 15002: ") and "try --encoding cp1252" in message
    assert "\n" not in message


def test_explicit_wrong_encoding_fails_on_the_first_bad_row(tmp_path: Path) -> None:
    path = tmp_path / "w.csv"
    path.write_bytes("Name,City\nAna,Lima\nJosé,Bogotá\n".encode("cp1252"))
    table = open_table(path, encoding="utf-8")
    with pytest.raises(InputError, match=r"row 3: .*not valid utf-8.*try --encoding cp1252"):
        list(table.rows)


def test_explicit_utf16_on_a_file_without_bom_suggests_the_detected_encoding(tmp_path: Path) -> None:
    path = tmp_path / "u.csv"
    path.write_text("Name,Phone\nJosé,612\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"row 1: not valid utf-16 text .*try --encoding utf-8$"):
        open_table(path, encoding="utf-16")


def test_utf16_cut_in_the_middle_of_a_character(tmp_path: Path) -> None:
    path = tmp_path / "odd.csv"
    path.write_bytes("Name\tPhone\r\nAna\t612\r\n".encode("utf-16") + b"A")
    with pytest.raises(InputError, match="near row 3: not valid utf-16 text"):
        list(open_table(path).rows)


@pytest.mark.parametrize(
    ("delimiter", "headers"), [(";", ["a", "b,c"]), (",", ["a;b", "c"]), ("tab", ["a;b,c"]), ("\\t", ["a;b,c"])]
)
def test_explicit_delimiter_skips_detection(tmp_path: Path, delimiter: str, headers: list[str]) -> None:
    path = tmp_path / "d.csv"
    path.write_text("a;b,c\n1;2,3\n", encoding="utf-8")
    table = open_table(path, delimiter=delimiter)
    assert table.headers == headers
    assert not any("detected" in n and "delimiter" in n for n in table.notes)


def test_bad_explicit_delimiter(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_text("a,b\n", encoding="utf-8")
    with pytest.raises(InputError, match="one character"):
        open_table(path, delimiter=";;")


def test_semicolon_file_with_commas_in_cells_is_not_taken_for_comma(tmp_path: Path) -> None:
    # The trap of cpython #119123: commas inside unquoted cells of a ';' file (decimal commas, "Surname, Name").
    path = tmp_path / "s.csv"
    path.write_text("Nombre;Teléfono;Saldo\nÁlvarez, José;612345678;12,50\nRuiz, Ana;699;3,75\n", encoding="utf-8")
    table = open_table(path)
    assert table.delimiter == ";"
    assert [r.values for r in table.rows][0] == ("Álvarez, José", "612345678", "12,50")


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_excel_sep_line_gives_the_delimiter_and_is_not_a_row(tmp_path: Path, newline: str) -> None:
    path = tmp_path / "sep.csv"
    path.write_bytes(newline.join(["sep=;", "Name;Phone", "Ana;612", ""]).encode())
    table = open_table(path)
    assert table.headers == ["Name", "Phone"] and table.delimiter == ";"
    assert [(r.number, r.values) for r in table.rows] == [(2, ("Ana", "612"))]


# --- CSV: rows ------------------------------------------------------------------------------------------


def test_quoted_newlines_keep_row_numbers_as_a_person_sees_them(tmp_path: Path) -> None:
    path = tmp_path / "n.csv"
    path.write_text('Name,Note\nAna,"two\nlines"\nLuis,x\n', encoding="utf-8")
    assert [(r.number, r.values[0]) for r in open_table(path).rows] == [(2, "Ana"), (3, "Luis")]


def test_mixed_line_endings_and_blank_lines(tmp_path: Path) -> None:
    # \r\n, \n and a lone \r (old Mac), a CRLF inside quotes, and blank rows, which count but are skipped.
    path = tmp_path / "m.csv"
    path.write_bytes(b'Name,Note\r\nAna,1\nLuis,"a\r\nb"\rEva,3\r\n\r\n , \nPaz,5\n')
    assert rows_of(path) == [(2, ("Ana", "1")), (3, ("Luis", "a\r\nb")), (4, ("Eva", "3")), (7, ("Paz", "5"))]


def test_ragged_rows_are_padded_or_keep_their_extra_cells(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text("A,B,C\n1\n1,2,3,4\n1,2,3,,\n", encoding="utf-8")
    rows = list(open_table(path).rows)
    assert rows[0].values == ("1", "", "")
    assert rows[1].extra == ("4",)
    assert rows[2] == SourceRow(4, ("1", "2", "3"))  # empty cells past the header are not "extra"


def test_headers_are_trimmed_blank_ones_kept_trailing_ones_dropped(tmp_path: Path) -> None:
    path = tmp_path / "h.csv"
    path.write_bytes(codecs.BOM_UTF8 + b"\xc2\xa0Name ,, Phone,,\nAna,x,612,,\n")
    table = open_table(path)
    assert table.headers == ["Name", "", "Phone"]  # the mapping layer names the blank one "column 2"
    assert [r.values for r in table.rows] == [("Ana", "x", "612")]


def test_nul_bytes_are_stripped_and_the_row_still_comes_out(tmp_path: Path) -> None:
    path = tmp_path / "nul.csv"
    path.write_bytes(b"Name,Phone\nAna,612\x00345\x00\nLuis,699\n\x00\x00\x00\n")
    table = open_table(path)
    assert [(r.number, r.values) for r in table.rows] == [(2, ("Ana", "612345")), (3, ("Luis", "699"))]
    assert "NUL bytes removed from 2 rows: 2, 4" in table.notes


def test_header_only_file_has_zero_rows(tmp_path: Path) -> None:
    path = tmp_path / "h.csv"
    path.write_text("Name,Phone\n", encoding="utf-8")
    table = open_table(path)
    assert table.headers == ["Name", "Phone"] and list(table.rows) == []


def test_a_one_megabyte_cell_is_read(tmp_path: Path) -> None:
    # The csv module refuses cells over 128 KiB by default; notes pasted from e-mails can be larger.
    path = tmp_path / "big.csv"
    big = "x" * 1_000_000
    path.write_text(f'Name,Notes\nAna,"{big}"\nLuis,y\n', encoding="utf-8")
    rows = list(open_table(path).rows)
    assert rows[0].values == ("Ana", big) and rows[1].number == 3


def test_a_never_closed_quote_is_reported_at_its_row(tmp_path: Path) -> None:
    path = tmp_path / "q.csv"
    path.write_text('Name,Notes\nAna,ok\nLuis,"oops\n' + "Eva,1\n" * 3_000_000, encoding="utf-8")
    with pytest.raises(InputError, match=r"row 3: a cell is larger than 16 MB .*quote"):
        list(open_table(path).rows)


def test_a_title_block_above_a_csv_header_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("Contacts export\n\nName,Phone\nAna,612\n", encoding="utf-8")
    table = open_table(path)
    assert table.headers == ["Name", "Phone"] and table.header_row == 3
    assert rows_of(path) == [(4, ("Ana", "612"))]
    assert "header on row 3: row 1 above it ignored (a title block)" in table.notes


def test_single_column_file_takes_its_first_row_as_header(tmp_path: Path) -> None:
    path = tmp_path / "one.csv"
    path.write_text("Phone\n612\n699\n", encoding="utf-8")
    table = open_table(path)
    assert table.headers == ["Phone"] and [r.values for r in table.rows] == [("612",), ("699",)]


def test_csv_rows_are_streamed_lazily(tmp_path: Path) -> None:
    # The header is read at open; a decoding problem far below only shows when the rows get there.
    path = tmp_path / "lazy.csv"
    path.write_bytes(b"Name,Phone\nAna,1\n" + b"Luis,\xff\n")
    table = open_table(path, encoding="utf-8")
    rows = iter(table.rows)
    assert next(rows).values == ("Ana", "1")
    with pytest.raises(InputError, match="row 3"):
        next(rows)


def test_chunks(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text("A,B\n" + "".join(f"{i},x\n" for i in range(7)), encoding="utf-8")
    sizes = [[r.number for r in batch] for batch in chunks(open_table(path), 3)]
    assert sizes == [[2, 3, 4], [5, 6, 7], [8]]


# Round trip: whatever the csv module writes (quotes, newlines, delimiters inside cells), comes back as is.
# No control characters but tab and newlines: a sample full of them is refused as binary data (tested below).
cell = st.text(st.characters(blacklist_categories=("Cs", "Cc"), whitelist_characters="\t\r\n"), max_size=12)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    delimiter=st.sampled_from([",", ";", "\t", "|"]),
    encoding=st.sampled_from(["utf-8", "utf-16", "utf-8-sig"]),
    body=st.lists(st.lists(cell, min_size=3, max_size=3), max_size=8),
)
def test_csv_round_trip(tmp_path: Path, delimiter: str, encoding: str, body: list[list[str]]) -> None:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(["A", "B", "C"])
    writer.writerows(body)
    path = tmp_path / "rt.csv"
    path.write_bytes(buffer.getvalue().encode(encoding))
    expected = [(n, tuple(r)) for n, r in enumerate(body, 2) if "".join(r).strip()]
    assert rows_of(path, delimiter=delimiter, encoding=encoding) == expected


# --- Excel ----------------------------------------------------------------------------------------------


def test_excel_numbers_and_dates_arrive_as_typed_text(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Name", "Phone", "Orders", "Birthday", "Zip"])
    sheet.append(["Ana", 34612345678, 3, dt.date(1990, 12, 31), "00123"])
    sheet.append(["Luis", 34600112233.0, 2.5, dt.datetime(2001, 2, 3), 7])
    book.save(tmp_path / "x.xlsx")
    table = open_table(tmp_path / "x.xlsx")
    assert [r.values for r in table.rows] == [
        ("Ana", "34612345678", "3", "1990-12-31", "00123"),
        ("Luis", "34600112233", "2.5", "2001-02-03", "7"),
    ]


def test_excel_cells_come_out_as_a_person_sees_them(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Phone", "Float phone", "Long", "Zip", "When", "Time", "VIP", "Ratio", "Formula", "Error"])
    sheet.append(
        [
            612345678,  # an int cell
            34600112233.0,  # a float cell holding a whole number: no ".0", no "3.46e+10"
            123456789012345,  # 15 digits, Excel's precision
            "0034612",  # a text cell keeps its leading zeros
            dt.datetime(2024, 5, 6, 7, 8, 9),
            dt.time(10, 30),
            True,
            0.1 + 0.2,  # shown by Excel as 0.3 (15 significant digits)
            "=A2*2",  # openpyxl saves a formula without its value: see below
            "#N/A",  # openpyxl saves this as an error cell
        ]
    )
    sheet.append([1e-7, 1e20, 123456789012345.0, "", dt.datetime(2024, 5, 6), dt.time(0, 0, 1), False, -2.5, "x", 1])
    book.save(tmp_path / "cells.xlsx")
    rows = [r.values for r in open_table(tmp_path / "cells.xlsx").rows]
    # A formula comes out as the value the spreadsheet saved with it; one never computed (written by a
    # library, not saved by Excel/LibreOffice) has none and is empty, as are error cells (#N/A):
    # python-calamine gives no text for them. Empty means "missing", never a wrong value imported.
    assert rows[0] == (
        "612345678",
        "34600112233",
        "123456789012345",
        "0034612",
        "2024-05-06 07:08:09",
        "10:30:00",
        "TRUE",
        "0.3",
        "",
        "",
    )
    assert rows[1] == (
        "0.0000001",
        "100000000000000000000",
        "123456789012345",
        "",
        "2024-05-06",
        "00:00:01",
        "FALSE",
        "-2.5",
        "x",
        "1",
    )


def test_title_block_above_the_header_keeps_sheet_row_numbers(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet["A1"] = "Contacts export"
    sheet["A2"] = "March 2024"
    sheet["B4"], sheet["C4"] = "Name", "Phone"  # data that does not start in column A either
    sheet["B5"], sheet["C5"] = "Ana", 612345678
    sheet["B7"], sheet["C7"] = "Luis", "699"
    book.save(tmp_path / "t.xlsx")
    table = open_table(tmp_path / "t.xlsx")
    # Column A is blank below the title: it stays, as a blank header, so column numbers match the sheet's.
    assert table.headers == ["", "Name", "Phone"] and table.header_row == 4
    assert [(r.number, r.values) for r in table.rows] == [(5, ("", "Ana", "612345678")), (7, ("", "Luis", "699"))]
    assert "header on row 4: rows 1, 2 above it ignored (a title block)" in table.notes
    assert table.total_rows == 3  # rows 5-7, blank row 6 included: an upper bound for a progress bar


def test_data_below_blank_rows_keeps_sheet_row_numbers(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet["C3"], sheet["D3"] = "Name", "Phone"
    sheet["C4"], sheet["D4"] = "Ana", 612345678
    book.save(tmp_path / "b.xlsx")
    table = open_table(tmp_path / "b.xlsx")
    assert table.headers == ["Name", "Phone"] and table.header_row == 3 and table.total_rows == 1
    assert [(r.number, r.values) for r in table.rows] == [(4, ("Ana", "612345678"))]
    assert not any("title block" in n for n in table.notes)  # blank rows above are no title block


def workbook(path: Path, sheets: dict[str, list[list[object]]], hidden: tuple[str, ...] = ()) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
        if name in hidden:
            sheet.sheet_state = "hidden"
    book.save(path)
    return path


SHEETS: dict[str, list[list[object]]] = {
    "Empty": [],
    "Contacts": [["Name", "Phone"], ["Ana", 612]],
    "2": [["Name", "Phone"], ["Luis", 699]],
}


def test_default_sheet_is_the_first_with_data(tmp_path: Path) -> None:
    table = open_table(workbook(tmp_path / "s.xlsx", SHEETS))
    assert table.sheet == "Contacts" and table.description == "XLSX, sheet 'Contacts'"
    assert [r.values for r in table.rows] == [("Ana", "612")]
    assert any("other sheets: 'Empty', '2'" in n for n in table.notes)


@pytest.mark.parametrize(("sheet", "name"), [("Contacts", "Contacts"), (" contacts ", "Contacts"), ("0", "Empty")])
def test_sheet_by_name_or_zero_based_index(tmp_path: Path, sheet: str, name: str) -> None:
    path = workbook(tmp_path / "s.xlsx", SHEETS)
    if name == "Empty":
        with pytest.raises(InputError, match="sheet 'Empty' has no data"):
            open_table(path, sheet=sheet)
    else:
        assert open_table(path, sheet=sheet).sheet == name


def test_a_sheet_named_like_a_number_wins_over_the_index(tmp_path: Path) -> None:
    path = workbook(tmp_path / "s.xlsx", SHEETS)
    assert open_table(path, sheet="2").sheet == "2"
    assert open_table(path, sheet=1).sheet == "Contacts"


def test_bad_sheet_name_lists_the_sheets(tmp_path: Path) -> None:
    path = workbook(tmp_path / "s.xlsx", SHEETS)
    with pytest.raises(InputError) as info:
        open_table(path, sheet="Clientes")
    assert str(info.value) == (
        f"{path}: no sheet 'Clientes'; the sheets are 0: 'Empty', 1: 'Contacts', 2: '2' "
        "(--sheet takes a name or a 0-based index)"
    )
    with pytest.raises(InputError, match="no sheet '7'"):
        open_table(path, sheet="7")


def test_hidden_first_sheet_is_skipped_for_a_visible_one(tmp_path: Path) -> None:
    sheets: dict[str, list[list[object]]] = {"Lists": [["Country", "Code"], ["ES", 34]], "Data": SHEETS["Contacts"]}
    table = open_table(workbook(tmp_path / "h.xlsx", sheets, hidden=("Lists",)))
    assert table.sheet == "Data"
    assert any("'Lists' (hidden)" in n for n in table.notes)


def test_hidden_sheet_is_read_when_no_visible_sheet_has_data(tmp_path: Path) -> None:
    sheets: dict[str, list[list[object]]] = {"Data": SHEETS["Contacts"], "Empty": []}
    table = open_table(workbook(tmp_path / "h.xlsx", sheets, hidden=("Data",)))
    assert table.sheet == "Data" and "sheet 'Data' is hidden in the workbook" in table.notes


def test_workbook_without_data(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no data in any sheet"):
        open_table(workbook(tmp_path / "e.xlsx", {"A": [], "B": [["  "]]}))


def test_a_workbook_named_csv_is_read_as_a_workbook(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.active.append(["Name", "Phone"])
    book.active.append(["Ana", "+34612345678"])
    book.save(tmp_path / "really.csv")
    table = open_table(tmp_path / "really.csv")
    assert [r.values for r in table.rows] == [("Ana", "+34612345678")]
    assert table.kind == "XLSX" and "the file is named .csv but is a workbook" in table.notes


def test_csv_text_named_xlsx_is_read_as_csv(tmp_path: Path) -> None:
    path = tmp_path / "really.xlsx"
    path.write_text("Name;Phone\nAna;612\n", encoding="utf-8")
    table = open_table(path, sheet="Sheet1")
    assert [r.values for r in table.rows] == [("Ana", "612")]
    assert "the file is named .xlsx but holds CSV text: read as CSV" in table.notes
    assert "--sheet ignored: a CSV file has a single table" in table.notes


def test_xls(tmp_path: Path) -> None:
    xlwt = pytest.importorskip("xlwt")  # dev dependency: writes real BIFF8 .xls files
    book = xlwt.Workbook()
    sheet = book.add_sheet("Hoja1")
    for col, value in enumerate(["Name", "Phone", "Since", "VIP", "Zip"]):
        sheet.write(0, col, value)
    sheet.write(1, 0, "Ana")
    sheet.write(1, 1, 34612345678)
    sheet.write(1, 2, dt.datetime(2020, 1, 2), xlwt.easyxf(num_format_str="YYYY-MM-DD"))
    sheet.write(1, 3, True)
    sheet.write(1, 4, "00123")
    book.save(str(tmp_path / "old.xls"))
    table = open_table(tmp_path / "old.xls")
    assert table.kind == "XLS" and table.headers == ["Name", "Phone", "Since", "VIP", "Zip"]
    assert [r.values for r in table.rows] == [("Ana", "34612345678", "2020-01-02", "TRUE", "00123")]


MANIFEST = (
    '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
    'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
    '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>'
)


def write_ods(path: Path, rows: list[list[str]]) -> Path:
    """A minimal OpenDocument spreadsheet, as LibreOffice saves one: cells are 'type:value'."""
    ns = (
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
    )
    attrs = {"float": "office:value", "date": "office:date-value", "boolean": "office:boolean-value"}

    def cell(spec: str) -> str:
        kind, _, value = spec.partition(":")
        extra = f' {attrs[kind]}="{value}"' if kind in attrs else ""
        return f'<table:table-cell office:value-type="{kind}"{extra}><text:p>{value}</text:p></table:table-cell>'

    body = "".join("<table:table-row>" + "".join(map(cell, row)) + "</table:table-row>" for row in rows)
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ns} office:version="1.2"><office:body>'
        f'<office:spreadsheet><table:table table:name="Hoja1">{body}</table:table></office:spreadsheet>'
        "</office:body></office:document-content>"
    )
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")  # first, stored
        archive.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr("META-INF/manifest.xml", MANIFEST, compress_type=zipfile.ZIP_DEFLATED)
    return path


def test_ods(tmp_path: Path) -> None:
    rows = [
        ["string:Name", "string:Phone", "string:Since", "string:VIP"],
        ["string:Ana", "float:34612345678", "date:2020-01-02", "boolean:true"],
        ["string:Luis", "string:0034", "date:2020-01-02T10:11:12", "boolean:false"],
    ]
    table = open_table(write_ods(tmp_path / "c.ods", rows))
    assert table.kind == "ODS"
    assert [r.values for r in table.rows] == [
        ("Ana", "34612345678", "2020-01-02", "TRUE"),
        ("Luis", "0034", "2020-01-02 10:11:12", "FALSE"),
    ]


def test_password_protected_workbook(tmp_path: Path) -> None:
    ooxml = pytest.importorskip("msoffcrypto.format.ooxml")  # dev dependency: encrypts as Excel does
    plain = workbook(tmp_path / "plain.xlsx", {"S": [["Name", "Phone"], ["Ana", 1]]})
    path = tmp_path / "locked.xlsx"
    with plain.open("rb") as source, path.open("wb") as target:
        ooxml.OOXMLFile(source).encrypt("secret", target)
    with pytest.raises(InputError, match="password-protected") as info:
        open_table(path)
    assert str(info.value).startswith(f"{path}: ")


def test_truncated_workbook(tmp_path: Path) -> None:
    data = workbook(tmp_path / "w.xlsx", {"S": [["Name", "Phone"], ["Ana", 1]] * 200}).read_bytes()
    path = tmp_path / "cut.xlsx"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError, match="damaged or incomplete zip archive"):
        open_table(path)


def test_zip_without_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "contacts.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("contacts.csv", "Name,Phone\nAna,1\n")
    with pytest.raises(InputError, match="zip archive without a workbook; unzip it"):
        open_table(path)


def test_workbook_with_a_damaged_sheet(tmp_path: Path) -> None:
    source = workbook(tmp_path / "ok.xlsx", {"S": [["Name", "Phone"], ["Ana", 1]]})
    path = tmp_path / "bad.xlsx"
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(path, "w") as new:
        for item in old.infolist():
            data = old.read(item)
            new.writestr(item, b"<worksheet><sheetData><row" if item.filename.endswith("sheet1.xml") else data)
    with pytest.raises(InputError, match="not a readable spreadsheet") as info:
        open_table(path)
    assert "\n" not in str(info.value)


# --- Files that are not spreadsheets ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"", "the file is empty"), (b"\n\n", "no header row"), (b"PK\x03\x04garbage", "not a readable spreadsheet")],
)
def test_unreadable_files_are_one_clear_error(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(InputError, match=message) as info:
        open_table(path)
    assert str(path) in str(info.value)


@pytest.mark.parametrize("name", ["noise.xlsx", "noise.csv"])
def test_random_bytes(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(os.urandom(5000))
    with pytest.raises(InputError, match="binary data"):
        open_table(path)


def test_html_saved_as_xls(tmp_path: Path) -> None:
    # Web apps' "Export to Excel" often writes an HTML table with an .xls name.
    path = tmp_path / "export.xls"
    path.write_text("<html><body><table><tr><td>Name</td></tr></table></body></html>", encoding="utf-8")
    with pytest.raises(InputError, match="HTML page"):
        open_table(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read"):
        open_table(tmp_path / "nope.csv")


def test_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="is a directory"):
        open_table(tmp_path)


def test_an_errors_file_with_semicolons_in_every_message_is_still_read_with_commas() -> None:
    # Found by test_properties: each message joins its problems with "; ", and a ragged row made `,` split the rows
    # less evenly than `;` did; the header, which only `,` splits, decides.
    text = (
        "Phone,Name,error\n"
        ",,row has 1 more cell(s) than the header has columns; Name: name is required; Phone: phone is required,'=1+2\n"
        ",,row has 1 more cell(s) than the header has columns; Name: name is required; Phone: phone is required,'=1+2\n"
        "a;b|c\td,'=1+2,Phone: 'a;b|c\td': no country code and no default region\n"
    )
    assert detect_delimiter(text) == ","
    assert detect_delimiter("a;b;c\n1;2;3\n4;5;6\n") == ";"  # a header split by one delimiter only
