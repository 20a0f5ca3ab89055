"""Each row's outcome, read back from the results file a run wrote (CSV or XLSX), for Python callers.

The results file is the one record of every row, dry run or not: reading it back gives the same rows a person
sees, and costs no memory during the run.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from importer.errors import MissingExtra
from importer.i18n.message import N_
from importer.reading.cells import unneutralize
from importer.results.writer import RESULT_COLUMNS

PANDAS_EXTRA = 'pip install "callbell-importer[pandas]"'


@dataclass(frozen=True, slots=True)
class RowResult:
    """One input row's outcome: its row number (the header is row 1), status (created, invalid, ...), the
    contact's uuid and identifier, the error or warning, the dashboard link, and the row's cells (header -> text).
    A contact `--on-missing` removed comes after the file's rows, with no row number (None) and no cells."""

    row: int | None
    status: str
    uuid: str
    identifier: str
    error: str
    warning: str
    href: str
    cells: dict[str, str] = field(default_factory=dict)


def read_row_results(path: Path) -> Iterator[RowResult]:
    """The rows of a results file, in row order, each cell as the importer read it."""
    lines = _xlsx_lines(path) if path.suffix.lower() == ".xlsx" else _csv_lines(path)
    header = next(lines, None)
    if header is None:
        return
    fixed = len(RESULT_COLUMNS)
    names = unique_names([unneutralize(h) for h in header[fixed:]])
    for line in lines:
        cells = [unneutralize(c) for c in line]
        cells += [""] * (fixed - len(cells))
        row, status, uuid, identifier, error, warning, href = cells[:fixed]
        number = int(row) if row else None  # a removal (--on-missing) has none
        yield RowResult(
            number, status, uuid, identifier, error, warning, href, dict(zip(names, cells[fixed:], strict=False))
        )


def unique_names(headers: list[str]) -> list[str]:
    """Headers as keys: a repeated one gets ".1", ".2", ... as pandas names them."""
    seen: dict[str, int] = {}
    names = []
    for header in headers:
        count = seen.get(header, 0)
        seen[header] = count + 1
        names.append(header if count == 0 else f"{header}.{count}")
    return names


def rows_frame(rows: Iterator[RowResult]) -> Any:
    """A pandas DataFrame: the result columns, then the row's cells (a header that is also a result column, such
    as `error` in an errors file imported again, is named "error (input)")."""
    try:
        import pandas as pd
    except ImportError:
        raise MissingExtra(N_("Report.to_pandas() needs pandas: {install}", install=PANDAS_EXTRA)) from None
    records = []
    for result in rows:
        record: dict[str, Any] = {name: getattr(result, name) for name in RESULT_COLUMNS}
        for header, cell in result.cells.items():
            record[f"{header} (input)" if header in RESULT_COLUMNS else header] = cell
        records.append(record)
    columns = list(records[0]) if records else list(RESULT_COLUMNS)  # every row has the file's columns
    # Removals have no row number: then the column is pandas' nullable integer.
    kind = "Int64" if any(r["row"] is None for r in records) else "int64"
    return pd.DataFrame.from_records(records, columns=columns).astype({"row": kind})


def _csv_lines(path: Path) -> Iterator[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        yield from csv.reader(fh)


def _xlsx_lines(path: Path) -> Iterator[list[str]]:
    from python_calamine import CalamineWorkbook

    workbook = CalamineWorkbook.from_path(str(path))
    try:
        for line in workbook.get_sheet_by_index(0).iter_rows():
            yield ["" if c is None else str(c) for c in line]  # every cell was written as text
    finally:
        workbook.close()
