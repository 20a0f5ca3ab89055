"""importer/pipeline/check.py on its own: stage 1 reads a real file in chunks, validates them (on worker processes
when the file is big enough), records each row in a real Ledger with its status, and marks repeated numbers."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from importer.account.model import load_account
from importer.mapping.columns import build_mapping
from importer.pipeline.check import CHUNK_ROWS, PHONE_EXAMPLES, check, scan
from importer.reading.files import open_table
from importer.state.ledger import PENDING, Ledger
from importer.validation.validator import Options

ROOT = Path(__file__).resolve().parents[2]
ACCOUNT = load_account(ROOT / "sample_data" / "account.toml")


class Recorder:
    """A Progress that keeps what it was told."""

    def __init__(self) -> None:
        self.started: list[tuple[int, str]] = []
        self.done = 0
        self.totals: list[int | None] = []
        self.closed = False

    def start(self, total: int, description: str) -> None:
        self.started.append((total, description))

    def advance(self, n: int = 1, total: int | None = None) -> None:
        self.done += n
        self.totals.append(total)

    def close(self) -> None:
        self.closed = True


@pytest.fixture
def ledger(tmp_path: Path) -> Iterator[Ledger]:
    with Ledger.open(tmp_path / "state.db") as opened:
        yield opened


def csv_file(path: Path, lines: list[str]) -> Path:
    path.write_text("Name,Phone\n" + "\n".join(lines) + "\n", encoding="utf-8")
    return path


def run_check(path: Path, ledger: Ledger, progress: Any = None, workers: int = 1) -> Any:
    table = open_table(path)
    mapping = build_mapping(table.headers, ACCOUNT)
    return check(table, ACCOUNT, mapping, Options(), ledger, progress or Recorder(), workers=workers)


def rows(ledger: Ledger) -> dict[int, tuple[str, str, str, str]]:
    """row -> (status, identifier, error, cells)."""
    return {r: (s, i, e, c) for r, s, _u, i, e, _h, c, _w in ledger.rows.outcomes()}


def test_each_row_is_recorded_with_its_status_and_repeats_are_marked(tmp_path: Path, ledger: Ledger) -> None:
    path = csv_file(
        tmp_path / "c.csv",
        ["Ana,+34 622 000 001", "Bea,not a phone", "Carla,+34622000001", "Dora,+34 622 000 002", "Eva,0034622000001"],
    )
    progress = Recorder()
    result = run_check(path, ledger, progress)
    got = rows(ledger)
    assert sorted(got) == [2, 3, 4, 5, 6]  # sheet row numbers: the header is row 1
    assert got[2][:3] == (PENDING, "34622000001", "")
    assert got[2][3] == "Ana,'+34 622 000 001"  # the original cells for the results file, a leading + neutralized
    assert got[3][0] == "invalid" and got[3][2]
    assert got[4][:3] == ("duplicate", "34622000001", "same phone as row 2")
    assert got[5][0] == PENDING
    assert got[6][:3] == ("duplicate", "34622000001", "same phone as row 2")  # the same number, written another way
    assert [r.row for r in ledger.rows.pending()] == [2, 5]
    assert all(r.payload and '"source":"whatsapp"' in r.payload for r in ledger.rows.pending())
    # The invalid row's problem is grouped, with its row as an example.
    (entry,) = [e for e in result.tally.entries() if e["severity"] == "error"]
    assert entry["rows"] == 1 and entry["examples"] == [3]
    assert result.phone_examples and result.phone_examples[0]["row"] == 2
    assert progress.started == [(progress.started[0][0], "Checking rows")]
    assert progress.done == 5 and progress.totals[-1] == 5 and progress.closed


def test_an_empty_file_records_nothing(tmp_path: Path, ledger: Ledger) -> None:
    progress = Recorder()
    result = run_check(csv_file(tmp_path / "c.csv", []), ledger, progress)
    assert rows(ledger) == {} and result.tally.entries() == [] and progress.closed


def big_file(path: Path, n: int) -> Path:
    lines = []
    for i in range(n):
        if i % 1000 == 7:
            lines.append(f"Person {i},call me")  # invalid
        elif i % 1000 == 9:
            lines.append(f"Person {i},+34 6{i - 1:08d}")  # the same number as the row before
        else:
            lines.append(f"Person {i},+34 6{i:08d}" if i % 2 else f"Person {i},(+34) 6{i:08d}")
    return csv_file(path, lines)


def test_chunks_checked_on_worker_processes_come_back_in_order(tmp_path: Path) -> None:
    # Over two chunks: on two worker processes, the same rows, statuses, problems and examples as in-process.
    path = big_file(tmp_path / "c.csv", 2 * CHUNK_ROWS + 500)
    outcomes, tallies, examples = [], [], []
    for workers in (1, 2):
        progress = Recorder()
        with Ledger.open(tmp_path / f"state{workers}.db") as ledger:
            result = run_check(path, ledger, progress, workers=workers)
            outcomes.append(list(ledger.rows.outcomes()))
            counts = ledger.rows.status_counts()
        tallies.append(result.tally.entries())
        examples.append(result.phone_examples)
        assert counts == {PENDING: 2 * CHUNK_ROWS + 500 - 2 * 9, "invalid": 9, "duplicate": 9}
        assert progress.done == 2 * CHUNK_ROWS + 500 and progress.closed
    assert outcomes[0] == outcomes[1]
    assert [r[0] for r in outcomes[1]] == list(range(2, 2 * CHUNK_ROWS + 502))
    assert tallies[0] == tallies[1]
    assert examples[0] == examples[1]
    assert 1 <= len(examples[1]) <= PHONE_EXAMPLES
    assert len({e["before"].translate(str.maketrans("0123456789", "9" * 10)) for e in examples[1]}) == len(
        examples[1]
    )  # one example per shape


def test_scan_groups_the_same_problems_without_a_ledger(tmp_path: Path, ledger: Ledger) -> None:
    path = big_file(tmp_path / "c.csv", 1200)
    table = open_table(path)
    tally = scan(table, ACCOUNT, build_mapping(table.headers, ACCOUNT), Options(), workers=1)
    assert tally.entries() == run_check(path, ledger).tally.entries()


def test_merge_folds_a_phones_valid_rows_into_its_first_row(tmp_path: Path, ledger: Ledger) -> None:
    path = tmp_path / "c.csv"
    path.write_text(
        "Name,Phone,Tags,Team\n"
        "Ana,+34 622 000 001,VIP,Support\n"
        "Bea,+34 622 000 002,,\n"
        'Ana R.,0034622000001,"lead, vip",Ventas\n'
        "Ana,+34622000001,Nope,\n"  # an unknown tag: invalid, not merged
        "Ana,34622000001,Customer,\n",
        encoding="utf-8",
    )
    table = open_table(path)
    mapping = build_mapping(table.headers, ACCOUNT)
    result = check(table, ACCOUNT, mapping, Options(), ledger, Recorder(), workers=1, duplicates="merge")
    got = {r: (s, e, w) for r, s, _u, _i, e, _h, _c, w in ledger.rows.outcomes()}
    assert got[2][0] == PENDING and got[3][0] == PENDING and got[5][0] == "invalid"
    assert got[4] == ("merged", "", "merged into row 2") and got[6] == ("merged", "", "merged into row 2")
    # The dropped values are named by their column, a team by its name.
    assert got[2][2] == (
        "merged with rows 4, 6 (same phone); Name: kept 'Ana', dropped 'Ana R.' of row 4; "
        "Team: kept 'Support', dropped 'Ventas' of row 4"
    )
    sent = {r.row: json.loads(r.payload or "") for r in ledger.rows.pending()}
    assert sent[2]["tags"] == ["VIP", "Lead", "Customer"] and sent[2]["name"] == "Ana"
    assert sent[3]["name"] == "Bea"
    warnings = [(e["column"], e["kind"], e["examples"]) for e in result.tally.entries() if e["severity"] == "warning"]
    assert sorted(warnings) == [("Name", "merge_conflict", [2]), ("Team", "merge_conflict", [2])]


def test_last_sends_a_phones_last_row(tmp_path: Path, ledger: Ledger) -> None:
    path = csv_file(tmp_path / "c.csv", ["Ana,+34 622 000 001", "Bea,+34622000002", "Carla,+34622000001"])
    table = open_table(path)
    mapping = build_mapping(table.headers, ACCOUNT)
    check(table, ACCOUNT, mapping, Options(), ledger, Recorder(), workers=1, duplicates="last")
    assert [r.row for r in ledger.rows.pending()] == [3, 4]
    assert rows(ledger)[2][:3] == ("duplicate", "34622000001", "same phone as row 4")


def test_an_offline_dry_run_records_rows_to_send_valid_and_marks_repeats_among_them(
    tmp_path: Path, ledger: Ledger
) -> None:
    path = csv_file(tmp_path / "c.csv", ["Ana,+34 622 000 001", "Bea,not a phone", "Carla,+34622000001"])
    table = open_table(path)
    mapping = build_mapping(table.headers, ACCOUNT)
    check(table, ACCOUNT, mapping, Options(), ledger, Recorder(), workers=1, to_send="valid")
    got = rows(ledger)
    assert [got[n][0] for n in (2, 3, 4)] == ["valid", "invalid", "duplicate"]
    assert got[4][2] == "same phone as row 2" and ledger.rows.count_pending() == 0
    with pytest.raises(ValueError, match="merge"):
        check(open_table(path), ACCOUNT, mapping, Options(), ledger, Recorder(), to_send="valid", duplicates="merge")
