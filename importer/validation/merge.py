"""`--duplicates merge`: the payloads of the valid rows that share a phone folded into one contact.

Pure data, no ledger: the check stage (importer.pipeline.check) reads each group of rows from the state file and
writes the merged payload back. Tags are joined in the order met, without repeats (the validator already spelled
them as the account does); every other field comes from the first row that fills it, and a later row that fills
it differently is a `Conflict`: its value is dropped, and said in the warning of the row that is sent.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from importer.i18n.message import N_, NP_, Text, english

DuplicatesMode = Literal["first", "last", "merge"]

# Identity: the same in every row of a group by construction (the group is the rows of one source and identifier).
_IDENTITY = frozenset({"source", "identifier"})
CONFLICTS_SHOWN = 10  # conflict notes on one row's warning; the rest are counted
ROWS_SHOWN = 5  # row numbers named in "merged with rows …"


@dataclass(frozen=True)
class Conflict:
    field: str  # payload key ("name", "team_uuid") or "custom_fields.<name>"
    kept: Any
    dropped: Any
    row: int  # the row whose value was dropped


def merge_payloads(rows: Iterable[tuple[int, Mapping[str, Any]]]) -> tuple[dict[str, Any], list[Conflict]]:
    """One payload from the (row, payload) of a group, in row order; the conflicts, in row order."""
    merged: dict[str, Any] = {}
    conflicts: list[Conflict] = []
    for row, payload in rows:
        for key, value in payload.items():
            if key == "tags":
                have = merged.setdefault("tags", [])
                folded = {t.casefold() for t in have}
                for tag in value:
                    if tag.casefold() not in folded:
                        folded.add(tag.casefold())
                        have.append(tag)
            elif key == "custom_fields":
                fields = merged.setdefault("custom_fields", {})
                for name, field_value in value.items():
                    if name not in fields:
                        fields[name] = field_value
                    elif not _same(fields[name], field_value):
                        conflicts.append(Conflict(f"custom_fields.{name}", fields[name], field_value, row))
            elif key not in merged:
                merged[key] = value
            elif key not in _IDENTITY and not _same(merged[key], value):
                conflicts.append(Conflict(key, merged[key], value, row))
    return merged, conflicts


def _same(a: Any, b: Any) -> bool:
    # Text that differs only in case or spacing ("Ana  Ruiz", "ana ruiz"; emails) is the same value: dropping one
    # loses nothing and a warning about it would be noise.
    if isinstance(a, str) and isinstance(b, str):
        return " ".join(a.casefold().split()) == " ".join(b.casefold().split())
    return bool(a == b)


def merge_warning(
    others: list[int],
    conflicts: list[Conflict],
    label: Mapping[str, str],
    shown: Mapping[str, str],
    render: Callable[[Text], str] = english,
) -> str:
    """The sent row's note: which rows went into it and each value dropped, rendered by `render` (the run's
    language; English by default). `label`: a field's name for people (its column); `shown`: a value as people
    know it (a team's name for its uuid)."""
    named = ", ".join(str(r) for r in others[:ROWS_SHOWN])
    if len(others) > ROWS_SHOWN:
        named += render(N_(", … ({n} rows)", n=len(others)))
    notes = [
        render(
            NP_("merged with row {rows} (same phone)", "merged with rows {rows} (same phone)", len(others), rows=named)
        )
    ]
    for c in conflicts[:CONFLICTS_SHOWN]:
        kept, dropped = _show(c.kept, shown), _show(c.dropped, shown)
        notes.append(
            render(
                N_(
                    "{field}: kept {kept}, dropped {dropped} of row {row}",
                    field=label.get(c.field, c.field),
                    kept=kept,
                    dropped=dropped,
                    row=str(c.row),  # a row number, as the results' row column writes it (no digit grouping)
                )
            )
        )
    if len(conflicts) > CONFLICTS_SHOWN:
        rest = len(conflicts) - CONFLICTS_SHOWN
        notes.append(render(NP_("and {n} more value dropped", "and {n} more values dropped", rest)))
    return "; ".join(notes)


def _show(value: Any, shown: Mapping[str, str]) -> str:
    return repr(shown.get(value, value) if isinstance(value, str) else value)
