"""Records from Python (an iterable of mappings, or a pandas DataFrame) as the `Table` a file would give.

Every cell becomes text the way the Excel reader makes it (importer.reading.values.cell_text): a whole float
such as pandas gives for a phone column it typed float64 (5511987654321.0) is its digits, an int is its digits, None,
NaN and pandas' NA/NaT are empty. A float of 16 digits or more cannot have kept every digit (float64 holds 15 exactly)
and is written in scientific notation, which the phone check refuses per row ("its digits are lost").

pandas is never imported here: a DataFrame is recognised by its type's module, and read through its own methods.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from decimal import Decimal
from itertools import chain
from pathlib import Path
from typing import Any

from importer.errors import InputError
from importer.reading.table import SourceRow, Table
from importer.reading.values import cell_text

RECORDS_NAME = "<records>"  # the "file name" in messages, results and the summary
_EXACT_LIMIT = 10**15  # every integer below it is exact in a float64, and no phone number has more digits


def records_table(records: Any, name: str = RECORDS_NAME) -> Table:
    """A `Table` of `records`: a pandas DataFrame, or an iterable of mappings (header -> cell).

    Row numbers are those of a sheet with the header on row 1: the first record is row 2. Every record is a row,
    an empty one too, so the results have one row per record, in order.
    """
    path = Path(name)
    if _is_dataframe(records):
        return _frame_table(path, records)
    if isinstance(records, str | bytes) or not isinstance(records, Iterable):
        raise InputError(f"{name}: records must be a pandas DataFrame or an iterable of mappings, not {_kind(records)}")
    if isinstance(records, Sequence):
        # A list is read twice: the headers are every key of every record, in the order first seen.
        headers = list(dict.fromkeys(str(key) for record in _mappings(path, records) for key in record))
        rows = _mapping_rows(path, headers, records)
        return _table(path, headers, rows, len(records), "records")
    # Any other iterable is read once, as it comes: its headers are the first record's keys.
    iterator = iter(records)
    first = next(iterator, None)
    if first is None:
        raise InputError(f"{name}: no records")
    headers = [str(key) for key in _mapping(path, 2, first)]
    return _table(path, headers, _mapping_rows(path, headers, chain([first], iterator)), None, "records")


def cell_str(value: Any) -> str:
    """One cell as text, never as a float's repr: see the module's docstring."""
    if value.__class__ is str:
        return value  # type: ignore[no-any-return]
    if value is None:
        return ""
    if type(value).__module__ == "numpy" and hasattr(value, "item"):
        value = value.item()  # numpy's scalars as Python's: int64 -> int, bool_ -> bool, float64 -> float
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        if math.isinf(value) or (value.is_integer() and abs(value) >= _EXACT_LIMIT):
            return _scientific(value)
        return cell_text(value)
    if _is_missing(value):
        return ""
    return cell_text(value)


def _scientific(value: float) -> str:
    if math.isinf(value):
        return "-inf" if value < 0 else "inf"
    return f"{Decimal(repr(value)).normalize():e}"  # 1.2345678901234568e+19: the digits float64 kept


def _is_missing(value: Any) -> bool:
    # pandas' NA and NaT (and numpy's NaT) without importing pandas: both are their own type's singleton.
    return type(value).__name__ in ("NAType", "NaTType") or (type(value).__name__ == "datetime64" and value != value)


def _is_dataframe(records: Any) -> bool:
    return type(records).__module__.split(".")[0] == "pandas" and type(records).__name__ == "DataFrame"


def _frame_table(path: Path, frame: Any) -> Table:
    headers = [cell_str(c) for c in frame.columns]
    width = len(headers)

    def rows() -> Iterator[SourceRow]:
        # Each cell as pandas boxes it: a Python float (NaN too), int, str, NA, Timestamp, ...
        for number, cells in enumerate(frame.itertuples(index=False, name=None), 2):
            values = tuple(cell_str(c) for c in cells)
            yield SourceRow(number, values if len(values) == width else values[:width])

    return _table(path, headers, rows(), len(frame), "pandas DataFrame")


def _table(path: Path, headers: list[str], rows: Iterator[SourceRow], count: int | None, what: str) -> Table:
    if not any(h.strip() for h in headers):
        raise InputError(f"{path}: no columns (the records have no keys)")
    described = f"{what}, {count:,} row{'' if count == 1 else 's'}" if count is not None else what
    return Table(path=path, headers=headers, rows=rows, description=described, kind="records", total_rows=count)


def _mapping_rows(path: Path, headers: list[str], records: Iterable[Any]) -> Iterator[SourceRow]:
    at = {header: i for i, header in enumerate(headers)}
    for number, record in enumerate(records, 2):
        values = [""] * len(headers)
        for key, value in _mapping(path, number, record).items():
            index = at.get(str(key))
            if index is None:  # only from an iterator: a list's headers hold every key
                known = ", ".join(repr(h) for h in headers)
                raise InputError(
                    f"{path}: row {number}: key {str(key)!r} is not in the first record's keys ({known}); give every"
                    " key in the first record, or pass a list or a DataFrame"
                )
            values[index] = cell_str(value)
        yield SourceRow(number, tuple(values))


def _mappings(path: Path, records: Sequence[Any]) -> Iterator[Mapping[Any, Any]]:
    for number, record in enumerate(records, 2):
        yield _mapping(path, number, record)


def _mapping(path: Path, number: int, record: Any) -> Mapping[Any, Any]:
    if not isinstance(record, Mapping):
        raise InputError(f"{path}: row {number}: a record must be a mapping (header -> cell), not {_kind(record)}")
    return record


def _kind(value: Any) -> str:
    return f"a {type(value).__name__}"
