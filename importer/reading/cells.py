"""Cells made inert for spreadsheets, and read back: what our results and errors files write (neutralize), and
what reading one of them again undoes (unneutralize). Both live here, below the readers and the writers alike,
so that re-importing an errors file reads each cell as the user typed it."""

from __future__ import annotations

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_OR_QUOTE = (*_FORMULA_START, "'")
MAY_NEED_QUOTE = frozenset(_FORMULA_OR_QUOTE)  # first characters worth a call to neutralize


def neutralize(value: str) -> str:
    """Make a cell inert for spreadsheets: a leading quote stops `=HYPERLINK(...)` from running, and Excel
    hides it, so `+34 600 11 22 33` still reads as it was typed. A value that already starts with quotes before
    a formula character (`'=1+2`, typed so) gets one more, so that `unneutralize` gives it back as it was."""
    if value.startswith(_FORMULA_OR_QUOTE) and value.lstrip("'").startswith(_FORMULA_START):
        return "'" + value
    return value


def unneutralize(value: str) -> str:
    """Undo `neutralize` (exactly: one quote) for a value read back from one of our files."""
    return value[1:] if value[:1] == "'" and value.lstrip("'").startswith(_FORMULA_START) else value
