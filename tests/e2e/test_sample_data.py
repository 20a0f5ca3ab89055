"""The sample sheets in sample_data/ are reproducible, realistic and honest about their broken rows.

expected.json is the answer key that importer tests and the demo rely on, so these tests check it
independently of the generator: every row is re-validated here against the account file with
`phonenumbers`, and the problems found must be exactly the ones expected.json lists.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
import subprocess
import sys
import tomllib
from collections import Counter
from pathlib import Path
from typing import Any

import openpyxl
import phonenumbers
import pytest
from phonenumbers import NumberParseException, PhoneNumberFormat, ValidationResult

SAMPLES = Path(__file__).resolve().parents[2] / "sample_data"
GENERATOR = SAMPLES / "make_samples.py"
COLUMNS = [
    "Name",
    "Phone",
    "Country",
    "Tags",
    "Assigned User",
    "Team",
    "Note",
    "Billing Address",
    "Invoice Email",
    "Orders",
    "Birthday",
    "Status",
    "Features",
]
PROBLEMS = {"bad_phone", "unknown_tag", "bad_dropdown", "missing_name", "duplicate_phone"}
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")


# ---------------------------------------------------------------------------------------------------------
# Fixtures


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("samples")
    subprocess.run([sys.executable, str(GENERATOR), "--out", str(out)], check=True, capture_output=True)
    return out


@pytest.fixture(scope="module")
def rows() -> list[dict[str, str]]:
    with (SAMPLES / "contacts.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def expected() -> dict[str, Any]:
    return json.loads((SAMPLES / "expected.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def broken_by_row(expected: dict[str, Any]) -> dict[int, dict[str, Any]]:
    return {entry["row"]: entry for entry in expected["broken"]}


@pytest.fixture(scope="module")
def account() -> dict[str, Any]:
    data = tomllib.loads((SAMPLES / "account.toml").read_text(encoding="utf-8"))
    teams = data.get("teams", [])
    fields = data["custom_fields"]
    return {
        "tags": {t.casefold() for t in data["tags"]},
        # Team members are users too: the API's only view of users is the teams.
        "users": {u.casefold() for u in [*data["users"], *(m for t in teams for m in t["members"])]},
        "teams": {t["name"].casefold() for t in teams} | {t["uuid"] for t in teams},
        "status": {o.casefold() for o in fields["Status"]["options"]},
        "features": {o.casefold() for o in fields["Features"]["options"]},
    }


def sheet_row(index: int) -> int:
    """Header is row 1, so data row k (0-based) is what a person sees as row k + 2."""
    return index + 2


def normalize(phone: str, country: str) -> str | None:
    """E.164 of a phone cell read with the row's Country as region, or None if it is not valid."""
    try:
        number = phonenumbers.parse(phone, country or None)
    except NumberParseException:
        return None
    return phonenumbers.format_number(number, PhoneNumberFormat.E164) if phonenumbers.is_valid_number(number) else None


def e164s(row: dict[str, str]) -> str | None:
    return normalize(row["Phone"], row["Country"])


def split_list(cell: str) -> list[str]:
    return [part.strip() for part in cell.split(",") if part.strip()]


def row_problems(row: dict[str, str], account: dict[str, Any]) -> list[tuple[str, str, str]]:
    """Every problem of one row as (column, problem, value), duplicates aside. Problems of a kind the
    sample file is not meant to have come back as "unexpected" so the comparison with expected.json fails."""
    found: list[tuple[str, str, str]] = []
    if not row["Name"].strip():
        found.append(("Name", "missing_name", row["Name"]))
    if normalize(row["Phone"], row["Country"]) is None:
        found.append(("Phone", "bad_phone", row["Phone"]))
    found += [("Tags", "unknown_tag", t) for t in split_list(row["Tags"]) if t.casefold() not in account["tags"]]
    if row["Status"] and row["Status"].casefold() not in account["status"]:
        found.append(("Status", "bad_dropdown", row["Status"]))
    checks = {
        "Country": not row["Country"] or row["Country"] in phonenumbers.SUPPORTED_REGIONS,
        "Features": all(f.casefold() in account["features"] for f in split_list(row["Features"])),
        "Assigned User": not row["Assigned User"] or row["Assigned User"].casefold() in account["users"],
        "Team": not row["Team"] or row["Team"].casefold() in account["teams"],
        "Orders": not row["Orders"] or row["Orders"].isdigit(),
        "Birthday": not row["Birthday"] or bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}", row["Birthday"])),
        "Invoice Email": not row["Invoice Email"] or bool(EMAIL.match(row["Invoice Email"])),
        "Note": len(row["Note"]) <= 1000,
    }
    if row["Birthday"]:
        dt.date.fromisoformat(row["Birthday"])  # raises on an impossible date
    found += [(column, "unexpected", row[column]) for column, ok in checks.items() if not ok]
    return found


def all_problems(rows: list[dict[str, str]], account: dict[str, Any]) -> list[dict[str, Any]]:
    """What a careful importer should report for the whole file, in expected.json's shape."""
    first_seen: dict[str, int] = {}
    found: list[dict[str, Any]] = []
    for index, row in enumerate(rows):
        number = sheet_row(index)
        for column, problem, value in row_problems(row, account):
            found.append({"row": number, "column": column, "problem": problem, "value": value})
        e164 = normalize(row["Phone"], row["Country"])
        if e164 is None:
            continue
        if e164 in first_seen:
            found.append(
                {
                    "row": number,
                    "column": "Phone",
                    "problem": "duplicate_phone",
                    "duplicate_of": first_seen[e164],
                    "value": row["Phone"],
                }
            )
        else:
            first_seen[e164] = number
    return found


def csv_text(value: Any) -> str:
    """An xlsx cell as the CSV spells it: numbers without ".0", dates as YYYY-MM-DD, empty as ""."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def sheet_values(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    workbook = openpyxl.load_workbook(path)
    return {ws.title: list(ws.iter_rows(values_only=True)) for ws in workbook.worksheets}


# ---------------------------------------------------------------------------------------------------------
# Reproducibility


@pytest.mark.parametrize("name", ["contacts.csv", "expected.json"])
def test_regenerating_gives_identical_bytes(regenerated: Path, name: str) -> None:
    assert (regenerated / name).read_bytes() == (SAMPLES / name).read_bytes(), (
        f"{name} is stale: run .venv/bin/python sample_data/make_samples.py"
    )


def test_regenerating_gives_identical_xlsx_cells(regenerated: Path) -> None:
    assert sheet_values(regenerated / "contacts.xlsx") == sheet_values(SAMPLES / "contacts.xlsx")


# ---------------------------------------------------------------------------------------------------------
# The CSV


def test_csv_shape(rows: list[dict[str, str]], expected: dict[str, Any]) -> None:
    with (SAMPLES / "contacts.csv").open(encoding="utf-8", newline="") as handle:
        assert next(csv.reader(handle)) == COLUMNS
    assert len(rows) >= 220
    assert expected["rows"] == len(rows)
    assert expected["valid"] == len(rows) - len(expected["broken"])
    assert 11 <= len(expected["broken"]) <= 0.07 * len(rows)


def test_one_note_spans_two_lines_but_is_one_row(rows: list[dict[str, str]]) -> None:
    multiline = [r for r in rows if "\n" in r["Note"]]
    assert len(multiline) == 1
    physical_lines = (SAMPLES / "contacts.csv").read_text(encoding="utf-8").count("\n")
    assert physical_lines == len(rows) + 2  # header + rows + the newline inside the quoted note


def test_valid_rows_have_valid_unique_phones(
    rows: list[dict[str, str]], broken_by_row: dict[int, dict[str, Any]]
) -> None:
    seen: dict[str, int] = {}
    for index, row in enumerate(rows):
        number = sheet_row(index)
        e164 = normalize(row["Phone"], row["Country"])
        if number in broken_by_row and broken_by_row[number]["problem"] in {"bad_phone", "duplicate_phone"}:
            continue
        assert e164 is not None, f"row {number}: {row['Phone']!r} (Country {row['Country']!r}) is not valid"
        assert e164 not in seen, f"row {number} repeats row {seen.get(e164)} but is not listed as broken"
        seen[e164] = number


def test_phones_are_a_realistic_mix(rows: list[dict[str, str]]) -> None:
    phones = [r["Phone"] for r in rows]
    international = [p for p in phones if p.startswith("+")]
    regions = {phonenumbers.region_code_for_number(phonenumbers.parse("+" + e[1:])) for e in map(e164s, rows) if e}
    assert len(regions) >= 5
    assert any(p.startswith("00") for p in phones)
    assert any(" " in p for p in international) and any(p[1:].isdigit() for p in international)
    assert any(p.isdigit() and not p.startswith("0") for p in phones)  # 34612345678-style
    assert any("." in p for p in phones) and any("-" in p for p in phones)
    national = [r for r in rows if not r["Phone"].startswith(("+", "00")) and normalize(r["Phone"], r["Country"])]
    assert len({r["Country"] for r in national}) >= 5  # national spellings need the Country column
    assert all(r["Country"] for r in national)
    assert any(not r["Country"] for r in rows)


def test_account_values_come_in_other_letter_cases(rows: list[dict[str, str]], account: dict[str, Any]) -> None:
    tags = [t for r in rows for t in split_list(r["Tags"])]
    toml = tomllib.loads((SAMPLES / "account.toml").read_text(encoding="utf-8"))
    assert any(t not in toml["tags"] and t.casefold() in account["tags"] for t in tags)
    assert any(r["Status"] and r["Status"] not in toml["custom_fields"]["Status"]["options"] for r in rows)
    assert any(r["Assigned User"] and r["Assigned User"] != r["Assigned User"].lower() for r in rows)


def test_names_include_non_ascii(rows: list[dict[str, str]]) -> None:
    text = " ".join(r["Name"] for r in rows)
    for letter in "ÁéëüçãøŁ":
        assert letter in text


# ---------------------------------------------------------------------------------------------------------
# The broken rows


def test_problems_found_are_exactly_the_expected_ones(
    rows: list[dict[str, str]], expected: dict[str, Any], account: dict[str, Any]
) -> None:
    # One entry per broken row means every broken row has exactly one problem.
    assert all_problems(rows, account) == expected["broken"]


def test_each_broken_row_is_broken_as_stated(
    rows: list[dict[str, str]], expected: dict[str, Any], account: dict[str, Any]
) -> None:
    for entry in expected["broken"]:
        row = rows[entry["row"] - 2]
        assert entry["problem"] in PROBLEMS
        cell = row[entry["column"]]
        if entry["problem"] == "bad_phone":
            assert cell == entry["value"] and normalize(cell, row["Country"]) is None
        elif entry["problem"] == "unknown_tag":
            assert entry["value"] in split_list(cell) and entry["value"].casefold() not in account["tags"]
        elif entry["problem"] == "bad_dropdown":
            assert cell == entry["value"] and cell.casefold() not in account["status"]
        elif entry["problem"] == "missing_name":
            assert cell == entry["value"] and not cell.strip()
        else:
            original = rows[entry["duplicate_of"] - 2]
            assert entry["duplicate_of"] < entry["row"] and entry["duplicate_of"] not in {
                e["row"] for e in expected["broken"]
            }
            assert cell == entry["value"] != original["Phone"], "a repeat should be spelled differently"
            assert normalize(cell, row["Country"]) == normalize(original["Phone"], original["Country"]) is not None


def test_broken_rows_cover_every_kind(rows: list[dict[str, str]], expected: dict[str, Any]) -> None:
    counts = Counter(e["problem"] for e in expected["broken"])
    assert counts["bad_phone"] >= 3
    assert all(counts[kind] >= 2 for kind in PROBLEMS - {"bad_phone"})
    reasons = set()
    for entry in expected["broken"]:
        if entry["problem"] != "bad_phone":
            continue
        value, country = entry["value"], rows[entry["row"] - 2]["Country"]
        if not any(c.isdigit() for c in value):
            reasons.add("letters")
            continue
        try:
            reasons.add(phonenumbers.is_possible_number_with_reason(phonenumbers.parse(value, country)))
        except NumberParseException:
            reasons.add("unparseable")
    assert {"letters", ValidationResult.TOO_SHORT, ValidationResult.TOO_LONG} <= reasons


def test_broken_rows_are_spread_through_the_file(expected: dict[str, Any]) -> None:
    numbers = [e["row"] for e in expected["broken"]]
    tenth = expected["rows"] / 10
    assert min(numbers) < 3 * tenth and max(numbers) > 7 * tenth
    assert max(Counter(int((n - 2) // tenth) for n in numbers).values()) <= 3


# ---------------------------------------------------------------------------------------------------------
# The workbook


def test_xlsx_holds_the_same_people_in_the_same_order(rows: list[dict[str, str]]) -> None:
    workbook = openpyxl.load_workbook(SAMPLES / "contacts.xlsx")
    assert workbook.sheetnames[0] == "Contacts" and "Notes" in workbook.sheetnames
    sheet = workbook["Contacts"]
    values = list(sheet.iter_rows(values_only=True))
    assert list(values[0]) == COLUMNS
    as_text = [dict(zip(COLUMNS, map(csv_text, line), strict=True)) for line in values[1:]]
    assert as_text == rows


def test_xlsx_cells_are_typed_like_excel(rows: list[dict[str, str]]) -> None:
    sheet = openpyxl.load_workbook(SAMPLES / "contacts.xlsx")["Contacts"]
    phone, orders, birthday = (COLUMNS.index(c) + 1 for c in ("Phone", "Orders", "Birthday"))
    phones = [sheet.cell(r, phone).value for r in range(2, sheet.max_row + 1)]
    numeric = [p for p in phones if isinstance(p, int)]
    assert len(numeric) >= 5
    assert any(isinstance(p, str) for p in phones)
    # A number cell never stands for a spelling whose leading zero Excel would have eaten.
    assert all(rows[i]["Phone"] == str(p) for i, p in enumerate(phones) if isinstance(p, int))
    for r in range(2, sheet.max_row + 1):
        assert sheet.cell(r, orders).value is None or isinstance(sheet.cell(r, orders).value, int)
        cell = sheet.cell(r, birthday)
        assert cell.value is None or (cell.is_date and isinstance(cell.value, dt.datetime))
    assert any(sheet.cell(r, birthday).value for r in range(2, sheet.max_row + 1))
