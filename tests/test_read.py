import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from importer.errors import InputError
from importer.read import open_table

ROWS = [["Nombre", "Teléfono", "Notas"], ["José Álvarez", "+34 612 34 56 78", 'dice "hola"; adiós']]


def write_csv(path: Path, encoding: str, delimiter: str) -> Path:
    lines = [delimiter.join(f'"{c}"' if delimiter in c or '"' in c else c for c in r) for r in ROWS]
    text = "\r\n".join(line.replace('"hola"', '""hola""') for line in lines) + "\r\n"
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "cp1252"])
@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_csv_encodings_and_delimiters_are_detected(tmp_path: Path, encoding: str, delimiter: str) -> None:
    table = open_table(write_csv(tmp_path / "c.csv", encoding, delimiter))
    assert table.headers == ["Nombre", "Teléfono", "Notas"]
    rows = list(table.rows)
    assert [r.values for r in rows] == [("José Álvarez", "+34 612 34 56 78", 'dice "hola"; adiós')]
    assert rows[0].number == 2


def test_quoted_newlines_keep_row_numbers_as_a_person_sees_them(tmp_path: Path) -> None:
    path = tmp_path / "n.csv"
    path.write_text('Name,Note\nAna,"two\nlines"\nLuis,x\n', encoding="utf-8")
    assert [(r.number, r.values[0]) for r in open_table(path).rows] == [(2, "Ana"), (3, "Luis")]


def test_ragged_rows_are_padded_or_keep_their_extra_cells(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text("A,B,C\n1\n1,2,3,4\n", encoding="utf-8")
    rows = list(open_table(path).rows)
    assert rows[0].values == ("1", "", "")
    assert rows[1].extra == ("4",)


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


def test_a_workbook_named_csv_is_read_as_a_workbook(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.active.append(["Name", "Phone"])
    book.active.append(["Ana", "+34612345678"])
    book.save(tmp_path / "really.csv")
    assert [r.values for r in open_table(tmp_path / "really.csv").rows] == [("Ana", "+34612345678")]


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


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read"):
        open_table(tmp_path / "nope.csv")
