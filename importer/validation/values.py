"""The values of a row's list cells and custom fields, in the form Callbell takes them (validation's helpers)."""

from __future__ import annotations

import csv
import datetime as dt
import re
from typing import Any

from importer.account.model import CustomField
from importer.i18n.message import N_, Message

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_NUMBER = re.compile(r"^[+-]?\d+(?:[.,]\d+)?$")
_LIST_SPLIT = re.compile(r"\s*[,;]\s*")
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y%m%d", "%d %b %Y", "%d %B %Y")


def split_list(raw: str) -> list[str]:
    """The items of a list cell: "VIP, Lead", "VIP; Lead", and Mailchimp's TAGS as it exports them, each tag quoted
    ('"VIP","Call back"', where a quoted tag may hold a comma)."""
    if raw.startswith('"'):
        items = next(csv.reader([raw], skipinitialspace=True), [])
        return [item.strip() for item in items if item.strip()]
    return [item for item in _LIST_SPLIT.split(raw) if item]


def custom_value(spec: CustomField, raw: str) -> tuple[Any, str | None]:
    """The value to send for a custom field, in the form its type demands, or an error for a person (English)."""
    value, error, _ = custom_value_checked(spec, raw)
    return value, str(error) if error is not None else None


def custom_value_checked(spec: CustomField, raw: str) -> tuple[Any, Message | None, str]:
    """(value, None, "") or (None, error for a person, the offending value)."""
    if spec.type == "text":
        return raw, None, ""
    if spec.type == "email":
        return (raw, None, "") if _EMAIL.match(raw) else (None, N_("{value!r} is not an email address", value=raw), raw)
    if spec.type == "number":
        compact = raw.replace(" ", "").replace("\u00a0", "")
        if not _NUMBER.match(compact):
            return None, N_("{value!r} is not a number", value=raw), raw
        return compact.replace(",", ".").lstrip("+"), None, ""
    if spec.type == "date":
        day = parse_date(raw)
        if day:
            return day.isoformat(), None, ""
        return None, N_("{value!r} is not a date (write YYYY-MM-DD)", value=raw), raw
    options = spec.options_by_fold
    if spec.type == "dropdown":
        if (option := options.get(raw.casefold())) is None:
            return None, _not_an_option(raw, spec), raw
        return option, None, ""
    chosen: list[str] = []
    for item in split_list(raw):
        if (option := options.get(item.casefold())) is None:
            return None, _not_an_option(item, spec), item
        if option not in chosen:
            chosen.append(option)
    return chosen, None, ""


def parse_date(raw: str) -> dt.date | None:
    text = raw.strip()
    if len(text) == 10 and text[4] == "-" and text[7] == "-":  # the usual case, ten times faster than strptime
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            return None
    if text.isascii() and text.isdigit() and 20000 <= int(text) <= 80000:  # an Excel serial day number typed as General
        return _EXCEL_EPOCH + dt.timedelta(days=int(text))
    text = text.split(" ")[0] if re.match(r"^\d{4}-\d{2}-\d{2}[ T]", text) else text
    text = text.split("T")[0] if re.match(r"^\d{4}-\d{2}-\d{2}T", text) else text
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def _not_an_option(value: str, spec: CustomField) -> Message:
    return N_(
        "{value!r} is not an option of {field!r} ({options})",
        value=value,
        field=spec.name,
        options=", ".join(spec.options),
    )
