"""The snapshot: a non-local input copied beside the results, whole or not at all, named by its kind, and read
again (not fetched again) when a resumed run asks for it."""

from __future__ import annotations

import sqlite3
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from http_files import FileServer, file_server

from importer.errors import InputError
from importer.sources.snapshot import existing_snapshot, fetch_input, sniff_format
from importer.sources.spec import parse_input

ROOT = Path(__file__).resolve().parents[2]
XLSX = (ROOT / "sample_data" / "contacts.xlsx").read_bytes()
CSV = b"Name,Phone\nAna,+34 612 34 56 78\n"


@pytest.fixture
def server() -> Iterator[FileServer]:
    with file_server() as running:
        yield running


def test_the_kind_comes_from_the_bytes(tmp_path: Path) -> None:
    ods = tmp_path / "a"
    with zipfile.ZipFile(ods, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<x/>")
    (tmp_path / "b").write_bytes(XLSX)
    (tmp_path / "c").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100))
    (tmp_path / "d").write_bytes(CSV)
    assert [sniff_format(tmp_path / n) for n in "abcd"] == ["ods", "xlsx", "xls", "csv"]


def test_a_local_file_is_read_where_it_is(tmp_path: Path) -> None:
    file = tmp_path / "c.csv"
    file.write_bytes(CSV)
    results = tmp_path / "out" / "c.results.csv"
    fetched = fetch_input(parse_input(str(file)), results, resume=False)
    assert fetched.path == file and not fetched.snapshot and not (tmp_path / "out").exists()
    assert fetch_input(parse_input(str(file)), results, resume=False, kind="xlsx").notes == (
        "--format xlsx ignored: a local file is read by its bytes",
    )


def test_a_url_is_copied_beside_the_results_named_by_its_kind(server: FileServer, tmp_path: Path) -> None:
    results = tmp_path / "contacts.results.csv"
    fetched = fetch_input(parse_input(server.serve("/contacts.csv", CSV)), results, resume=False)
    assert fetched.path == tmp_path / "contacts.results.input.csv" and fetched.path.read_bytes() == CSV
    assert fetched.snapshot and fetched.label == server.url("/contacts.csv")
    # The same results, now a workbook: the old CSV snapshot goes (a resume must not take it for this one).
    workbook = server.serve("/contacts.csv", XLSX, "application/octet-stream")
    fetched = fetch_input(parse_input(workbook), results, resume=False)
    assert fetched.path.name == "contacts.results.input.xlsx" and fetched.path.read_bytes() == XLSX
    assert sorted(p.name for p in tmp_path.iterdir()) == ["contacts.results.input.xlsx"]
    # --format names it when the bytes cannot tell (the reader still trusts the bytes, and says so).
    fetched = fetch_input(parse_input(server.url("/contacts.csv")), results, resume=False, kind="ods")
    assert fetched.path.name == "contacts.results.input.ods"


def test_a_resumed_run_reads_the_snapshot_again(server: FileServer, tmp_path: Path) -> None:
    results = tmp_path / "contacts.results.csv"
    url = server.serve("/contacts.csv", CSV)
    first = fetch_input(parse_input(url), results, resume=False)
    server.serve("/contacts.csv", CSV + b"Luis,+34 612 34 56 79\n")  # tonight's newer export
    asked = len(server.requests)
    again = fetch_input(parse_input(url), results, resume=True)
    assert again.path == first.path and again.path.read_bytes() == CSV and len(server.requests) == asked
    assert "resumed an unfinished run: read its snapshot contacts.results.input.csv again" in again.notes[0]
    # A new run fetches again.
    assert fetch_input(parse_input(url), results, resume=False).path.read_bytes().endswith(b"Luis,+34 612 34 56 79\n")
    # A resume whose snapshot is gone reads the input again, and says so.
    first.path.unlink()
    gone = fetch_input(parse_input(url), results, resume=True)
    assert gone.path.is_file() and gone.notes[0] == "the unfinished run's snapshot was gone: the input was read again"


def test_a_failed_fetch_leaves_no_file_and_keeps_the_last_snapshot(server: FileServer, tmp_path: Path) -> None:
    results = tmp_path / "contacts.results.csv"
    url = server.serve("/contacts.csv", CSV)
    fetch_input(parse_input(url), results, resume=False)
    server.serve("/contacts.csv", b"gone", status=404)
    with pytest.raises(InputError, match="HTTP 404"):
        fetch_input(parse_input(url), results, resume=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["contacts.results.input.csv"]  # no temporary file left
    assert existing_snapshot(results) == tmp_path / "contacts.results.input.csv"


def test_a_query_is_written_as_a_csv_snapshot(tmp_path: Path) -> None:
    db = tmp_path / "crm.db"
    with sqlite3.connect(db) as connection:
        connection.execute("CREATE TABLE customers (name TEXT, phone INTEGER)")
        connection.executemany("INSERT INTO customers VALUES (?, ?)", [("Ana", 34612345678), ("Luis", None)])
    connection.close()
    spec = parse_input(None, db=f"sqlite:///{db}", query="SELECT name AS Name, phone AS Phone FROM customers")
    fetched = fetch_input(spec, tmp_path / "query.results.csv", resume=False)
    assert fetched.path == tmp_path / "query.results.input.csv"
    assert fetched.path.read_text(encoding="utf-8").splitlines() == ["Name,Phone", "Ana,34612345678", "Luis,"]
