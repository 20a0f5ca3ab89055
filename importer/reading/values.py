"""Typed values as the text a person sees in a spreadsheet cell: whole numbers without `.0`, no exponent, ISO
dates, TRUE/FALSE. One set of rules for every reader of typed values: workbook cells (importer.reading.excel_reader),
Python records and DataFrames (importer.reading.records) and a SQL query's rows (importer.sources.sql), with the
types a database has and a spreadsheet has not (Decimal, bytes, UUID, JSON)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any
from uuid import UUID


def cell_text(value: object) -> str:
    """A typed value as the text a cell shows; None (an empty cell, NULL) is empty.

    Formulas come out as the value the spreadsheet saved with them (what Excel shows). A formula never
    computed (written by a library such as openpyxl and not saved by Excel or LibreOffice since) has no saved
    value and comes out empty; error cells (#N/A) also come out empty, as python-calamine gives no text for
    them. Empty is the safe side: such a phone is reported missing instead of imported wrong.
    """
    if value is None:
        return ""
    convert = _CONVERTERS.get(value.__class__)
    if convert is not None:
        return convert(value)
    for (
        kind,
        convert,
    ) in _CONVERTERS.items():  # a subclass (pandas' Timestamp, numpy's float64, an IntEnum, a driver's date type)
        if isinstance(value, kind):
            return convert(value)
    return str(value)


def _float_text(value: float) -> str:
    if value.is_integer():
        return str(int(value))
    text = f"{value:.15g}"  # 15 significant digits, as Excel shows a number
    return format(Decimal(text), "f") if "e" in text else text


def _decimal_text(value: Decimal) -> str:
    if not value.is_finite():
        return str(value)
    if not value:
        return "0"  # also -0 and 0E-10
    if value == value.to_integral_value():
        return format(value.to_integral_value(), "f")  # NUMERIC(20,0) 5511987654321, never 5.511987654321E+12
    return format(value.normalize(), "f")  # 12.50 -> 12.5, as a number cell shows it


def _datetime_text(value: dt.datetime) -> str:
    if value.microsecond:
        value = _round_second(value)
    if not (value.hour or value.minute or value.second):
        return value.date().isoformat()  # a date in a date-and-time column, as the Excel reader gives it
    return value.isoformat(" ", "seconds")


def _time_text(value: dt.time) -> str:
    if value.microsecond:
        value = _round_second(dt.datetime.combine(dt.date(2000, 1, 1), value)).timetz()
    return value.isoformat("seconds")


def _duration_text(value: dt.timedelta) -> str:
    seconds = round(value.total_seconds())
    sign, seconds = ("-", -seconds) if seconds < 0 else ("", seconds)
    return f"{sign}{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def _round_second(value: dt.datetime) -> dt.datetime:
    if value.microsecond >= 500_000:
        value += dt.timedelta(seconds=1)
    return value.replace(microsecond=0)


def _bytes_text(value: bytes | bytearray | memoryview) -> str:
    data = bytes(value)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return "\\x" + data.hex()  # binary data as PostgreSQL shows it: never imported as a phone by accident


def _json_text(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


# Exact type first (one dict look-up per cell); order matters for the isinstance fallback: bool before int,
# datetime before date.
_CONVERTERS: dict[type, Callable[[Any], str]] = {
    bool: lambda v: "TRUE" if v else "FALSE",
    int: str,
    float: _float_text,
    Decimal: _decimal_text,
    dt.datetime: _datetime_text,
    dt.date: dt.date.isoformat,
    dt.time: _time_text,
    dt.timedelta: _duration_text,
    bytes: _bytes_text,
    bytearray: _bytes_text,
    memoryview: _bytes_text,
    UUID: str,
    dict: _json_text,
    list: _json_text,
}
