"""Progress of the check stage: a CSV's total comes from the bytes read, a workbook's from its sheet."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from importer.commands.cli import Log, LogProgress
from importer.pipeline.check import CHUNK_ROWS
from importer.pipeline.run import ImportOptions, run_import
from importer.reading.files import chunks, open_table

ROOT = Path(__file__).resolve().parents[2]
ACCOUNT = ROOT / "sample_data" / "account.toml"
SAMPLE_XLSX = ROOT / "sample_data" / "contacts.xlsx"


@dataclass
class Stage:
    description: str
    start_total: int
    done: int = 0
    totals: list[int | None] = field(default_factory=list)  # the total given with each advance
    closed: bool = False


class Recorder:
    """A Progress that keeps what it was told, stage by stage."""

    def __init__(self) -> None:
        self.stages: list[Stage] = []

    def start(self, total: int, description: str) -> None:
        self.stages.append(Stage(description, total))

    def advance(self, n: int = 1, total: int | None = None) -> None:
        stage = self.stages[-1]
        stage.done += n
        stage.totals.append(total)
        assert total is None or total >= stage.done, "a total below the rows already done"

    def close(self) -> None:
        self.stages[-1].closed = True


def contacts_csv(path: Path, rows: int, blank_every: int = 0, encoding: str = "utf-8") -> Path:
    lines = ["Name,Phone"]
    for i in range(rows):
        if blank_every and i % blank_every == 0:
            lines.append("")
        lines.append(f"Person {i:06d},+34 6{i:08d}")
    path.write_text("\n".join(lines) + "\n", encoding=encoding)
    return path


def dry_run(path: Path, tmp_path: Path, progress: object) -> None:
    options = ImportOptions(file=path, account_file=ACCOUNT, results=tmp_path / "out.csv", dry_run=True, workers=1)
    run_import(options, progress=progress)  # type: ignore[arg-type]


def test_a_csv_check_gets_a_total_and_reaches_it(tmp_path: Path) -> None:
    rows = 3 * CHUNK_ROWS + 500  # four chunks
    recorder = Recorder()
    dry_run(contacts_csv(tmp_path / "c.csv", rows, blank_every=100), tmp_path, recorder)
    check = recorder.stages[0]
    assert check.description == "Checking rows" and check.closed
    # An estimate with every chunk (of the rows blank ones included: 125 here), the exact count at the end.
    assert len(check.totals) == 5 and all(t is not None for t in check.totals)
    assert check.totals[0] is not None and abs(check.totals[0] - (rows + 125)) <= rows // 20
    assert check.totals[-2] == rows + 125
    assert check.done == rows and check.totals[-1] == rows


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_a_csv_estimate_is_measured_in_the_files_bytes(tmp_path: Path, encoding: str) -> None:
    # Read in characters, UTF-16 would look half read when it is all read: the position is the file's bytes'.
    path = contacts_csv(tmp_path / "c.csv", 10_000, encoding=encoding)
    table = open_table(path)
    batches = chunks(table, 2_500)
    next(batches)
    halfway = table.estimated_rows()
    assert halfway is not None and 9_000 <= halfway <= 11_000
    for _ in batches:
        pass
    assert table.estimated_rows() == 10_000


def test_a_workbook_check_starts_with_the_sheets_rows(tmp_path: Path) -> None:
    recorder = Recorder()
    dry_run(SAMPLE_XLSX, tmp_path, recorder)
    check = recorder.stages[0]
    assert check.start_total == open_table(SAMPLE_XLSX).total_rows and check.start_total > 0
    assert check.totals[-1] == check.done > 0


def test_log_lines_without_a_terminal_show_a_percentage_and_an_eta(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = 3 * CHUNK_ROWS
    dry_run(contacts_csv(tmp_path / "c.csv", rows), tmp_path, LogProgress(Log(json_lines=False), every=0.0))
    lines = [line for line in capsys.readouterr().err.splitlines() if line.startswith("importer: Checking rows")]
    first = re.match(rf"importer: Checking rows: {CHUNK_ROWS}/(\d+) \((\d+)%\), \d+ rows/s, ETA \d+s$", lines[0])
    assert first is not None, lines[0]
    assert abs(int(first.group(1)) - rows) <= rows // 20 and 30 <= int(first.group(2)) <= 36
    assert re.match(rf"importer: Checking rows: {rows}/{rows} \(100%\), \d+ rows/s, ETA 0s$", lines[-1]), lines[-1]
